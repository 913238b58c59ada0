"""Time and events: when an event is over, and how long its pages may be cached.

An event counts as over once its last day has ended everywhere on earth (UTC-12), so a
protest in Portland is not declared past while it is still 13 May there, and it is
upcoming until its first day has begun somewhere (UTC+14). Its days run from the earliest
to the latest day of any of its locations (``Event.first_day``/``last_day``): a
multi-day event, or one whose cities meet on different dates, is "today" throughout.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import cache

from widget.model import Event, Location

ANYWHERE_ON_EARTH = timezone(timedelta(hours=-12))
EARLIEST_ZONE = timezone(timedelta(hours=14))


class Phase(StrEnum):
    """Where an event stands relative to now."""

    UPCOMING = "upcoming"
    TODAY = "today"
    PAST = "past"


@cache
def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """When the first day starts somewhere (UTC+14) and the last has ended everywhere (UTC-12)."""
    starts = datetime.combine(first, time.min, tzinfo=EARLIEST_ZONE)
    ends = datetime.combine(last + timedelta(days=1), time.min, tzinfo=ANYWHERE_ON_EARTH)
    return starts, ends


def phase(first: date, now: datetime, last: date | None = None) -> Phase:
    """Upcoming before the first day starts anywhere, past once the last (default: the
    first) has ended everywhere, today in between."""
    starts, ends = bounds(first, max(first, last or first))
    if now < starts:
        return Phase.UPCOMING
    if now < ends:
        return Phase.TODAY
    return Phase.PAST


def phase_changes(spans: Iterable[tuple[date, date]]) -> tuple[datetime, ...]:
    """Every moment at which one of the (first day, last day) ``spans`` changes phase, in order."""
    return tuple(sorted({moment for first, last in spans for moment in bounds(first, last)}))


def event_phase(event: Event, now: datetime) -> Phase:
    """The phase of an event at ``now``, over the days of all its locations."""
    return phase(event.first_day, now, event.last_day)


def location_phase(event: Event, location: Location, now: datetime) -> Phase:
    """The phase of one location of ``event`` at ``now``, over its own days."""
    first, last = event.days(location)
    return phase(first, now, last)


def location_phases(event: Event, now: datetime) -> tuple[Phase, ...]:
    """Each location's phase at ``now`` (in ``event.locations`` order) when any location has
    days of its own; empty otherwise, since every location then shares the event's phase."""
    if all(location.date is None and location.end_date is None for location in event.locations):
        return ()
    return tuple(location_phase(event, location, now) for location in event.locations)


# Seconds browsers/CDNs may keep a page, and oEmbed consumers their embed, by phase.
PAGE_MAX_AGE = {Phase.UPCOMING: 300, Phase.TODAY: 60, Phase.PAST: 86400}
OEMBED_CACHE_AGE = {Phase.UPCOMING: 3600, Phase.TODAY: 600, Phase.PAST: 30 * 86400}
STALE_WHILE_REVALIDATE = {Phase.UPCOMING: 3600, Phase.TODAY: 300, Phase.PAST: 7 * 86400}
