"""Time and events: when an event is over, and how long its pages may be cached.

An event counts as over once its date has ended everywhere on earth (UTC-12), so a
protest in Portland is not declared past while it is still 13 May there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import cache

from widget.model import Event

ANYWHERE_ON_EARTH = timezone(timedelta(hours=-12))
EARLIEST_ZONE = timezone(timedelta(hours=14))


class Phase(StrEnum):
    """Where an event stands relative to now."""

    UPCOMING = "upcoming"
    TODAY = "today"
    PAST = "past"


@cache
def _bounds(event_date: date) -> tuple[datetime, datetime]:
    """When the date starts somewhere (UTC+14) and when it has ended everywhere (UTC-12)."""
    starts = datetime.combine(event_date, time.min, tzinfo=EARLIEST_ZONE)
    ends = datetime.combine(event_date + timedelta(days=1), time.min, tzinfo=ANYWHERE_ON_EARTH)
    return starts, ends


def phase(event_date: date, now: datetime) -> Phase:
    """Upcoming before the date starts anywhere, past once it has ended everywhere."""
    starts, ends = _bounds(event_date)
    if now < starts:
        return Phase.UPCOMING
    if now < ends:
        return Phase.TODAY
    return Phase.PAST


def phase_changes(dates: Iterable[date]) -> tuple[datetime, ...]:
    """Every moment at which one of ``dates`` changes phase, in order."""
    return tuple(sorted({moment for day in dates for moment in _bounds(day)}))


def event_phase(event: Event, now: datetime) -> Phase:
    """The phase of an event at ``now``."""
    return phase(event.date, now)


# Seconds browsers/CDNs may keep a page, and oEmbed consumers their embed, by phase.
PAGE_MAX_AGE = {Phase.UPCOMING: 300, Phase.TODAY: 60, Phase.PAST: 86400}
OEMBED_CACHE_AGE = {Phase.UPCOMING: 3600, Phase.TODAY: 600, Phase.PAST: 30 * 86400}
STALE_WHILE_REVALIDATE = {Phase.UPCOMING: 3600, Phase.TODAY: 300, Phase.PAST: 7 * 86400}
