"""iCalendar → feed events: zones, places, links, statuses, recurrence, and the limits."""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time, timedelta
from typing import Any

import icalendar
import pytest
import recurring_ical_events

from widget.feeds import parse
from widget.feeds.errors import FeedFormatError
from widget.feeds.parse import (
    HORIZON,
    MAX_COMPONENTS,
    MAX_OCCURRENCES,
    MAX_RDATES,
    MAX_RDATES_TOTAL,
    MAX_SERIES,
    parse_feed,
)

from feed_scenario import LONG_DESCRIPTION, NOW, luma_calendar
from feed_server import calendar, fold, vevent


def by_uid(body: bytes) -> dict[str, object]:
    return {event.uid: event for event in parse_feed(body, NOW).events}


def test_a_luma_calendar_reads_as_written() -> None:
    """TZID times stay in their zone, UTC times move into the city's zone, LOCATION and
    GEO give venue, city, country and point; folded lines and non-ASCII come back whole."""
    parsed = parse_feed(luma_calendar(), NOW)
    assert parsed.calendar_name == "PauseAI London"
    events = {event.uid: event for event in parsed.events}
    london = events["evt-london@events.lu.ma"]
    assert (london.start_date, london.start_time, london.end_time, london.timezone) == (
        date(2027, 3, 15),
        time(13, 0),
        time(15, 0),
        "Europe/London",
    )
    assert (london.city, london.country, london.coordinates) == ("London", "GB", (51.5005, -0.1263))
    assert london.venue == "Parliament Square, London SW1P 3BD, UK"
    assert london.description == LONG_DESCRIPTION  # folded over several lines in the feed
    assert (london.url, london.url_origin) == ("https://lu.ma/pause-london", "url")
    berlin = events["evt-berlin@events.lu.ma"]
    assert (berlin.start_time, berlin.end_time, berlin.timezone) == (
        time(13, 0),
        time(16, 0),
        "Europe/Berlin",
    )
    zurich = events["evt-zurich@events.lu.ma"]
    assert (zurich.title, zurich.city, zurich.country) == (
        "Protest café — Zürich ☕",
        "Zürich",
        "CH",
    )
    assert (zurich.start_time, zurich.end_date, zurich.timezone) == (None, None, None)
    assert events["evt-amsterdam@events.lu.ma"].categories == ("Protest",)


def test_recurring_series_expand_in_the_window_with_an_id_per_occurrence() -> None:
    """A weekly series becomes one event per week, each with its own id; daylight saving
    moves the local time of a UTC series; one-off events keep their bare UID."""
    events = by_uid(luma_calendar())
    reading = sorted(uid for uid in events if uid.startswith("evt-reading@"))
    assert len(reading) == 10
    assert reading[0] == "evt-reading@events.lu.ma/20270302T1800"
    first, after_dst = events[reading[0]], events[reading[4]]
    assert (first.start_time, after_dst.start_time) == (time(18, 0), time(19, 0))  # type: ignore[attr-defined]
    assert "evt-london@events.lu.ma" in events


def test_cancelled_and_online_events() -> None:
    """STATUS:CANCELLED marks the event; 'Online' or a meeting link as LOCATION is online."""
    body = calendar(
        vevent("a@x", "Protest", "20270310T100000Z", location="Paris", status="CANCELLED"),
        vevent("b@x", "Webinar", "20270311T100000Z", location="Online"),
        vevent("c@x", "Call", "20270312T100000Z", location="https://us02web.zoom.us/j/123"),
        vevent("d@x", "Luma link", "20270313T100000Z", location="https://lu.ma/abc"),
    )
    events = by_uid(body)
    assert [(uid, e.cancelled, e.online) for uid, e in sorted(events.items())] == [  # type: ignore[attr-defined]
        ("a@x", True, False),
        ("b@x", False, True),
        ("c@x", False, True),
        ("d@x", False, False),
    ]
    assert events["d@x"].url == "https://lu.ma/abc"  # type: ignore[attr-defined]
    assert events["d@x"].url_origin == "location"  # type: ignore[attr-defined]
    assert events["d@x"].own_url == "https://lu.ma/abc"  # type: ignore[attr-defined]


def test_past_events_drop_out_after_the_grace_period() -> None:
    """An event that ended 10 days ago stays; one that ended 20 days ago is gone; one
    more than a year ahead is not expanded yet."""
    body = calendar(
        vevent("recent@x", "Recent", "20270219T100000Z", location="Paris"),
        vevent("old@x", "Old", "20270209T100000Z", location="Paris"),
        vevent("far@x", "Far", "20280601T100000Z", location="Paris"),
    )
    assert set(by_uid(body)) == {"recent@x"}


def test_description_links_and_text_controls() -> None:
    """Without URL the first link of the description is the event's link, marked as
    found in the text (it is not the event's own); control and bidi characters are
    blanked out of every text."""
    body = calendar(
        vevent(
            "a@x",
            "Title\u202ewith override",
            "20270310T100000Z",
            location="Paris",
            description="Info\x07: https://www.meetup.com/pauseai/events/1234/, see you",
        )
    )
    [event] = parse_feed(body, NOW).events
    assert event.url == "https://www.meetup.com/pauseai/events/1234/"
    assert (event.url_origin, event.own_url) == ("description", None)
    assert event.title == "Title with override"
    assert "\x07" not in event.description


