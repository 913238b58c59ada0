"""What a supporter does next, per city: add it to a calendar, find the way, tell friends.

Every action is a plain link built here from the data (pure functions; the templates only
print them, autoescaped): nothing is loaded from another site until the visitor clicks,
no share counts, no third-party script.

- Calendar: our own ``.ics`` for that city alone (``/events/{slug}.ics?city=ID``), and
  Google Calendar's and Outlook's "new event" templates with the title, the place and the
  times of ``location_span`` — in UTC (``…Z``) when the location has a time and a
  zone, else as whole days (end exclusive).
- Directions: OpenStreetMap at the location's coordinates (a marker, zoom 15), else its
  search for the venue, city and country. A link, never an embedded map.
- Share: the canonical page (with the city's list entry as fragment, ``#pw-city-ID``) and
  a one-line text, on WhatsApp, Telegram, X, Bluesky, Facebook, LinkedIn and by e-mail.
  Signal has no share URL: the page's "share with another app" button (``navigator.share``,
  ``static/share.js``) reaches it, and "copy link" works everywhere.

Query values are percent-encoded with ``quote`` (a space is ``%20``, never ``+``, which
``mailto:`` would show as a plus sign).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote, urlencode

from widget.date_ranges import format_days
from widget.documents.location_span import location_span
from widget.documents.world_map import ID_PREFIX
from widget.model import Event, Location, LocationStatus
from widget.places import place_name
from widget.urls import Urls

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/action/compose"
OSM = "https://www.openstreetmap.org/"
# The networks in the order they are shown ("email" is named by the page, translated).
NETWORKS = ("whatsapp", "telegram", "x", "bluesky", "facebook", "linkedin", "email")
NETWORK_NAMES = {
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "x": "X",
    "bluesky": "Bluesky",
    "facebook": "Facebook",
    "linkedin": "LinkedIn",
    "email": "E-mail",
}


def _query(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs, quote_via=quote)


@dataclass(frozen=True)
class ShareLink:
    """One network's share link."""

    network: str
    name: str
    url: str


@dataclass(frozen=True)
class Share:
    """A page to share, its one-line text and every network's link for it."""

    url: str
    title: str
    text: str

    @property
    def links(self) -> tuple[ShareLink, ...]:
        """The share links, in ``NETWORKS`` order."""
        return tuple(ShareLink(key, NETWORK_NAMES[key], self.link(key)) for key in NETWORKS)

    def link(self, network: str) -> str:
        """The share link of one network (a key of ``NETWORK_NAMES``)."""
        both = f"{self.text} {self.url}"
        match network:
            case "whatsapp":
                return "https://wa.me/?" + _query([("text", both)])
            case "telegram":
                return "https://t.me/share/url?" + _query([("url", self.url), ("text", self.text)])
            case "x":
                return "https://x.com/intent/post?" + _query(
                    [("text", self.text), ("url", self.url)]
                )
            case "bluesky":
                return "https://bsky.app/intent/compose?" + _query([("text", both)])
            case "facebook":
                return "https://www.facebook.com/sharer/sharer.php?" + _query([("u", self.url)])
            case "linkedin":
                return "https://www.linkedin.com/sharing/share-offsite/?" + _query(
                    [("url", self.url)]
                )
            case "email":
                return "mailto:?" + _query(
                    [("subject", self.title), ("body", f"{self.text}\n\n{self.url}")]
                )
        raise ValueError(f"unknown network {network!r}")


@dataclass(frozen=True)
class CityActions:
    """One city's calendar links, directions and sharing."""

    ics: str
    google: str
    outlook: str
    directions: str | None
    share: Share


def _google_dates(start: date | datetime, end: date | datetime) -> str:
    if isinstance(start, datetime) and isinstance(end, datetime):
        return "/".join(
            moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for moment in (start, end)
        )
    return f"{start:%Y%m%d}/{end:%Y%m%d}"


def _outlook_times(start: date | datetime, end: date | datetime) -> list[tuple[str, str]]:
    if isinstance(start, datetime) and isinstance(end, datetime):
        utc = [moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for moment in (start, end)]
        return [("startdt", utc[0]), ("enddt", utc[1]), ("allday", "false")]
    return [("startdt", start.isoformat()), ("enddt", end.isoformat()), ("allday", "true")]


def directions_url(event: Event, location: Location) -> str | None:
    """OpenStreetMap at the location (its coordinates, else a search for its venue and
    place); None for a place that is nowhere yet (online, or no city)."""
    if location.coordinates is not None:
        lat, lon = f"{location.coordinates.lat:.5f}", f"{location.coordinates.lon:.5f}"
        return f"{OSM}?{_query([('mlat', lat), ('mlon', lon)])}#map=15/{lat}/{lon}"
    if location.city is None or location.online:
        return None
    place = place_name(event, location, event.default_language)
    where = ", ".join(part for part in (location.venue, place) if part)
    return f"{OSM}search?{_query([('query', where)])}"


def event_share(event: Event, language: str, page_url: str) -> Share:
    """Sharing the event's page: its title and days."""
    title = event.text(language)[1].title
    days = format_days(event.first_day, event.last_day, "long", language)
    return Share(page_url, title, f"{title} — {days}")


def city_actions(
    event: Event, location: Location, *, language: str, public_url: str, page_url: str
) -> CityActions | None:
    """The actions of one location; None for one that is cancelled (nothing to join)."""
    if location.status is LocationStatus.CANCELLED:
        return None
    language_used, text = event.text(language)
    short = place_name(event, location, language_used, country=False)
    place = place_name(event, location, language_used)
    where = ", ".join(part for part in (location.venue, place) if part)
    title = f"{text.title} — {short}"
    first, last = event.days(location)
    start, end = location_span(event, location)
    details = "\n\n".join(part for part in (text.summary, page_url) if part)
    calendar_query = _query([("city", location.id), ("lang", language)])
    share_url = f"{page_url}#{ID_PREFIX}{location.id}"
    days = format_days(first, last, "long", language)
    return CityActions(
        ics=Urls(public_url).event_calendar(event.slug, calendar_query),
        google=GOOGLE
        + "?"
        + _query(
            [
                ("action", "TEMPLATE"),
                ("text", title),
                ("dates", _google_dates(start, end)),
                ("details", details),
                ("location", where),
            ]
        ),
        outlook=OUTLOOK
        + "?"
        + _query(
            [
                ("rru", "addevent"),
                ("subject", title),
                *_outlook_times(start, end),
                ("location", where),
                ("body", details),
            ]
        ),
        directions=directions_url(event, location),
        share=Share(share_url, title, f"{title}, {days}"),
    )
