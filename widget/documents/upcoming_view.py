"""The upcoming-events widget's view: every event still ahead, as one request asked to see it.

``upcoming_events`` picks, from a catalog (files and synced calendars, already merged),
the events not yet over at ``now`` that have a location passing the ``country``/``city``
filters, soonest first (the catalog's order), at most ``limit`` of them.
``build_upcoming`` turns them into plain data for ``upcoming.html``: each event is its
``WidgetView`` (the same filtered, localized cities and counted ``/go/`` links the
single-event widget shows) plus its cities as one flat list bounded to ``MAX_CITIES`` —
an international day of 20 cities shows 12 and "and 8 more" linking to its event page,
which lists them all. With nothing ahead the view is empty and offers the "organize one"
link of the most recent event that has one. ``upcoming_banner`` is the compact layout:
the soonest event that is not cancelled, as a ``BannerView``.

``epoch`` names the clock's window: between two of the catalog's phase changes no event
changes phase, so ``(catalog version, options, epoch)`` names the page exactly and is
cheap to compute (a bisection), whatever the catalog's size.

A catalog of a thousand events is mostly archive: ``Ahead`` (built once per catalog
version) keeps, in the catalog's order, when each event is over, and which events each
country and location id has, so ``upcoming_events`` bisects past the events that ended
before the oldest one still running and, with filters, looks only at the events they name
(``Ahead.candidates``): a filter that matches nothing costs a lookup, not a scan. An item
depends only on its event, the options that change a widget view, the language and the
event's phases, so ``build_item`` keeps the last ``ITEMS`` of them (``widget.memo``), and
the template renders each one once (``UpcomingItem.key`` names its HTML, see
``Renderer.fragment`` and ``fragments``): rendering the list again (with another limit or
theme, for oEmbed or the publish page's preview, or after the body cache let it go) mostly
joins items already built.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from itertools import accumulate
from threading import Lock

from widget.catalog import Catalog
from widget.documents.banner_view import BannerView, build_banner
from widget.documents.widget_view import (
    CityView,
    CountryView,
    Palette,
    WidgetView,
    build_view,
    palette,
)
from widget.memo import Memo
from widget.model import Event, Status
from widget.params import MAX_LIMIT, ViewOptions
from widget.timing import event_phase, location_phases, phase_changes
from widget.urls import Urls

MAX_CITIES = 12  # cities shown per event; the rest are one link away, on its page
ITEMS = 512  # upcoming items kept (``build_item``): ~40 kB each with 40 cities, so < 20 MB


@dataclass(frozen=True)
class UpcomingItem:
    """One event of the list: its widget view and its cities, flat and bounded."""

    view: WidgetView
    cities: tuple[tuple[CityView, CountryView], ...]
    more: int  # cities not shown (its event page lists them)
    page_url: str
    key: Hashable = field(default=None, compare=False)  # names the item (and its HTML)

    @cached_property  # items are kept (``build_item``): asked once each
    def located(self) -> bool:
        """Whether some shown chip has coordinates."""
        return any(city.coordinates for city, _ in self.cities)

    @property
    def dom_id(self) -> str:
        """The id of the event's heading (its list of cities is labelled by it)."""
        return f"pw-event-{self.view.slug}"


@dataclass(frozen=True)
class UpcomingView:
    """Everything ``upcoming.html`` shows."""

    language: str
    theme: str
    accent: Palette | None
    items: tuple[UpcomingItem, ...]
    filtered: bool
    canonical_url: str
    publish_url: str
    organize_link: str | None

    @cached_property  # the page asks twice (its scripts, its mark)
    def located(self) -> bool:
        """Whether some shown chip has coordinates (the browser then orders each event's
        chips by distance from the visitor, see static/nearest.js)."""
        return any(item.located for item in self.items)


def epoch(catalog: Catalog, now: datetime) -> int:
    """The index of the clock's window between the catalog's phase changes."""
    return bisect_right(catalog.changes, now)


@dataclass(frozen=True)
class Ahead:
    """What finding the upcoming events of one catalog needs, in the catalog's order."""

    ends: tuple[datetime, ...]  # when each event is over everywhere
    running_ends: tuple[datetime, ...]  # the latest end among it and the events before it
    # The positions of the events with a location in each country, or of each id.
    by_country: Mapping[str, tuple[int, ...]]
    by_id: Mapping[str, tuple[int, ...]]

    @classmethod
    def of(cls, catalog: Catalog) -> Ahead:
        """The index of ``catalog``."""
        ends = tuple(
            phase_changes([(event.first_day, event.last_day)])[-1] for event in catalog.events
        )
        by_country: dict[str, list[int]] = {}
        by_id: dict[str, list[int]] = {}
        for position, event in enumerate(catalog.events):
            for country in {loc.country for loc in event.locations if loc.country}:
                by_country.setdefault(country, []).append(position)
            for location_id in {loc.id for loc in event.locations}:
                by_id.setdefault(location_id, []).append(position)
        return cls(
            ends=ends,
            running_ends=tuple(accumulate(ends, max)),
            by_country={country: tuple(found) for country, found in by_country.items()},
            by_id={location_id: tuple(found) for location_id, found in by_id.items()},
        )

    def candidates(self, options: ViewOptions, start: int) -> Iterable[int]:
        """The positions from ``start`` on of the events with a location the filters of
        ``options`` show (every position without filters), in order."""
        if not (options.countries or options.cities):
            return range(start, len(self.ends))
        lists = [self.by_country.get(code, ()) for code in options.countries]
        lists += [self.by_id.get(location_id, ()) for location_id in options.cities]
        found = sorted({position for positions in lists for position in positions})
        return found[bisect_left(found, start) :]


