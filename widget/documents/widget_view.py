"""The widget's view: one event, as one request asked to see it, reduced to plain data.

``build_view`` is pure: given an event, the normalized options, the page language, the
event's phase and the public URL, it returns what the templates show — the cities grouped
by country (CLDR names in the page language, city-name overrides from the text in that
language; online locations that name no country in a last group), filtered by
``country``/``city``, each with its status and its links (platform and counted ``/go/``
URL; the first is the signup link, a location to be announced may have none), its own
days when they differ from the event's, the counts, the "organize one near you" link,
the media behind consent facades, and the accent colour made readable on both themes.

Filters: a location is shown when it matches any given country *or* any given city
(``country=NL&city=london`` shows the Dutch cities and London); no filter shows all.

Accent colours: the embedder's ``accent`` is used for link and button text, so it must
reach 4.5:1 against the theme's background (WCAG 2.2, 1.4.3). ``readable`` darkens it on
the light theme (lightens it on the dark one) in small steps until it does. The page
carries both variants as ``data-*`` attributes; a tiny hashed inline script copies them
into CSS custom properties (CSSOM is allowed by the CSP, style attributes are not).
Without JavaScript the stylesheet's default accent applies (``DEFAULT_PALETTE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from babel import dates as babel_dates

from widget.countries import country_name
from widget.date_ranges import format_days
from widget.languages import locale
from widget.media_providers import PROVIDERS, MediaProvider, embed_url
from widget.model import Event, Location, LocationStatus, MediaItem, Status
from widget.params import DEFAULT_ACCENT, ViewOptions
from widget.platforms import Platform
from widget.text import fold
from widget.timing import Phase
from widget.urls import Urls

Day = date
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#17181a"
MIN_CONTRAST = 4.5
_STEP = 0.06  # fraction mixed towards black or white per adjustment step


@dataclass(frozen=True)
class Palette:
    """An accent as given (decorations, button fill), the text colour on it (``ink``,
    black or white, whichever contrasts more: always at least 4.58:1), and its readable
    text variants on the light and the dark theme."""

    brand: str
    ink: str
    light: str
    dark: str


@dataclass(frozen=True)
class LinkView:
    """One link of a row: its platform and our counted ``/go/`` URL for it."""

    platform: Platform
    url: str


@dataclass(frozen=True)
class CityView:
    """One location as a row of the widget.

    ``name`` is the city's (localized) name, or None for a country whose city is still
    open (``kind`` "open") and for an online location without a city ("online"): the
    templates name those in the page's language.
    """

    id: str
    name: str | None
    kind: str  # "city", "open" or "online"
    status: LocationStatus
    links: tuple[LinkView, ...]
    when: str | None
    venue: str | None
    over: bool = False  # its own days have passed while the event goes on elsewhere
    # (lat, lon): the data's, else the gazetteer's; the browser measures distances from it.
    coordinates: tuple[float, float] | None = None

    @property
    def platform(self) -> Platform | None:
        """The signup link's platform (the first link's), if any."""
        return self.links[0].platform if self.links else None

    @property
    def signup_url(self) -> str | None:
        """The counted URL of the signup link (the first link), if any."""
        return self.links[0].url if self.links else None

    @property
    def more_links(self) -> tuple[LinkView, ...]:
        """The links after the signup link."""
        return self.links[1:]

    @property
    def linked(self) -> bool:
        """Whether the row links anywhere (a cancelled location, or one whose days are over,
        does not)."""
        return bool(self.links) and self.status is not LocationStatus.CANCELLED and not self.over


@dataclass(frozen=True)
class CountryView:
    """A country heading and its cities."""

    code: str
    name: str
    cities: tuple[CityView, ...]


@dataclass(frozen=True)
class MediaView:
    """A third-party item behind a consent facade."""

    dom_id: str
    provider: MediaProvider
    provider_name: str
    kind: Literal["post", "video"]  # which words the facade uses
    url: str
    fallback: str | None
    fallback_language: str
    privacy_url: str
    script_url: str | None
    embed_url: str | None


@dataclass(frozen=True)
class WidgetView:
    """Everything ``embed.html`` (and the partials it shares) shows."""

    slug: str
    language: str
    text_language: str
    title: str
    summary: str
    date: date
    end_date: Day | None  # the last day, when the event spans several
    phase: Phase
    status: Status
    countries: tuple[CountryView, ...]
    city_count: int
    country_count: int
    total_city_count: int
    filtered: bool
    theme: str
    accent: Palette | None
    media: tuple[MediaView, ...]
    canonical_url: str
    publish_url: str
    organize_url: str | None = None
    location_phases: tuple[Phase, ...] = ()  # per location, when some have days of their own
    geolocation: bool = False  # offer "use my location" (the embedder allowed it)
    reach_km: float | None = None  # beyond it the nearest city is not near (Event.reach_km)

    @property
    def past(self) -> bool:
        """True once the event has ended everywhere."""
        return self.phase is Phase.PAST

    @property
    def today(self) -> bool:
        """True while it is one of the event's days somewhere (for an event whose locations
        have days of their own, a day of one of them: not a gap between them)."""
        if self.phase is not Phase.TODAY:
            return False
        return not self.location_phases or Phase.TODAY in self.location_phases

    @property
    def signups_open(self) -> bool:
        """Whether the rows link to signup pages (not for past or cancelled events)."""
        return not self.past and self.status is not Status.CANCELLED

    @property
    def platforms(self) -> tuple[Platform, ...]:
        """The platforms of the shown cities (the icons the page must define)."""
        found = {
            link.platform
            for country in self.countries
            for city in country.cities
            for link in city.links
        }
        return tuple(sorted(found))

    @property
    def organize_link(self) -> str | None:
        """The "organize one near you" link, while the event is still ahead: our counted
        ``/go/{slug}`` redirect (inside WordPress's sandbox only links to our own host can
        be followed), never the target itself."""
        if self.organize_url is None or not self.signups_open:
            return None
        # The publish page is the public URL's root: its URL is the base of every other.
        return Urls(self.publish_url).organize(self.slug)

    @property
    def located(self) -> bool:
        """Whether some shown city has coordinates (the browser can then order by distance)."""
        return any(city.coordinates for country in self.countries for city in country.cities)

    @property
    def providers(self) -> tuple[MediaProvider, ...]:
        """The media providers on the page (their hosts enter the CSP)."""
        return tuple(sorted({item.provider for item in self.media}))


# --- colour -------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(255.0, max(0.0, c))):02x}" for c in rgb)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a '#rrggbb' colour (0 black … 1 white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 … 21)."""
    a, b = relative_luminance(first), relative_luminance(second)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def readable(colour: str, background: str, minimum: float = MIN_CONTRAST) -> str:
    """``colour``, darkened or lightened in steps until it reaches ``minimum`` on ``background``.

    The direction is away from the background: towards black on light backgrounds, towards
    white on dark ones. Pure black or white ends the walk, so it always terminates.
    """
    if contrast(colour, background) >= minimum:
        return colour.lower()
    target = 0.0 if relative_luminance(background) > 0.18 else 255.0
    red, green, blue = (float(channel) for channel in _rgb(colour))
    for _ in range(200):
        red, green, blue = (c + (target - c) * _STEP for c in (red, green, blue))
        candidate = _hex((red, green, blue))
        if contrast(candidate, background) >= minimum:
            return candidate
    return _hex((target, target, target))


