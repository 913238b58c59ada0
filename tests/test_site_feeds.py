"""The site feeds, read back by real parsers: ``/events.ics`` (icalendar), ``/events.atom``
(feedparser, and ElementTree for exact texts), ``/sitemap.xml`` (ElementTree, checked
against the sitemaps.org 0.9 structure) and ``/robots.txt``.

UIDs are compared with each event's own calendar, and stay the same across requests and
across a restart on the same data; the Atom feed's dates stay the same across requests and,
with a state directory, across restarts; the XSS corpus goes through the feed's texts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import icalendar
import pytest
from index_data import EVENTS, PAST, TITLES, UPCOMING, write_event, write_states
from starlette.testclient import TestClient

from widget.app import create_app
from widget.documents.site_feeds import MAX_ENTRIES, xml_text
from widget.languages import SUPPORTED_LANGUAGES
from widget.settings import Settings

from conftest import BEFORE, PUBLIC_URL, SAMPLE_SLUG
from hostile_data import build_hostile_data
from xss import load_payloads

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"


def make_client(
    data_dir: Path, now: datetime = BEFORE, state_dir: Path | None = None
) -> TestClient:
    settings = Settings(
        public_url=PUBLIC_URL,
        data_dir=data_dir,
        now=now,
        reload_seconds=0,
        state_dir=state_dir,
    )
    return TestClient(create_app(settings), base_url=PUBLIC_URL)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_states(tmp_path / "data")


@pytest.fixture
def states(data: Path) -> Iterator[TestClient]:
    with make_client(data) as client:
        yield client


def vevents(body: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return [component for component in calendar.walk("VEVENT")]


# --- /events.ics --------------------------------------------------------------------------


def test_calendar_has_every_location_of_every_upcoming_event(states: TestClient) -> None:
    """One VEVENT per location of each upcoming event (none of the past), with the UIDs
    and properties of the event's own calendar."""
    response = states.get("/events.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    site = {str(event["uid"]): event for event in vevents(response.content)}
    assert len(site) == sum(len(EVENTS[slug]["locations"]) for slug in UPCOMING)  # type: ignore[arg-type]
    own: dict[str, icalendar.Event] = {}
    for slug in UPCOMING:
        own |= {str(e["uid"]): e for e in vevents(states.get(f"/events/{slug}.ics").content)}
    assert set(site) == set(own)
    for uid, event in site.items():
        assert event.to_ical() == own[uid].to_ical(), uid
    assert not any(uid.startswith(PAST) for uid in site)
    statuses = {uid.split("@")[0]: str(event["status"]) for uid, event in site.items()}
    assert statuses["2024-06-01-mixed-stockholm"] == "CANCELLED"
    assert statuses["2024-05-20-called-off-rome"] == "CANCELLED"
    assert statuses["2024-06-01-mixed-is"] == "TENTATIVE"
    assert statuses["2024-06-01-mixed-oslo"] == "CONFIRMED"


def test_calendar_speaks_the_asked_language(states: TestClient) -> None:
    """lang=nl: the calendar's name and the events' titles in Dutch."""
    calendar = icalendar.Calendar.from_ical(states.get("/events.ics?lang=nl").content)
    assert str(calendar["x-wr-calname"]) == "PauseAI-protesten"
    summaries = {str(event["summary"]) for event in calendar.walk("VEVENT")}
    assert any(summary.startswith("Summit protest (nl) — ") for summary in summaries)
    english = icalendar.Calendar.from_ical(states.get("/events.ics").content)
    assert str(english["x-wr-calname"]) == "PauseAI protests"


def test_calendar_uids_are_stable_across_requests_and_restarts(data: Path) -> None:
    """The same data gives the same bytes and ETag, in a new process too."""
    with make_client(data) as first:
        one = first.get("/events.ics")
        two = first.get("/events.ics")
    with make_client(data) as second:
        three = second.get("/events.ics")
    assert one.content == two.content == three.content
    assert one.headers["etag"] == three.headers["etag"]


def test_calendar_without_upcoming_events_is_an_empty_calendar(data: Path) -> None:
    """After the last event the calendar parses and holds no VEVENT."""
    with make_client(data, datetime(2026, 1, 1, tzinfo=UTC)) as client:
        response = client.get("/events.ics")
    assert response.status_code == 200
    assert vevents(response.content) == []


def test_feeds_are_cached_and_revalidated(states: TestClient) -> None:
    """Each feed has an ETag and Cache-Control, and answers 304 to a matching one."""
    for target in ("/events.ics", "/events.atom", "/sitemap.xml", "/robots.txt"):
        first = states.get(target)
        assert first.status_code == 200 and "max-age=" in first.headers["cache-control"]
        repeat = states.get(target, headers={"if-none-match": first.headers["etag"]})
        assert repeat.status_code == 304, target


@pytest.mark.parametrize("target", ["/events.ics", "/events.atom"])
@pytest.mark.parametrize("query", ["lang=xx", "lang=en&lang=nl", "lang=" + "x" * 600])
def test_hostile_lang_is_a_json_400(states: TestClient, target: str, query: str) -> None:
    """A malformed lang is a 400 in JSON naming it."""
    response = states.get(f"{target}?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == "lang"


def test_event_page_links_the_subscription(client: TestClient) -> None:
    """The event page offers a webcal:// subscription to every protest."""
    html = client.get(f"/events/{SAMPLE_SLUG}?lang=en").text
    assert 'href="webcal://widget.example.org/events.ics?lang=en"' in html


def test_publish_page_links_the_index_and_the_feeds(client: TestClient) -> None:
    """The publish page links /events, the webcal:// calendar and the Atom feed."""
    html = client.get("/").text
    for href in (
        f"{PUBLIC_URL}/events",
        "webcal://widget.example.org/events.ics",
        f"{PUBLIC_URL}/events.atom",
    ):
        assert f'href="{href}"' in html, href


# --- /events.atom -------------------------------------------------------------------------


def test_atom_feed_parses_with_an_entry_per_event(states: TestClient) -> None:
    """feedparser reads a well-formed Atom 1.0 feed: its title, self link, and one entry per
    event, each with a stable id (its page), a link, dates and a summary."""
    response = states.get("/events.atom")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "PauseAI protests"
    assert any(link.rel == "self" for link in feed.feed.links)
    assert {entry.id for entry in feed.entries} == {
        f"{PUBLIC_URL}/events/{slug}" for slug in EVENTS
    }
    for entry in feed.entries:
        slug = entry.id.rsplit("/", 1)[1]
        assert entry.title == TITLES[slug]
        assert entry.link == entry.id
        assert entry.updated_parsed is not None and entry.published_parsed is not None
        assert f"About {TITLES[slug]}." in entry.summary


def test_atom_dates_do_not_change_per_request_and_survive_a_restart(
    data: Path, tmp_path: Path
) -> None:
    """Entry and feed dates are when the service first published the event: the same on
    every request, after a restart (kept in the state directory), and a new event comes
    first with its own, later date while the others keep theirs."""
    state = tmp_path / "state"
    with make_client(data, BEFORE, state) as client:
        first = feedparser.parse(client.get("/events.atom").content)
        again = feedparser.parse(client.get("/events.atom?utm=1").content)
    later = datetime(2024, 5, 3, 9, 30, tzinfo=UTC)
    with make_client(data, later, state) as client:
        restarted = feedparser.parse(client.get("/events.atom").content)
    dates = {entry.id: entry.updated for entry in first.entries}
    assert dates == {entry.id: entry.updated for entry in again.entries}
    assert dates == {entry.id: entry.updated for entry in restarted.entries}
    assert set(dates.values()) == {"2024-05-01T12:00:00Z"}
    assert first.feed.updated == restarted.feed.updated == "2024-05-01T12:00:00Z"
    write_event(
        data,
        "2024-09-01-new",
        {"date": "2024-09-01", "locations": [{"country": "BE"}]},
        {"en": "New one"},
    )
    with make_client(data, later, state) as client:
        grown = feedparser.parse(client.get("/events.atom").content)
    assert grown.entries[0].id == f"{PUBLIC_URL}/events/2024-09-01-new"
    assert grown.entries[0].updated == grown.feed.updated == "2024-05-03T09:30:00Z"
    assert {e.id: e.updated for e in grown.entries[1:]} == dates


def test_atom_feed_is_bounded(tmp_path: Path) -> None:
    """At most MAX_ENTRIES entries, however many events."""
    from tests.bench.generated_data import write_catalog

    root = tmp_path / "data"
    write_catalog(root, MAX_ENTRIES + 5, 1)
    with make_client(root) as client:
        feed = feedparser.parse(client.get("/events.atom").content)
    assert feed.bozo == 0 and len(feed.entries) == MAX_ENTRIES


def test_xss_corpus_through_the_atom_feed(tmp_path: Path) -> None:
    """Every payload in the titles and summaries: the feed stays well-formed, and each text
    reads back exactly (less what XML cannot hold) in both languages."""
    hostile = build_hostile_data(tmp_path / "hostile", load_payloads())
    with make_client(hostile.root) as client:
        for language in ("en", "nl"):
            body = client.get(f"/events.atom?lang={language}").content
            assert feedparser.parse(body).bozo == 0
            root = ET.fromstring(body)
            titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
            expected = {xml_text(event.text(language)[1].title) for event in hostile.catalog.events}
            assert set(titles) <= expected and len(titles) == min(len(expected), MAX_ENTRIES)
            calendar = client.get(f"/events.ics?lang={language}")
            assert calendar.status_code == 200
            icalendar.Calendar.from_ical(calendar.content)


# --- /sitemap.xml and /robots.txt ---------------------------------------------------------

ALLOWED_CHILDREN = {f"{SITEMAP}{name}" for name in ("loc", "lastmod", "changefreq", "priority")}


def test_sitemap_follows_the_protocol_and_lists_every_public_page(states: TestClient) -> None:
    """A urlset of url elements, each with one absolute loc (under 2,048 characters) and
    only protocol children or xhtml:link alternates; /, /events and every event page."""
    response = states.get("/sitemap.xml")
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    urls = list(root)
    assert 0 < len(urls) <= 50_000 and len(response.content) <= 50 * 1024 * 1024
    locations: dict[str, dict[str, str]] = {}
    for url in urls:
        assert url.tag == f"{SITEMAP}url"
        locs = url.findall(f"{SITEMAP}loc")
        assert len(locs) == 1
        loc = locs[0].text or ""
        assert loc.startswith(f"{PUBLIC_URL}/") and len(loc) < 2048
        for child in url:
            assert child.tag in ALLOWED_CHILDREN or child.tag == f"{XHTML}link", child.tag
        links = url.findall(f"{XHTML}link")
        assert all(link.get("rel") == "alternate" for link in links)
        locations[loc] = {str(link.get("hreflang")): str(link.get("href")) for link in links}
    assert set(locations) == {
        f"{PUBLIC_URL}/",
        f"{PUBLIC_URL}/events",
        *(f"{PUBLIC_URL}/events/{slug}" for slug in EVENTS),
    }
    index = locations[f"{PUBLIC_URL}/events"]
    assert set(index) == {*SUPPORTED_LANGUAGES, "x-default"}
    assert index["x-default"] == f"{PUBLIC_URL}/events"
    event = locations[f"{PUBLIC_URL}/events/2024-07-10-summit"]
    assert event == {
        "en": f"{PUBLIC_URL}/events/2024-07-10-summit?lang=en",
        "nl": f"{PUBLIC_URL}/events/2024-07-10-summit?lang=nl",
        "x-default": f"{PUBLIC_URL}/events/2024-07-10-summit",
    }


def test_sitemap_alternates_match_the_pages(states: TestClient) -> None:
    """The sitemap's alternates of an event are those its page declares."""
    root = ET.fromstring(states.get("/sitemap.xml").content)
    page = states.get("/events/2024-06-01-mixed").text
    for url in root:
        if url.findtext(f"{SITEMAP}loc") == f"{PUBLIC_URL}/events/2024-06-01-mixed":
            for link in url.findall(f"{XHTML}link"):
                declared = (
                    f'<link rel="alternate" hreflang="{link.get("hreflang")}" '
                    f'href="{link.get("href")}">'
                )
                assert declared in page


def test_robots_points_at_the_sitemap(states: TestClient) -> None:
    """robots.txt: one group for every agent, the redirects disallowed, the sitemap's
    absolute URL from the public URL."""
    response = states.get("/robots.txt")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /go/" in lines
    assert f"Sitemap: {PUBLIC_URL}/sitemap.xml" in lines
    fields = [line.split(":", 1)[0] for line in lines if line]
    assert set(fields) <= {"User-agent", "Allow", "Disallow", "Sitemap"}
