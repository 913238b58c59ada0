"""The catalog: an immutable snapshot of every valid event, ordered by date.

Events are ordered by their first day; an event stays "next" until its last day is over
(a multi-day event is still the current protest on its second day). A catalog is built
once by ``widget.store`` and then only read; a reload builds a new one and swaps it in
whole, so a request never sees half of a change.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from widget.model import Event
from widget.timing import bounds, phase_changes

NEXT = "next"


@dataclass(frozen=True)
class Catalog:
    """Events by slug and in date order, plus a version that changes with the content."""

    events: tuple[Event, ...]
    version: str
    by_slug: Mapping[str, Event] = field(init=False, repr=False)
    changes: tuple[datetime, ...] = field(init=False, repr=False)
    # Per event, in order: when its first day begins somewhere and its last has ended
    # everywhere (``widget.timing``); and the longest such span. ``starts`` is sorted, so
    # which events have begun, and which may still run, are found by bisection.
    starts: tuple[datetime, ...] = field(init=False, repr=False)
    ends: tuple[datetime, ...] = field(init=False, repr=False)
    longest: timedelta = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.events, key=lambda event: (event.first_day, event.slug)))
        object.__setattr__(self, "events", ordered)
        object.__setattr__(self, "by_slug", {event.slug: event for event in ordered})
        # Phase changes of every event and of every location with days of its own.
        spans = {(event.first_day, event.last_day) for event in ordered}
        spans |= {event.days(location) for event in ordered for location in event.locations}
        object.__setattr__(self, "changes", phase_changes(spans))
        moments = [bounds(event.first_day, event.last_day) for event in ordered]
        object.__setattr__(self, "starts", tuple(start for start, _ in moments))
        object.__setattr__(self, "ends", tuple(end for _, end in moments))
        longest = max((end - start for start, end in moments), default=timedelta(0))
        object.__setattr__(self, "longest", longest)

    def __len__(self) -> int:
        return len(self.events)

    def next_event(self, today: date) -> Event | None:
        """The first event not over by ``today`` (its last day on or after it), else the
        one that ended last."""
        for event in self.events:
            if event.last_day >= today:
                return event
        return max(self.events, key=lambda e: (e.last_day, e.first_day)) if self.events else None

    def resolve(self, slug: str, now: datetime) -> Event | None:
        """The event named by ``slug``; ``next`` means the next upcoming event."""
        if slug == NEXT:
            return self.next_event(now.date())
        return self.by_slug.get(slug)

    def steady_until(self, now: datetime) -> datetime:
        """When an answer computed at ``now`` may next change with the clock alone.

        That is the next moment an event's phase changes, or the next midnight of
        ``now``'s zone (``next`` resolves by ``now.date()``), whichever comes first.
        """
        midnight = datetime.combine(now.date() + timedelta(days=1), time.min, now.tzinfo)
        index = bisect_right(self.changes, now)
        return min(midnight, self.changes[index]) if index < len(self.changes) else midnight


EMPTY = Catalog(events=(), version="empty")