def palette(accent: str) -> Palette:
    """The accent and its variants readable on the light and the dark theme."""
    ink = "#000000" if contrast(accent, "#000000") >= contrast(accent, "#ffffff") else "#ffffff"
    return Palette(
        brand=accent.lower(),
        ink=ink,
        light=readable(accent, LIGHT_BACKGROUND),
        dark=readable(accent, DARK_BACKGROUND),
    )


DEFAULT_PALETTE = palette(DEFAULT_ACCENT)


# --- locations ----------------------------------------------------------------------


def matches(location: Location, options: ViewOptions) -> bool:
    """Whether ``location`` passes the country/city filters (either one matching is enough)."""
    if not options.countries and not options.cities:
        return True
    return location.country in options.countries or location.id in options.cities


def _time_text(event: Event, location: Location, language: str) -> str | None:
    """The location's own days (when they differ from the event's) and its times."""
    parts: list[str] = []
    first, last = event.days(location)
    if (first, last) != (event.date, event.end_date or event.date):
        parts.append(format_days(first, last, "short", language))
    start: time | None = location.start_time or event.start_time
    end: time | None = location.end_time or (event.end_time if not location.start_time else None)
    if start is not None:
        text = babel_dates.format_time(start, format="short", locale=locale(language))
        if end is not None:
            text += "\u2013" + babel_dates.format_time(end, format="short", locale=locale(language))
        parts.append(text)
    return ", ".join(parts) or None


