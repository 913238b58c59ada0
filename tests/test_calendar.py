"""The iCalendar feed: one VEVENT per location, stable bytes, filters, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import yaml
from starlette.testclient import TestClient

from widget.app import create_app
from widget.documents.event_calendar import event_calendar
from widget.model import Event, Status
from widget.settings import SAMPLE_DATA_DIR, Settings
from widget.store import load_or_raise

from conftest import BEFORE, PUBLIC_URL, SAMPLE_SLUG

ICS = f"/events/{SAMPLE_SLUG}.ics"
PAGE = "https://example.org/events/shapes"


@pytest.fixture(scope="module")
def event() -> Event:
    """The bundled sample event."""
    return load_or_raise(SAMPLE_DATA_DIR).by_slug[SAMPLE_SLUG]


def events_of(body: bytes) -> list[icalendar.Event]:
    """The VEVENTs of an iCalendar document, parsed back with icalendar."""
    calendar = icalendar.Calendar.from_ical(body)
    return list(calendar.walk("VEVENT"))


def test_feed_has_one_event_per_location(client: TestClient, event: Event) -> None:
    """Fourteen VEVENTs with stable UIDs, all-day dates, summary, location, URL and status."""
    response = client.get(ICS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    vevents = events_of(response.content)
    assert len(vevents) == len(event.locations)
    assert [str(item["UID"]) for item in vevents] == [
        f"{SAMPLE_SLUG}-{location.id}@widget.example.org" for location in event.locations
    ]
    for item, location in zip(vevents, event.locations, strict=True):
        assert item["DTSTART"].params["VALUE"] == "DATE"
        assert item.decoded("DTSTART") == date(2024, 5, 13)
        assert item.decoded("DTEND") == date(2024, 5, 14)
        assert item.decoded("DTSTAMP") == datetime(2024, 5, 13, tzinfo=UTC)
        assert str(item["URL"]) == location.signup_url
        assert str(item["STATUS"]) == "CONFIRMED"
        assert str(item["SUMMARY"]).startswith("Internationaal PauseAI-protest op 13 mei 2024")
        assert f"{PUBLIC_URL}/events/{SAMPLE_SLUG}" in str(item["DESCRIPTION"])
    hague = vevents[6]
    assert str(hague["LOCATION"]) == "Den Haag, Nederland"


def test_lang_localizes_summary_and_location(client: TestClient) -> None:
    """lang=en: English title, city override and country name."""
    vevents = events_of(client.get(f"{ICS}?lang=en").content)
    hague = vevents[6]
    assert str(hague["SUMMARY"]) == "PauseAI international protest, 13 May 2024 — The Hague"
    assert str(hague["LOCATION"]) == "The Hague, Netherlands"


@pytest.mark.parametrize(
    ("query", "cities"),
    [
        ("city=london", ["London"]),
        ("city=paris,london", ["London", "Paris"]),
        ("country=us", ["New York City", "Portland", "San Francisco"]),
        ("country=NL&city=london", ["London", "The Hague"]),  # either filter matching is enough
    ],
)
def test_filters_select_locations(client: TestClient, query: str, cities: list[str]) -> None:
    """city= and country= keep only the matching locations."""
    vevents = events_of(client.get(f"{ICS}?{query}&lang=en").content)
    assert sorted(str(item["LOCATION"]).split(",")[0] for item in vevents) == cities


@pytest.mark.parametrize(
    ("query", "status", "parameter"),
    [
        ("city=atlantis", 404, "city"),  # well-formed, but no such location
        ("country=JP", 404, "country"),
        ("city=Not_An_Id", 400, "city"),
        ("country=Netherlands", 400, "country"),
        ("city=london&city=paris", 400, "city"),  # repeated: a list is comma-separated
        ("lang=xx", 400, "lang"),
    ],
)
def test_bad_filters_are_json_errors(
    client: TestClient, query: str, status: int, parameter: str
) -> None:
    """A malformed filter is a 400, a filter matching nothing a 404; both name the parameter."""
    response = client.get(f"{ICS}?{query}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["parameter"] == parameter


def test_bytes_and_etag_are_stable_across_processes(data_dir: Path) -> None:
    """The same data gives the same document and ETag (no timestamp of the request)."""
    bodies = []
    for now in (BEFORE, BEFORE + timedelta(days=3, minutes=7)):
        settings = Settings(public_url=PUBLIC_URL, data_dir=data_dir, now=now, reload_seconds=0)
        with TestClient(create_app(settings), base_url=PUBLIC_URL) as client:
            response = client.get(ICS)
            bodies.append((response.content, response.headers["etag"]))
    assert bodies[0] == bodies[1]


def test_a_time_and_zone_give_zoned_times(data_dir: Path) -> None:
    """A location with a start time and zone gets DTSTART;TZID and a VTIMEZONE."""
    path = data_dir / SAMPLE_SLUG / "event.yaml"
    data = yaml.safe_load(path.read_text())
    data["locations"][6].update(start_time="14:00", timezone="Europe/Amsterdam")
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    settings = Settings(public_url=PUBLIC_URL, data_dir=data_dir, now=BEFORE, reload_seconds=0)
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as client:
        body = client.get(f"{ICS}?city=den-haag").content
    calendar = icalendar.Calendar.from_ical(body)
    [vevent] = calendar.walk("VEVENT")
    assert vevent["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    start = vevent.decoded("DTSTART")
    assert start.isoformat() == "2024-05-13T14:00:00+02:00"
    assert vevent.decoded("DTEND") - start == timedelta(hours=2)  # no end time: two hours
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.SCHEDULED, "CONFIRMED"),
        (Status.MOVED_ONLINE, "CONFIRMED"),
        (Status.POSTPONED, "TENTATIVE"),
        (Status.CANCELLED, "CANCELLED"),
    ],
)
def test_status_follows_the_event(event: Event, status: Status, expected: str) -> None:
    """STATUS is CANCELLED for a cancelled protest, TENTATIVE while postponed."""
    body = event_calendar(
        event.model_copy(update={"status": status}),
        event.locations[:1],
        language="en",
        host="example.org",
        page_url="https://example.org/events/x",
        description="",
    )
    [vevent] = events_of(body)
    assert str(vevent["STATUS"]) == expected


def test_text_with_separators_round_trips(event: Event) -> None:
    """Commas, semicolons and line breaks (CRLF, a lone CR) come back as written."""
    text = "Bring: signs, water; friends\nand\r\na\rsmile"
    body = event_calendar(
        event,
        event.locations[:1],
        language="en",
        host="example.org",
        page_url="https://example.org/p",
        description=text,
    )
    assert b"\r" not in body.replace(b"\r\n", b"")  # no stray CR ends a content line
    [vevent] = events_of(body)
    assert (
        str(vevent["DESCRIPTION"])
        == "Bring: signs, water; friends\nand\na\nsmile\n\nhttps://example.org/p"
    )


def _shaped(**facts: Any) -> Event:
    """An event of the new shapes, validated like data files."""
    return Event.model_validate(
        {"slug": "shapes", "date": "2025-02-07", "texts": {"en": {"title": "Shapes"}}, **facts}
    )


LINK = {"url": "https://lu.ma/x"}


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # (event facts with one location, (DTSTART, DTEND, STATUS, LOCATION, URL))
        pytest.param(
            {
                "end_date": "2025-02-11",
                "locations": [{"city": "Oxford", "country": "GB", "links": [LINK]}],
            },
            (
                date(2025, 2, 7),
                date(2025, 2, 12),
                "CONFIRMED",
                "Oxford, United Kingdom",
                LINK["url"],
            ),
            id="multi-day-all-day",
        ),
        pytest.param(
            {
                "locations": [
                    {"city": "Paris", "country": "FR", "date": "2025-02-09", "links": [LINK]}
                ]
            },
            (date(2025, 2, 9), date(2025, 2, 10), "CONFIRMED", "Paris, France", LINK["url"]),
            id="own-date",
        ),
        pytest.param(
            {
                "end_date": "2025-02-08",
                "start_time": "14:00",
                "end_time": "16:00",
                "locations": [
                    {"city": "Bern", "country": "CH", "timezone": "Europe/Zurich", "links": [LINK]}
                ],
            },
            (
                datetime(2025, 2, 7, 14, 0, tzinfo=ZoneInfo("Europe/Zurich")),
                datetime(2025, 2, 8, 16, 0, tzinfo=ZoneInfo("Europe/Zurich")),
                "CONFIRMED",
                "Bern, Switzerland",
                LINK["url"],
            ),
            id="multi-day-timed",
        ),
        pytest.param(
            {"locations": [{"city": "Zürich", "country": "CH"}]},
            (date(2025, 2, 7), date(2025, 2, 8), "TENTATIVE", "Zürich, Switzerland", PAGE),
            id="tba-no-link",
        ),
        pytest.param(
            {"locations": [{"country": "GB"}]},
            (date(2025, 2, 7), date(2025, 2, 8), "TENTATIVE", "United Kingdom", PAGE),
            id="country-only",
        ),
        pytest.param(
            {"locations": [{"city": "Milan", "country": "IT", "status": "cancelled"}]},
            (date(2025, 2, 7), date(2025, 2, 8), "CANCELLED", "Milan, Italy", PAGE),
            id="cancelled-location",
        ),
        pytest.param(
            {"locations": [{"online": True, "links": [{"url": "mailto:a@pauseai.info"}, LINK]}]},
            (date(2025, 2, 7), date(2025, 2, 8), "CONFIRMED", "Online", LINK["url"]),
            id="online-first-web-link",
        ),
        pytest.param(
            {"status": "postponed", "locations": [{"country": "GB", "status": "cancelled"}]},
            (date(2025, 2, 7), date(2025, 2, 8), "TENTATIVE", "United Kingdom", PAGE),
            id="event-status-wins",
        ),
    ],
)
def test_new_shapes_in_the_calendar(facts: dict[str, Any], expected: tuple[Any, ...]) -> None:
    """Per-location and multi-day dates, the location's STATUS, a name for places without a
    city, and the first web link (else the page) as URL."""
    event = _shaped(**facts)
    body = event_calendar(
        event, event.locations, language="en", host="example.org", page_url=PAGE, description=""
    )
    [vevent] = events_of(body)
    assert (
        vevent.decoded("DTSTART"),
        vevent.decoded("DTEND"),
        str(vevent["STATUS"]),
        str(vevent["LOCATION"]),
        str(vevent["URL"]),
    ) == expected