_AHEAD: dict[str, Ahead] = {}
_AHEAD_LOCK = Lock()


def ahead_of(catalog: Catalog) -> Ahead:
    """The index of ``catalog``, built once per version (the last two versions are kept)."""
    found = _AHEAD.get(catalog.version)
    if found is None:
        found = Ahead.of(catalog)
        with _AHEAD_LOCK:
            while len(_AHEAD) >= 2:
                _AHEAD.pop(next(iter(_AHEAD)))
            _AHEAD[catalog.version] = found
    return found


def upcoming_events(catalog: Catalog, options: ViewOptions, now: datetime) -> tuple[Event, ...]:
    """The events not over at ``now`` with a location the filters show, soonest first."""
    index = ahead_of(catalog)
    found: list[Event] = []
    # Every event before the first whose running end is after ``now`` is over.
    for position in index.candidates(options, bisect_right(index.running_ends, now)):
        if index.ends[position] <= now:
            continue
        found.append(catalog.events[position])
        if len(found) == options.limit:
            break
    return tuple(found)


_FALLBACKS: Memo[str | None] = Memo(8)


def organize_fallback(catalog: Catalog, public_url: str) -> str | None:
    """The counted "organize one" link of the most recent event that has one (found once
    per catalog version: the search may walk the whole catalog)."""

    def find() -> str | None:
        for event in reversed(catalog.events):
            if event.organize_url is not None:
                return Urls(public_url).organize(event.slug)
        return None

    return _FALLBACKS.get((catalog.version, public_url), find)


_ITEMS: Memo[UpcomingItem] = Memo(ITEMS)


def build_item(
    event: Event,
    options: ViewOptions,
    language: str,
    now: datetime,
    public_url: str,
    version: str | None = None,
    window: int = 0,
) -> UpcomingItem:
    """One event of the list, its cities flattened in the widget's order, with the filters
    and language of ``options`` (see ``_shown``); kept per ``version`` of the catalog
    holding ``event`` and ``window``, the clock's window between its phase changes
    (``epoch``); without a version: built afresh."""

    shown = _shown(options, language)

    def make(key: Hashable) -> UpcomingItem:
        phase, phases = event_phase(event, now), location_phases(event, now)
        view = build_view(event, shown, language, phase, public_url, phases)
        flat = tuple((city, country) for country in view.countries for city in country.cities)
        query = ViewOptions(lang=language).query()
        return UpcomingItem(
            view=view,
            cities=flat[:MAX_CITIES],
            more=max(0, len(flat) - MAX_CITIES),
            page_url=Urls(public_url).event(event.slug, query),
            key=key,
        )

    if version is None:
        return make(None)
    key = ("upcoming", version, window, event.slug, shown, public_url)
    return _ITEMS.get(key, lambda: make(key))


@lru_cache(maxsize=256)
def _shown(options: ViewOptions, language: str) -> ViewOptions:
    """What an item shows of ``options``: the filters and the language. The limit and the
    layout pick the events; the theme and the accent are the page's (``UpcomingView``), so
    an item's view is built with the defaults and shared by every theme and accent."""
    return ViewOptions(lang=language, countries=options.countries, cities=options.cities)


def build_upcoming(
    catalog: Catalog, options: ViewOptions, language: str, now: datetime, public_url: str
) -> UpcomingView:
    """The upcoming-events widget for ``options`` in ``language`` at ``now``."""
    window = epoch(catalog, now)
    items = tuple(
        build_item(event, options, language, now, public_url, catalog.version, window)
        for event in upcoming_events(catalog, options, now)
    )
    organize = next((item.view.organize_link for item in items if item.view.organize_link), None)
    if not items:
        organize = organize_fallback(catalog, public_url)
    urls = Urls(public_url)
    return UpcomingView(
        language=language,
        theme=options.theme,
        accent=palette(options.accent) if options.accent else None,
        items=items,
        filtered=bool(options.countries or options.cities),
        canonical_url=urls.events(ViewOptions(lang=language).query()),
        publish_url=urls.publish(),
        organize_link=organize,
    )


def upcoming_banner(
    catalog: Catalog, options: ViewOptions, language: str, now: datetime, public_url: str
) -> BannerView:
    """The compact banner of the soonest upcoming event that is not cancelled (with the
    filters), or of nothing planned."""
    filters = ViewOptions(countries=options.countries, cities=options.cities, limit=MAX_LIMIT)
    ahead = upcoming_events(catalog, filters, now)
    event = next((found for found in ahead if found.status is not Status.CANCELLED), None)
    view = (
        build_view(
            event,
            options,
            language,
            event_phase(event, now),
            public_url,
            location_phases(event, now),
        )
        if event is not None
        else None
    )
    return build_banner(
        event,
        view,
        language=language,
        theme=options.theme,
        accent=options.accent,
        organize_link=organize_fallback(catalog, public_url),
        public_url=public_url,
    )
