"""Time and events: when an event is over, and how long its pages may be cached.

An event counts as over once its date has ended everywhere on earth (UTC-12), so a
protest in Portland is not declared past while it is still 13 May there.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum

from widget.model import Event

ANYWHERE_ON_EARTH = timezone(timedelta(hours=-12))


class Phase(StrEnum):
    """Where an event stands relative to now."""

    UPCOMING = "upcoming"
    TODAY = "today"
    PAST = "past"


def phase(event_date: date, now: datetime) -> Phase:
    """Upcoming before the date starts anywhere, past once it has ended everywhere."""
    starts = datetime.combine(event_date, time.min, tzinfo=timezone(timedelta(hours=14)))
    ends = datetime.combine(event_date + timedelta(days=1), time.min, tzinfo=ANYWHERE_ON_EARTH)
    if now < starts:
        return Phase.UPCOMING
    if now < ends:
        return Phase.TODAY
    return Phase.PAST


def event_phase(event: Event, now: datetime) -> Phase:
    """The phase of an event at ``now``."""
    return phase(event.date, now)


# Seconds browsers/CDNs may keep a page, and oEmbed consumers their embed, by phase.
PAGE_MAX_AGE = {Phase.UPCOMING: 300, Phase.TODAY: 60, Phase.PAST: 86400}
OEMBED_CACHE_AGE = {Phase.UPCOMING: 3600, Phase.TODAY: 600, Phase.PAST: 30 * 86400}
STALE_WHILE_REVALIDATE = {Phase.UPCOMING: 3600, Phase.TODAY: 300, Phase.PAST: 7 * 86400}