def go_url(public_url: str, slug: str, location_id: str, number: int = 1) -> str:
    """The counted redirect URL for one location's link (the first, the signup link, by
    default; further links by their number from 2 on)."""
    return Urls(public_url).go(slug, location_id, number)


ONLINE_GROUP = "online"  # the group of online locations that name no country


def _kind(location: Location) -> str:
    if location.city is not None:
        return "city"
    return "online" if location.online else "open"


def group_locations(
    event: Event,
    options: ViewOptions,
    language: str,
    public_url: str,
    phases: tuple[Phase, ...] = (),
) -> tuple[CountryView, ...]:
    """The filtered locations grouped by country; countries and cities sorted by name."""
    # Overrides only from the text in the page's own language: names match the UI.
    overrides: dict[str, str] = next(
        (dict(text.cities) for code, text in event.texts.items() if code == language), {}
    )
    grouped: dict[str, list[CityView]] = {}
    urls = Urls(public_url)
    # ``phases`` is empty when no location has days of its own: then none is over alone.
    pairs = zip(event.locations, phases, strict=False)
    over = {location.id for location, when in pairs if when is Phase.PAST}
    for location in event.locations:
        if not matches(location, options):
            continue
        grouped.setdefault(location.country or ONLINE_GROUP, []).append(
            CityView(
                id=location.id,
                name=overrides.get(location.id, location.city),
                kind=_kind(location),
                status=location.status,
                links=tuple(
                    LinkView(
                        link.platform or Platform.WEBSITE,
                        urls.go(event.slug, location.id, number),
                    )
                    for number, link in enumerate(location.links, 1)
                ),
                when=_time_text(event, location, language),
                venue=location.venue,
                over=location.id in over,
                coordinates=(
                    (location.coordinates.lat, location.coordinates.lon)
                    if location.coordinates is not None
                    else None
                ),
            )
        )
    countries = [
        CountryView(
            code=code,
            name="" if code == ONLINE_GROUP else country_name(code, language),
            # Named cities first, then the country's open city and online actions.
            cities=tuple(
                sorted(cities, key=lambda city: (city.kind != "city", fold(city.name or "")))
            ),
        )
        for code, cities in grouped.items()
    ]
    # Countries by name; online actions that name no country come last.
    return tuple(
        sorted(countries, key=lambda country: (country.code == ONLINE_GROUP, fold(country.name)))
    )


# --- media --------------------------------------------------------------------------


def media_view(item: MediaItem, index: int, language: str) -> MediaView:
    """A media item as a consent facade: who it is from, what loading means, how to load it.

    ``language`` is the event's default language, the one its fallback text is written in.
    """
    assert item.provider is not None  # the model derives it from the URL
    provider = PROVIDERS[item.provider]
    return MediaView(
        dom_id=f"media-{index}",
        provider=item.provider,
        provider_name=provider.name,
        kind=provider.kind,
        url=item.url,
        fallback=item.fallback or None,
        fallback_language=language,
        privacy_url=provider.privacy_url,
        script_url=provider.script_url,
        embed_url=embed_url(item.provider, item.url),
    )


# --- the view -----------------------------------------------------------------------


def build_view(
    event: Event,
    options: ViewOptions,
    language: str,
    phase: Phase,
    public_url: str,
    location_phases: tuple[Phase, ...] = (),
) -> WidgetView:
    """The widget of ``event`` for ``options`` in ``language`` at ``phase`` (and, for an
    event whose locations have days of their own, at each location's ``location_phases``)."""
    text_language, text = event.text(language)
    countries = group_locations(event, options, language, public_url, location_phases)
    urls = Urls(public_url)
    return WidgetView(
        slug=event.slug,
        language=language,
        text_language=text_language,
        title=text.title,
        summary=text.summary,
        date=event.first_day,
        end_date=event.last_day if event.last_day > event.first_day else None,
        phase=phase,
        status=event.status,
        countries=countries,
        city_count=sum(len(country.cities) for country in countries),
        country_count=sum(1 for country in countries if country.code != ONLINE_GROUP),
        total_city_count=len(event.locations),
        filtered=bool(options.countries or options.cities),
        theme=options.theme,
        accent=palette(options.accent) if options.accent else None,
        media=tuple(
            media_view(item, index, event.default_language)
            for index, item in enumerate(event.media, 1)
        ),
        canonical_url=urls.event(event.slug, ViewOptions(lang=language).query()),
        publish_url=urls.publish(),
        organize_url=event.organize_url,
        location_phases=location_phases,
        geolocation=options.geolocation,
        reach_km=event.reach_km,
    )