# Bodies that are refused whole, and a phrase of why.
REFUSED = [
    pytest.param(b"<!DOCTYPE html><html>", "not an iCalendar file", id="html"),
    pytest.param(b"", "not an iCalendar file", id="empty"),
    pytest.param(
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:x\r\n", "invalid iCalendar", id="truncated"
    ),
    pytest.param(
        b"BEGIN:VCALENDAR\r\n" + b"BEGIN:VEVENT\r\nEND:VEVENT\r\n" * (MAX_COMPONENTS + 1),
        "too many events",
        id="too-many",
    ),
]


@pytest.mark.parametrize(("body", "reason"), REFUSED)
def test_refused_bodies(body: bytes, reason: str) -> None:
    """Each raises FeedFormatError saying why."""
    with pytest.raises(FeedFormatError) as raised:
        parse_feed(body, NOW)
    assert reason in str(raised.value)


def test_expensive_rules_are_skipped_and_occurrences_capped() -> None:
    """A FREQ=SECONDLY or BYMINUTE rule is skipped with a note (it would take minutes),
    daily series are capped at MAX_OCCURRENCES, and all of it stays quick."""
    body = calendar(
        vevent("bomb@x", "Bomb", "20270301T000000Z", location="Paris", rrule="FREQ=SECONDLY"),
        vevent(
            "min@x", "Min", "20270301T000000Z", location="Paris", rrule="FREQ=DAILY;BYMINUTE=1,2,3"
        ),
        *(
            vevent(f"daily{n}@x", "Daily", "20270301T120000Z", location="Paris", rrule="FREQ=DAILY")
            for n in range(3)
        ),
    )
    started = clock.monotonic()
    parsed = parse_feed(body, NOW)
    assert clock.monotonic() - started < 10
    assert len(parsed.events) == MAX_OCCURRENCES
    assert {event.uid.split("/")[0] for event in parsed.events} == {
        "daily0@x",
        "daily1@x",
        "daily2@x",
    }
    assert [note.split(":")[0] for note in parsed.notes[:2]] == ["event bomb@x", "event min@x"]


def with_rdates(uid: str, count: int, *, first: datetime = NOW) -> str:
    """A VEVENT with ``count`` hourly RDATE values from ``first``, on one folded line."""
    values = ",".join((first + timedelta(hours=n)).strftime("%Y%m%dT%H%M%SZ") for n in range(count))
    event = vevent(uid, "Protest", first.strftime("%Y%m%dT%H%M%SZ"), location="Paris")
    return event.replace("END:VEVENT", fold(f"RDATE:{values}") + "\r\nEND:VEVENT")


@pytest.mark.timeout(10)
def test_rdates_are_counted_before_parsing() -> None:
    """100,000 RDATE values in one event (1.7 MB, under the size cap) are refused before
    parsing, naming the event; so are more than MAX_RDATES_TOTAL spread over events."""
    with pytest.raises(FeedFormatError) as raised:
        parse_feed(calendar(with_rdates("many@x", 100_000)), NOW)
    assert str(raised.value) == f"event many@x: too many RDATE values (more than {MAX_RDATES})"
    spread = [with_rdates(f"e{n}@x", MAX_RDATES) for n in range(MAX_RDATES_TOTAL // MAX_RDATES)]
    assert len(parse_feed(calendar(*spread[:-1]), NOW).events) == MAX_OCCURRENCES
    with pytest.raises(FeedFormatError) as raised:
        parse_feed(calendar(*spread, with_rdates("one-more@x", 1)), NOW)
    assert f"(more than {MAX_RDATES_TOTAL} in the feed)" in str(raised.value)


def test_an_event_with_rdates_is_a_series() -> None:
    """RDATEs give one event per date, each with its own id, and count towards
    MAX_SERIES; an event holding too many of them is skipped with a note (a backstop
    behind the count before parsing)."""
    body = calendar(*(with_rdates(f"r{n:02}@x", 2) for n in range(MAX_SERIES + 1)))
    parsed = parse_feed(body, NOW)
    assert {event.uid.split("/")[0] for event in parsed.events} == {
        f"r{n:02}@x" for n in range(MAX_SERIES)
    }
    assert "r00@x/20270301T1300" in {event.uid for event in parsed.events}
    assert parsed.notes == (f"event r20@x: more than {MAX_SERIES} recurring series; skipped",)
    notes: list[str] = []
    big = icalendar.Calendar.from_ical(calendar(with_rdates("big@x", MAX_RDATES + 1)))
    assert parse._bounded(big, notes).walk("VEVENT") == []
    assert notes == [f"event big@x: more than {MAX_RDATES} RDATE values; skipped"]


def test_expansion_stops_once_enough_occurrences_are_in_hand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three daily series fill MAX_OCCURRENCES within months: the rest of the year is
    never expanded, and the events kept are still the earliest."""
    asked: list[tuple[Any, Any]] = []
    real = recurring_ical_events.of

    def of(*args: Any, **kwargs: Any) -> Any:
        query = real(*args, **kwargs)
        between = query.between

        def spy(start: Any, stop: Any) -> Any:
            asked.append((start, stop))
            return between(start, stop)

        query.between = spy
        return query

    monkeypatch.setattr(recurring_ical_events, "of", of)
    body = calendar(
        *(
            vevent(f"daily{n}@x", "Daily", "20270301T120000Z", location="Paris", rrule="FREQ=DAILY")
            for n in range(3)
        )
    )
    parsed = parse_feed(body, NOW)
    assert len(parsed.events) == MAX_OCCURRENCES
    assert parsed.events[-1].start_date == date(2027, 3, 1) + timedelta(days=166)
    assert max(stop for _, stop in asked) < NOW + HORIZON - timedelta(days=150)
    assert parsed.notes == (
        f"more than {MAX_OCCURRENCES} events in the window: kept the first ones",
    )
