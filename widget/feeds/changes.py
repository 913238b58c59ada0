"""What a sync would change in the served catalog: added, updated, cancelled, dropped.

A pure comparison of two catalogs (before and after), for ``pauseai-widget sync``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from widget.catalog import Catalog
from widget.model import Event, LocationStatus, Status

_LOCATION_FIELDS = (
    "venue",
    "date",
    "end_date",
    "start_time",
    "end_time",
    "timezone",
    "coordinates",
    "status",
    "links",
)


class Kind(StrEnum):
    """How an event changed."""

    ADDED = "added"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Change:
    """One event's change, with what changed in it."""

    kind: Kind
    slug: str
    title: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        details = f" ({'; '.join(self.details)})" if self.details else ""
        return f"{self.kind.value:<9} {self.slug}  {self.title}{details}"


def changes(before: Catalog, after: Catalog) -> list[Change]:
    """Every event that differs between ``before`` and ``after``, in ``after``'s order
    (dropped ones last)."""
    found: list[Change] = []
    for event in after.events:
        old = before.by_slug.get(event.slug)
        if old is None:
            found.append(Change(Kind.ADDED, event.slug, _title(event), (_where(event),)))
        elif old != event:
            found.append(_compare(old, event))
    for event in before.events:
        if event.slug not in after.by_slug:
            found.append(Change(Kind.DROPPED, event.slug, _title(event)))
    return found


def _compare(old: Event, new: Event) -> Change:
    details: list[str] = []
    cancelled = new.status is Status.CANCELLED and old.status is not Status.CANCELLED
    for location in new.locations:
        previous = old.location(location.id)
        if previous is None:
            details.append(f"{location.id}: new")
            continue
        fields = [f for f in _LOCATION_FIELDS if getattr(previous, f) != getattr(location, f)]
        if (
            location.status is LocationStatus.CANCELLED
            and previous.status is not LocationStatus.CANCELLED
        ):
            cancelled = True
        if fields:
            details.append(f"{location.id}: {', '.join(fields)}")
    if old.date != new.date:
        details.insert(0, f"date {old.date} → {new.date}")
    if old.texts != new.texts:
        details.append("texts")
    kind = Kind.CANCELLED if cancelled else Kind.UPDATED
    return Change(kind, new.slug, _title(new), tuple(details))


def _title(event: Event) -> str:
    return event.text(event.default_language)[1].title


def _where(event: Event) -> str:
    places = [location.city or location.country or "online" for location in event.locations]
    return f"{event.date}, {', '.join(str(place) for place in places)}"
