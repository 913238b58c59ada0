"""The events index (``GET /events``): every event as one line, upcoming first, then the
archive by year, in pages of a bounded size.

The listing is one sequence: the events not over yet (today's and upcoming), soonest
first, then the past ones, newest first. ``page`` walks that sequence ``PER_PAGE`` events
at a time, so a page costs the same with ten events or ten thousand (``Listing`` finds a
page's events by bisection, not by looking at each event); page 1 starts with the soonest
upcoming event. Past events, newest first (by first day), are grouped under the year of
their first day (a year heading repeats at the top of the next page when a year runs
across pages).

``listing_state`` is the part of the clock that changes the listing: how many of the
catalog's phase-change moments have passed. Two requests with the same state (and the
same data version) get the same page, so it is part of the body cache key.

An index line depends only on its event, the language, the link's language and the
event's phase (named by the listing state), so ``index_page`` keeps the last ``ENTRIES``
of them (``widget.memo``) and ``IndexEntry.key`` names each line's HTML
(``Renderer.fragment``): rendering a page again (in another theme, or after the body
cache let it go) mostly joins lines already built.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from widget.catalog import Catalog
from widget.i18n import translations
from widget.memo import Memo
from widget.model import Event, LocationStatus, Status
from widget.timing import Phase, event_phase
from widget.urls import Urls

PER_PAGE = 50
MAX_PAGE = 10_000
ENTRIES = 2048  # index lines kept (``index_page``): ~0.6 kB each


@dataclass(frozen=True)
class IndexEntry:
    """One event as the index shows it."""

    slug: str
    title: str
    text_language: str
    first_day: date
    last_day: date | None  # None for a one-day event
    phase: Phase
    status: Status
    cities: int
    countries: int
    cancelled: int  # locations called off (while the event itself goes ahead)
    tba: int  # locations whose city or details are still to be announced
    page_url: str
    counts: str = ""  # the counts as the page shows them: "4 cities · 3 countries · …"
    key: Hashable = field(default=None, compare=False)  # names the line (and its HTML)

    @property
    def year(self) -> int:
        """The year the archive files it under: that of its first day."""
        return self.first_day.year


@dataclass(frozen=True)
class YearGroup:
    """Past events of one year, newest first."""

    year: int
    entries: tuple[IndexEntry, ...]


@dataclass(frozen=True)
class IndexPage:
    """What one page of the index shows."""

    number: int
    pages: int
    upcoming: tuple[IndexEntry, ...]
    archive: tuple[YearGroup, ...]
    total: int  # events in the catalog
    upcoming_total: int  # events not over yet, on every page

    @property
    def entries(self) -> tuple[IndexEntry, ...]:
        """Every entry of this page, in the order shown."""
        return self.upcoming + tuple(entry for group in self.archive for entry in group.entries)

    @property
    def today(self) -> bool:
        """True when an event on this page takes place today somewhere."""
        return any(entry.phase is Phase.TODAY for entry in self.upcoming)


def listing_state(catalog: Catalog, now: datetime) -> int:
    """How many of the catalog's phase changes are behind ``now`` (the listing's clock)."""
    return bisect_right(catalog.changes, now)


@dataclass(frozen=True)
class Listing:
    """The catalog's events at one moment, as positions in ``catalog.events``: those not
    over yet (soonest first) and the past ones (newest first).

    Found without looking at every event: the catalog is ordered by first day, so the
    events that have not begun anywhere are a suffix (by bisection), and an event that has
    begun can only still run if it began less than the catalog's longest span ago; only
    that window is looked at one by one.
    """

    catalog: Catalog
    running: tuple[int, ...]  # begun, not over (today somewhere), soonest first
    begun: int  # events[:begun] have begun somewhere
    recent_past: tuple[int, ...]  # over, within the window, newest first
    window_start: int  # events[:window_start] are all over

    @property
    def upcoming_count(self) -> int:
        """How many events are not over yet."""
        return len(self.running) + len(self.catalog.events) - self.begun

    def upcoming(self, start: int, stop: int) -> list[Event]:
        """The not-over events from ``start`` to ``stop`` (soonest first)."""
        events = self.catalog.events
        head = [events[i] for i in self.running[start:stop]]
        rest = events[self.begun + max(0, start - len(self.running)) :]
        return head + list(rest[: max(0, stop - max(start, len(self.running)))])

    def past(self, start: int, stop: int) -> list[Event]:
        """The past events from ``start`` to ``stop`` (newest first)."""
        events = self.catalog.events
        head = [events[i] for i in self.recent_past[start:stop]]
        # events[:window_start], newest first, from the remaining offset on.
        offset = max(0, start - len(self.recent_past))
        wanted = max(0, stop - max(start, len(self.recent_past)))
        top = self.window_start - offset
        return head + [events[i] for i in range(top - 1, max(-1, top - 1 - wanted), -1)]


_LISTINGS: Memo[Listing] = Memo(8)


def listing(catalog: Catalog, now: datetime) -> Listing:
    """Where each event of ``catalog`` stands at ``now`` (see ``Listing``): the same between
    two of the catalog's phase changes, so kept per (version, ``listing_state``)."""
    return _LISTINGS.get(
        (catalog.version, listing_state(catalog, now)), lambda: _listing(catalog, now)
    )


