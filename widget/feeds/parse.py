"""An iCalendar body → the feed's events in a bounded window, places read offline.

``parse_feed`` is pure (the clock comes in as ``now``) and bounded, whatever the body:

- it must start with ``BEGIN:VCALENDAR`` (an HTML error page is refused before parsing)
  and hold at most ``MAX_COMPONENTS`` ``VEVENT``s, at most ``MAX_RDATES`` ``RDATE``
  values in one event and ``MAX_RDATES_TOTAL`` in all (counted before parsing: parsing
  100,000 of them alone takes seconds);
- recurring series (an ``RRULE`` or ``RDATE``s) are expanded by recurring-ical-events
  only within [``now - GRACE``, ``now + HORIZON``]; rules that repeat more often than
  daily, or by the hour, minute or second, are skipped (a ``FREQ=SECONDLY`` rule would
  take minutes), and at most ``MAX_SERIES`` series are expanded;
- the window is expanded a stretch at a time, earliest first, and expansion stops once
  ``MAX_OCCURRENCES`` events are in hand: at most that many are kept, the earliest first.

An event's ``url`` says where it came from (``url_origin``): its ``URL`` property, a link
given as its ``LOCATION``, or the first link of its ``DESCRIPTION``. Only the first two
identify the event (``FeedEvent.own_url``); a link in the text may point anywhere.

Past events stay for ``GRACE`` after they end (their pages keep working for a while), then
drop out. Times keep the event's own IANA zone (``TZID``); UTC and floating times are read
in the zone of the city the gazetteer finds, else UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from widget.feeds.errors import FeedFormatError
from widget.feeds.gazetteer import locate
from widget.model import check_timezone, check_url
from widget.text import without_controls

GRACE = timedelta(days=14)
HORIZON = timedelta(days=366)
MAX_COMPONENTS = 2000
MAX_RDATES = 500  # RDATE values in one event
MAX_RDATES_TOTAL = 2000  # RDATE values in the whole feed
MAX_SERIES = 20
MAX_OCCURRENCES = 500
MAX_TITLE = 200
MAX_VENUE = 300
MAX_DESCRIPTION = 20_000
_ALLOWED_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_SUB_DAILY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+")
_MEETING_HOSTS = frozenset(
    {"zoom.us", "meet.google.com", "teams.microsoft.com", "meet.jit.si", "whereby.com"}
)
_ONLINE_WORDS = frozenset(
    {"online", "virtual", "online event", "zoom", "google meet", "livestream"}
)
# The content lines the RDATE count looks at, in a body whose lines are unfolded.
_COUNTED_LINE = re.compile(rb"^(?:BEGIN:|UID[;:]|RDATE[;:])[^\r\n]*", re.I | re.M)
_FOLD = re.compile(rb"\r?\n[ \t]")
# The first stretch of the window expanded at once; each next one is twice as long.
_FIRST_STRETCH = timedelta(days=7)
UrlOrigin = Literal["url", "location", "description"]


@dataclass(frozen=True)
class FeedEvent:
    """One occurrence of a feed's event, as the feed says it (text still unsanitized)."""

    uid: str  # the UID, plus the occurrence's start for a recurring series
    title: str
    description: str
    url: str | None
    url_origin: UrlOrigin | None  # where ``url`` came from (None without one)
    categories: tuple[str, ...]
    start_date: date
    end_date: date | None
    start_time: time | None
    end_time: time | None
    timezone: str | None
    venue: str | None
    city: str | None
    country: str | None
    coordinates: tuple[float, float] | None
    cancelled: bool
    online: bool

    @property
    def own_url(self) -> str | None:
        """The event's own link (its URL property or a link as LOCATION), which
        identifies it; None when the only link was found in the description."""
        return self.url if self.url_origin in ("url", "location") else None


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's events, its own name (``X-WR-CALNAME``) and what was left out and why."""

    events: tuple[FeedEvent, ...]
    calendar_name: str | None
    notes: tuple[str, ...] = ()


