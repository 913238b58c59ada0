"""The events index (``GET /events``): every event as one line, upcoming first, then the
archive by year, in pages of a bounded size.

The listing is one sequence: the events not over yet (today's and upcoming), soonest
first, then the past ones, newest first. ``page`` walks that sequence ``PER_PAGE`` events
at a time, so a page costs the same with ten events or ten thousand; page 1 starts with
the soonest upcoming event. Past events are grouped under the year of their first day (a
year heading repeats at the top of the next page when a year runs across pages).

``listing_state`` is the part of the clock that changes the listing: how many of the
catalog's phase-change moments have passed. Two requests with the same state (and the
same data version) get the same page, so it is part of the body cache key.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote, urlencode

from widget.catalog import Catalog
from widget.model import Event, LocationStatus, Status
from widget.timing import Phase, event_phase

PER_PAGE = 50
MAX_PAGE = 10_000


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


def split(catalog: Catalog, now: datetime) -> tuple[list[Event], list[Event]]:
    """The events not over yet (soonest first) and the past ones (newest first).

    The catalog is ordered by first day, so the upcoming keep its order; the past are
    sorted by first day, newest first, which keeps each year's events together.
    """
    upcoming: list[Event] = []
    past: list[Event] = []
    for event in catalog.events:
        (past if event_phase(event, now) is Phase.PAST else upcoming).append(event)
    past.sort(key=lambda event: (event.first_day, event.last_day, event.slug), reverse=True)
    return upcoming, past


def page_count(total: int) -> int:
    """How many pages ``total`` events fill (one, even when there are none)."""
    return max(1, -(-total // PER_PAGE))


def event_url(public_url: str, slug: str, language: str | None) -> str:
    """The event's page, in ``language`` when one was asked for."""
    page = f"{public_url}/events/{quote(slug)}"
    return f"{page}?{urlencode({'lang': language})}" if language else page


def entry_of(event: Event, language: str, now: datetime, page_url: str) -> IndexEntry:
    """The index line of ``event`` in ``language``."""
    text_language, text = event.text(language)
    countries = {location.country for location in event.locations if location.country}
    statuses = [location.status for location in event.locations]
    return IndexEntry(
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
    upcoming, past = split(catalog, now)
    total = len(upcoming) + len(past)
    pages = page_count(total)
    if not 1 <= number <= pages:
        return None
    start, stop = (number - 1) * PER_PAGE, number * PER_PAGE
    link_language = language if explicit_lang else None

    def entry(event: Event) -> IndexEntry:
        return entry_of(event, language, now, event_url(public_url, event.slug, link_language))

    shown_upcoming = tuple(entry(event) for event in upcoming[start:stop])
    archive_start = max(0, start - len(upcoming))
    archive_stop = max(0, stop - len(upcoming))
    groups: list[YearGroup] = []
    current: list[IndexEntry] = []
    for event in past[archive_start:archive_stop]:
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
        upcoming_total=len(upcoming),
    )