def _listing(catalog: Catalog, now: datetime) -> Listing:
    begun = bisect_right(catalog.starts, now)
    window_start = bisect_left(catalog.starts, now - catalog.longest)
    window = range(window_start, begun)
    return Listing(
        catalog,
        running=tuple(i for i in window if catalog.ends[i] > now),
        begun=begun,
        recent_past=tuple(i for i in reversed(window) if catalog.ends[i] <= now),
        window_start=window_start,
    )


def split(catalog: Catalog, now: datetime) -> tuple[list[Event], list[Event]]:
    """Every event not over yet (soonest first) and every past one (newest first)."""
    found = listing(catalog, now)
    total = len(catalog.events)
    return found.upcoming(0, total), found.past(0, total)


def page_count(total: int) -> int:
    """How many pages ``total`` events fill (one, even when there are none)."""
    return max(1, -(-total // PER_PAGE))


def event_url(public_url: str, slug: str, language: str | None) -> str:
    """The event's page, in ``language`` when one was asked for."""
    return Urls(public_url).event(slug, {"lang": language} if language else "")


def counts_text(entry: IndexEntry, language: str) -> str:
    """'4 cities · 3 countries · 1 cancelled · 1 to be announced' in ``language`` (the
    countries only when more than one, the others only when any)."""
    ngettext = translations(language).ngettext
    parts = [ngettext("%(count)s city", "%(count)s cities", entry.cities) % {"count": entry.cities}]
    if entry.countries > 1:
        count = entry.countries
        parts.append(ngettext("%(count)s country", "%(count)s countries", count) % {"count": count})
    if entry.cancelled:
        count = entry.cancelled
        parts.append(
            ngettext("%(count)s cancelled", "%(count)s cancelled", count) % {"count": count}
        )
    if entry.tba:
        count = entry.tba
        parts.append(
            ngettext("%(count)s to be announced", "%(count)s to be announced", count)
            % {"count": count}
        )
    return " · ".join(parts)


def entry_of(event: Event, language: str, now: datetime, page_url: str) -> IndexEntry:
    """The index line of ``event`` in ``language``."""
    text_language, text = event.text(language)
    countries = {location.country for location in event.locations if location.country}
    statuses = [location.status for location in event.locations]
    entry = IndexEntry(
        slug=event.slug,
        title=text.title,
        text_language=text_language,
        first_day=event.first_day,
        last_day=event.last_day if event.last_day > event.first_day else None,
        phase=event_phase(event, now),
        status=event.status,
        cities=len(event.locations),
        countries=len(countries),
        cancelled=statuses.count(LocationStatus.CANCELLED),
        tba=sum(
            1
            for location in event.locations
            if location.status is not LocationStatus.CANCELLED
            and (
                location.status is LocationStatus.TBA
                or (location.city is None and not location.online)
            )
        ),
        page_url=page_url,
    )
    return replace(entry, counts=counts_text(entry, language))


_ENTRIES: Memo[IndexEntry] = Memo(ENTRIES)


def index_page(
    catalog: Catalog,
    now: datetime,
    *,
    number: int,
    language: str,
    explicit_lang: bool,
    public_url: str,
) -> IndexPage | None:
    """Page ``number`` of the index, None when the catalog has no such page."""
    found = listing(catalog, now)
    total = len(catalog.events)
    upcoming_count = found.upcoming_count
    pages = page_count(total)
    if not 1 <= number <= pages:
        return None
    start, stop = (number - 1) * PER_PAGE, number * PER_PAGE
    link_language = language if explicit_lang else None

    # Between two phase changes no event changes phase: the state names each line's phase.
    state = listing_state(catalog, now)

    def entry(event: Event) -> IndexEntry:
        key = ("index", catalog.version, state, event.slug, language, link_language, public_url)
        return _ENTRIES.get(
            key,
            lambda: replace(
                entry_of(event, language, now, event_url(public_url, event.slug, link_language)),
                key=key,
            ),
        )

    shown_upcoming = tuple(entry(event) for event in found.upcoming(start, stop))
    archive_start = max(0, start - upcoming_count)
    archive_stop = max(0, stop - upcoming_count)
    groups: list[YearGroup] = []
    current: list[IndexEntry] = []
    for event in found.past(archive_start, archive_stop):
        item = entry(event)
        if current and current[-1].year != item.year:
            groups.append(YearGroup(current[-1].year, tuple(current)))
            current = []
        current.append(item)
    if current:
        groups.append(YearGroup(current[-1].year, tuple(current)))
    return IndexPage(
        number=number,
        pages=pages,
        upcoming=shown_upcoming,
        archive=tuple(groups),
        total=total,
        upcoming_total=upcoming_count,
    )