def parse_feed(body: bytes, now: datetime, country_hint: str | None = None) -> ParsedFeed:
    """The events of an iCalendar ``body`` around ``now``; raises ``FeedFormatError``."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].upper()
    if not head.startswith(b"BEGIN:VCALENDAR"):
        shown = body.lstrip()[:20].decode("utf-8", "replace")
        raise FeedFormatError(f"not an iCalendar file (it starts with {shown!r})")
    upper = body.upper()
    components = upper.count(b"BEGIN:VEVENT")
    if components > MAX_COMPONENTS:
        raise FeedFormatError(f"too many events ({components}, at most {MAX_COMPONENTS})")
    if b"RDATE" in upper:
        _count_rdates(body)
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise FeedFormatError(f"invalid iCalendar: {without_controls(str(error))[:200]}") from None
    notes: list[str] = []
    bounded = _bounded(calendar, notes)
    # Only occurrences of a series carry their start in their id: a one-off event that
    # moves to another day keeps its id (and its slug).
    series = {
        str(c.get("UID", ""))
        for c in bounded.walk("VEVENT")
        if "RRULE" in c or "RDATE" in c or "RECURRENCE-ID" in c
    }
    start, end = now - GRACE, now + HORIZON
    try:
        query = recurring_ical_events.of(bounded, skip_bad_series=True)
    except Exception as error:  # the library raises many kinds on bad rules and dates
        raise FeedFormatError(
            f"invalid iCalendar dates: {without_controls(str(error))[:200]}"
        ) from None
    events: dict[str, FeedEvent] = {}
    # A stretch at a time, earliest first: once MAX_OCCURRENCES events are in hand, the
    # rest of the window is never expanded. Every occurrence that starts before the end
    # of the last stretch is in hand, so the first MAX_OCCURRENCES of them are the first.
    stretch, length = start, _FIRST_STRETCH
    while stretch < end and len(events) <= MAX_OCCURRENCES:
        until = min(stretch + length, end)
        try:
            occurrences = query.between(stretch, until)
        except Exception as error:  # the library raises many kinds on bad rules and dates
            message = without_controls(str(error))[:200]
            raise FeedFormatError(f"invalid iCalendar dates: {message}") from None
        for component in occurrences:
            try:
                event = _event(component, country_hint, series)
            except (ValueError, TypeError, AttributeError, OverflowError, KeyError) as error:
                uid = without_controls(str(component.get("UID", "?")))[:80]
                note = f"event {uid}: skipped ({error})"
                if note not in notes:  # an event may be in two stretches
                    notes.append(note)
                continue
            if event is not None and event.uid not in events:
                events[event.uid] = event
        stretch, length = until, length * 2
    ordered = sorted(events.values(), key=lambda e: (e.start_date, e.start_time or time.min, e.uid))
    if len(ordered) > MAX_OCCURRENCES:
        notes.append(f"more than {MAX_OCCURRENCES} events in the window: kept the first ones")
        ordered = ordered[:MAX_OCCURRENCES]
    name = calendar.get("X-WR-CALNAME")
    return ParsedFeed(
        tuple(ordered), without_controls(str(name))[:MAX_TITLE] if name else None, tuple(notes)
    )


def _count_rdates(body: bytes) -> None:
    """Refuse a body with more than ``MAX_RDATES`` RDATE values in one event or
    ``MAX_RDATES_TOTAL`` in all, before it is parsed (values counted by their commas)."""
    kind, uid, in_component, total = "component", b"?", 0, 0
    for match in _COUNTED_LINE.finditer(_FOLD.sub(b"", body)):
        line = match.group(0)
        head = line[:5].upper()
        if head == b"BEGIN":
            name = line[6:].strip().upper()
            if name not in (b"VALARM", b"STANDARD", b"DAYLIGHT"):  # not inside another
                kind = "event" if name == b"VEVENT" else name.decode("ascii", "replace")
                uid, in_component = b"?", 0
        elif head.startswith(b"UID"):
            uid = line.split(b":", 1)[-1]
        else:
            values = line.count(b",") + 1  # a comma in a parameter only counts one more
            in_component, total = in_component + values, total + values
            if in_component > MAX_RDATES:
                shown = without_controls(uid.decode("utf-8", "replace")).strip()[:80]
                raise FeedFormatError(
                    f"{kind} {shown}: too many RDATE values (more than {MAX_RDATES})"
                )
            if total > MAX_RDATES_TOTAL:
                raise FeedFormatError(
                    f"too many RDATE values (more than {MAX_RDATES_TOTAL} in the feed)"
                )


def _rdates(component: Any) -> int:
    """How many RDATE values a parsed event holds."""
    value: Any = component.get("RDATE")
    items = value if isinstance(value, list) else [value] if value is not None else []
    return sum(len(getattr(item, "dts", [item])) for item in items)


def _bounded(calendar: icalendar.Calendar, notes: list[str]) -> icalendar.Calendar:
    """A copy of ``calendar`` without the recurring series we do not expand."""
    kept = icalendar.Calendar()
    series = 0
    for component in calendar.subcomponents:
        if component.name == "VEVENT" and ("RRULE" in component or "RDATE" in component):
            uid = without_controls(str(component.get("UID", "?")))[:80]
            if "RRULE" in component:
                value: Any = component["RRULE"]
                rule: Any = value[0] if isinstance(value, list) else value
                frequency = str((rule.get("FREQ") or [""])[0]).upper()
                if frequency not in _ALLOWED_FREQUENCIES or any(
                    p in rule for p in _SUB_DAILY_PARTS
                ):
                    notes.append(f"event {uid}: repeats more often than daily; skipped")
                    continue
            if _rdates(component) > MAX_RDATES:  # counted before parsing too: a backstop
                notes.append(f"event {uid}: more than {MAX_RDATES} RDATE values; skipped")
                continue
            series += 1
            if series > MAX_SERIES:
                notes.append(f"event {uid}: more than {MAX_SERIES} recurring series; skipped")
                continue
        kept.add_component(component)
    return kept


def _event(component: Any, country_hint: str | None, series: set[str]) -> FeedEvent | None:
    raw_uid = str(component.get("UID", ""))
    uid = without_controls(raw_uid).strip()
    if not uid or "DTSTART" not in component:
        return None
    recurrence = component.get("RECURRENCE-ID")
    if recurrence is not None and raw_uid in series:
        uid = f"{uid}/{_instant(recurrence.dt)}"
    location = without_controls(str(component.get("LOCATION", ""))).strip()
    location_url = _web_url(location)
    geo = _geo(component.get("GEO"))
    place = locate(None if location_url else location, geo, country_hint)
    description = without_controls(str(component.get("DESCRIPTION", ""))).strip()[:MAX_DESCRIPTION]
    own_url = _web_url(str(component.get("URL", "")).strip())
    first_in_text = next(filter(None, map(_web_url, _URL_IN_TEXT.findall(description))), None)
    origin: UrlOrigin | None = None
    if own_url:
        origin = "url"
    elif location_url:
        origin = "location"
    elif first_in_text:
        origin = "description"
    start = component["DTSTART"].dt
    end = component["DTEND"].dt if "DTEND" in component else None
    if end is None and "DURATION" in component:
        end = start + component["DURATION"].dt
    zone = _zone_of(start) or _known_zone(place.timezone)
    day, start_time = _local(start, zone)
    end_date: date | None = None
    end_time: time | None = None
    if end is not None:
        last_day, end_time = _local(end, zone)
        if start_time is None:  # all day: DTEND is the day after the last
            last_day -= timedelta(days=1)
        end_date = last_day if last_day > day else None
    online = location.casefold() in _ONLINE_WORDS or (
        location_url is not None and _host(location_url) in _MEETING_HOSTS
    )
    venue = location if location and not location_url and location != place.city else None
    return FeedEvent(
        uid=uid[:300],
        title=" ".join(without_controls(str(component.get("SUMMARY", ""))).split())[:MAX_TITLE],
        description=description,
        url=own_url or location_url or first_in_text,
        url_origin=origin,
        categories=tuple(_categories(component.get("CATEGORIES"))),
        start_date=day,
        end_date=end_date,
        start_time=start_time,
        end_time=end_time if start_time is not None else None,
        timezone=(zone or "UTC") if start_time is not None else None,
        venue=venue[:MAX_VENUE] if venue else None,
        city=place.city,
        country=place.country,
        coordinates=place.coordinates,
        cancelled=str(component.get("STATUS", "")).upper() == "CANCELLED",
        online=online,
    )


def _web_url(text: str) -> str | None:
    """``text`` when it is an absolute http(s) URL our models accept, else None."""
    if not text.lower().startswith(("http://", "https://")):
        return None
    try:
        return check_url(text.rstrip(".,;"))
    except ValueError:
        return None


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host.split(".", 1)[1] if host.endswith(".zoom.us") else host


def _geo(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        lat, lon = float(value.latitude), float(value.longitude)
    except (AttributeError, TypeError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def _zone_of(value: date | datetime) -> str | None:
    """The IANA name of a datetime's own zone (None for UTC, floating or odd zones)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    key = getattr(value.tzinfo, "key", None)
    if not isinstance(key, str) or key in ("UTC", "Etc/UTC"):
        return None
    try:
        return check_timezone(key)
    except ValueError:
        return None


def _known_zone(name: str | None) -> str | None:
    """``name`` when it is an IANA zone this system knows (the gazetteer's may be older)."""
    try:
        return check_timezone(name) if name else None
    except ValueError:
        return None


def _local(value: date | datetime, zone: str | None) -> tuple[date, time | None]:
    """The day and wall-clock time of ``value`` in ``zone`` (a date has no time)."""
    if not isinstance(value, datetime):
        return value, None
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(zone) if zone else UTC)
    return value.date(), value.time().replace(second=0, microsecond=0, tzinfo=None)


def _instant(value: date | datetime) -> str:
    """A stable text for an occurrence's original start."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y%m%dT%H%M")
    return value.strftime("%Y%m%d")


def _categories(value: Any) -> Iterable[str]:
    for item in value if isinstance(value, list) else [value] if value is not None else []:
        for category in getattr(item, "cats", [item]):
            text = " ".join(without_controls(str(category)).split())[:100]
            if text:
                yield text
