"""Phases (upcoming, today, past) over an event's days, and the catalog's "next" event."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from widget.catalog import Catalog
from widget.model import Event
from widget.timing import Phase, event_phase, location_phase, phase, phase_changes


def _event(slug: str = "demo", **facts: Any) -> Event:
    locations = facts.pop("locations", [{"city": "Rome", "country": "IT"}])
    return Event.model_validate(
        {
            "slug": slug,
            "date": "2025-02-07",
            "locations": locations,
            "texts": {"en": {"title": "Demo"}},
            **facts,
        }
    )


def at(text: str) -> datetime:
    """A UTC moment written as ISO text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("facts", "now", "expected"),
    [
        # One day: today from when it starts at UTC+14 until it ends at UTC-12.
        ({}, "2025-02-06T09:59", Phase.UPCOMING),
        ({}, "2025-02-06T10:00", Phase.TODAY),
        ({}, "2025-02-08T11:59", Phase.TODAY),
        ({}, "2025-02-08T12:00", Phase.PAST),
        # Several days: today throughout, past only after the last one.
        ({"end_date": "2025-02-11"}, "2025-02-09T12:00", Phase.TODAY),
        ({"end_date": "2025-02-11"}, "2025-02-12T11:59", Phase.TODAY),
        ({"end_date": "2025-02-11"}, "2025-02-12T12:00", Phase.PAST),
        # A city meeting a week later keeps the event going.
        (
            {"locations": [{"country": "IT"}, {"country": "FR", "date": "2025-02-14"}]},
            "2025-02-10T12:00",
            Phase.TODAY,
        ),
        (
            {"locations": [{"country": "IT"}, {"country": "FR", "date": "2025-02-14"}]},
            "2025-02-15T12:00",
            Phase.PAST,
        ),
        # A city meeting earlier starts it earlier.
        (
            {"locations": [{"country": "IT"}, {"country": "FR", "date": "2025-02-01"}]},
            "2025-02-01T12:00",
            Phase.TODAY,
        ),
    ],
)
def test_event_phase_spans_every_location(facts: dict[str, Any], now: str, expected: Phase) -> None:
    """An event is upcoming before its first day, today through its last, then past."""
    assert event_phase(_event(**facts), at(now)) is expected


def test_location_phase_follows_its_own_days() -> None:
    """Each location has its own phase: a city that met earlier is past while others wait."""
    event = _event(locations=[{"country": "IT"}, {"country": "FR", "date": "2025-02-01"}])
    now = at("2025-02-05T12:00")
    assert [location_phase(event, location, now) for location in event.locations] == [
        Phase.UPCOMING,
        Phase.PAST,
    ]


def test_phase_changes_cover_first_and_last_days() -> None:
    """The clock moments that change a phase are the first day's start and the last's end."""
    assert phase_changes([(date(2025, 2, 7), date(2025, 2, 11))]) == (
        at("2025-02-06T10:00"),
        at("2025-02-12T12:00"),
    )
    assert phase(date(2025, 2, 7), at("2025-02-10T00:00"), date(2025, 2, 11)) is Phase.TODAY
    assert phase(date(2025, 2, 7), at("2025-02-10T00:00")) is Phase.PAST


def test_next_event_stays_until_its_last_day() -> None:
    """A multi-day event is still "next" on its later days; then the following one is."""
    long = _event("long", end_date="2025-02-11")
    later = _event("later", date="2025-03-01")
    catalog = Catalog(events=(later, long), version="v")
    assert [event.slug for event in catalog.events] == ["long", "later"]
    assert catalog.next_event(date(2025, 2, 10)) is long
    assert catalog.next_event(date(2025, 2, 12)) is later
    assert catalog.next_event(date(2025, 4, 1)) is later  # all over: the one that ended last
    assert at("2025-02-12T12:00") in catalog.changes
