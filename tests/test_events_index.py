"""``GET /events``: structure per state, languages, pages, hostile parameters, caching, XSS.

Through TestClient on real data directories: the catalog of every state
(``index_data``), an empty one, the bundled sample (one event), 120 generated events (three
pages), and the hostile corpus data (``hostile_data``) whose every page is parsed by the
strict checker of ``xss``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from index_data import PAST, TITLES, UPCOMING, write_states
from starlette.testclient import TestClient

from tests.bench.generated_data import write_catalog
from widget.app import create_app
from widget.date_ranges import format_days
from widget.documents.events_index import listing, split
from widget.documents.structured_data import (
    EventNode,
    index_event,
    index_event_json,
    item_list,
    item_list_json,
    script_json,
)
from widget.languages import SUPPORTED_LANGUAGES
from widget.settings import Settings
from widget.store import load_or_raise
from widget.timing import Phase, event_phase

from conftest import BEFORE, PUBLIC_URL, SAMPLE_SLUG
from hostile_data import HostileData, build_hostile_data
from test_xss_pages import page_problems, raw_echoes
from xss import load_payloads


def client_for(data_dir: Path, now: datetime = BEFORE) -> TestClient:
    """A client on ``data_dir`` at ``now``."""
    settings = Settings(public_url=PUBLIC_URL, data_dir=data_dir, now=now, reload_seconds=0)
    return TestClient(create_app(settings), base_url=PUBLIC_URL)


@pytest.fixture
def states(tmp_path: Path) -> Iterator[TestClient]:
    """A client on the catalog of every state, before its first upcoming event."""
    with client_for(write_states(tmp_path / "data")) as client:
        yield client


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def entries(section: Tag) -> list[Tag]:
    return section.select("li.index-entry")


def slugs(section: Tag) -> list[str]:
    return [
        str(entry.select_one("a.index-title")["href"]).split("/events/")[1].split("?")[0]  # type: ignore[index]
        for entry in entries(section)
    ]


def section(page: BeautifulSoup, title_id: str) -> Tag:
    found = page.find("section", attrs={"aria-labelledby": title_id})
    assert isinstance(found, Tag), title_id
    return found


def json_ld(page: BeautifulSoup) -> dict[str, Any]:
    block = page.find("script", attrs={"type": "application/ld+json"})
    assert isinstance(block, Tag)
    data: dict[str, Any] = json.loads(block.string or "")
    return data


# --- states -------------------------------------------------------------------------------


def test_upcoming_soonest_first_then_the_archive_by_year(states: TestClient) -> None:
    """Upcoming events soonest first; past ones newest first under their year, each a link
    to its page."""
    response = states.get("/events?lang=en")
    assert response.status_code == 200
    page = soup(response.text)
    assert slugs(section(page, "upcoming-title")) == list(UPCOMING)
    archive = section(page, "archive-title")
    assert [h3.get_text() for h3 in archive.find_all("h3")] == ["2024", "2023"]
    assert slugs(archive) == list(PAST)
    for link in page.select("a.index-title"):
        slug = str(link["href"]).removeprefix(f"{PUBLIC_URL}/events/").split("?")[0]
        assert link.get_text() == TITLES[slug]
        assert str(link["href"]) == f"{PUBLIC_URL}/events/{slug}?lang=en"


def test_entries_show_dates_counts_and_states(states: TestClient) -> None:
    """Dates localized by Babel (a range for multi-day events), cities and countries
    counted, cancelled and to-be-announced locations and a cancelled event marked."""
    page = soup(states.get("/events?lang=en").text)
    by_slug = {
        str(entry.a["href"]).split("/events/")[1].split("?")[0]: entry  # type: ignore[index]
        for entry in page.select("li.index-entry")
    }
    mixed = by_slug["2024-06-01-mixed"].get_text(" ", strip=True)
    assert "4 cities" in mixed and "3 countries" in mixed
    assert "1 cancelled" in mixed and "1 to be announced" in mixed
    called_off = by_slug["2024-05-20-called-off"]
    assert called_off.select_one(".tag").get_text() == "Cancelled"  # type: ignore[union-attr]
    assert "1 city" in called_off.get_text() and "countries" not in called_off.get_text()
    summit = by_slug["2024-07-10-summit"].select_one(".dates")
    assert summit is not None
    assert summit.get_text() == format_days(date(2024, 7, 10), date(2024, 7, 12), "full", "en")
    weekend = by_slug["2024-04-20-weekend"].select_one(".dates")
    assert weekend is not None and "20" in weekend.get_text() and "22" in weekend.get_text()
    one_day = by_slug["2023-11-17-vigil"].find("time")
    assert isinstance(one_day, Tag) and one_day["datetime"] == "2023-11-17"
    assert "cancelled" not in by_slug["2024-02-12-openai"].get_text()


def test_in_dutch_dates_and_words_are_dutch(states: TestClient) -> None:
    """lang=nl: Dutch interface words and Babel's Dutch dates; the Dutch titles."""
    page = soup(states.get("/events?lang=nl").text)
    assert page.html["lang"] == "nl"  # type: ignore[index]
    assert section(page, "upcoming-title").h2.get_text() == "Komende protesten"  # type: ignore[union-attr]
    assert section(page, "archive-title").h2.get_text() == "Eerdere protesten"  # type: ignore[union-attr]
    text = page.get_text(" ")
    assert format_days(date(2024, 7, 10), date(2024, 7, 12), "full", "nl") in text
    assert "zaterdag 1 juni 2024" in text
    assert "1 afgelast" in text and "Summit protest (nl)" in text


def test_no_events_at_all(tmp_path: Path) -> None:
    """An empty data directory: the upcoming section says none is planned; no archive."""
    empty = tmp_path / "data"
    empty.mkdir()
    with client_for(empty) as client:
        response = client.get("/events")
    assert response.status_code == 200
    page = soup(response.text)
    assert "No protests are planned yet." in section(page, "upcoming-title").get_text()
    assert page.find("section", attrs={"aria-labelledby": "archive-title"}) is None
    assert json_ld(page)["numberOfItems"] == 0
    assert page.find("nav", class_="pages") is None


def test_none_upcoming(tmp_path: Path) -> None:
    """After the last event: nothing upcoming, the whole catalog in the archive."""
    with client_for(write_states(tmp_path / "data"), datetime(2025, 3, 1, tzinfo=UTC)) as c:
        page = soup(c.get("/events").text)
    assert "No protests are planned yet." in section(page, "upcoming-title").get_text()
    archive = section(page, "archive-title")
    assert slugs(archive) == [*reversed(UPCOMING), *PAST]


def test_one_event(client: TestClient) -> None:
    """The bundled sample: one upcoming event, counted as its page counts it."""
    page = soup(client.get("/events?lang=en").text)
    assert slugs(section(page, "upcoming-title")) == [SAMPLE_SLUG]
    assert "14 cities" in page.select_one("li.index-entry").get_text()  # type: ignore[union-attr]


def test_an_event_of_today_is_upcoming_and_marked(states: TestClient, tmp_path: Path) -> None:
    """On its first day the event is still in the upcoming list, marked Today."""
    today = datetime(2024, 6, 1, 12, tzinfo=UTC)
    with client_for(write_states(tmp_path / "today"), today) as client:
        response = client.get("/events?lang=en")
    page = soup(response.text)
    upcoming = section(page, "upcoming-title")
    assert slugs(upcoming)[0] == "2024-06-01-mixed"
    assert entries(upcoming)[0].select_one(".tag").get_text() == "Today"  # type: ignore[union-attr]
    assert "max-age=60" in response.headers["cache-control"]


# --- head: canonical, alternates, Open Graph, JSON-LD, feeds ------------------------------


def test_head_has_canonical_alternates_open_graph_and_feeds(states: TestClient) -> None:
    """canonical, ten hreflang alternates plus x-default, Open Graph, the two feed links
    and a webcal:// subscription."""
    page = soup(states.get("/events?lang=nl").text)
    canonical = page.find("link", rel="canonical")
    assert isinstance(canonical, Tag) and canonical["href"] == f"{PUBLIC_URL}/events?lang=nl"
    alternates = {
        str(link["hreflang"]): str(link["href"]) for link in page.find_all("link", hreflang=True)
    }
    assert set(alternates) == {*SUPPORTED_LANGUAGES, "x-default"}
    assert alternates["pt-BR"] == f"{PUBLIC_URL}/events?lang=pt-BR"
    assert alternates["x-default"] == f"{PUBLIC_URL}/events"
    meta = {str(m.get("property")): str(m["content"]) for m in page.find_all("meta", property=True)}
    assert meta["og:url"] == f"{PUBLIC_URL}/events?lang=nl"
    assert meta["og:locale"] == "nl_NL" and meta["og:title"] == "Alle PauseAI-protesten"
    atom = page.find("link", type="application/atom+xml")
    assert isinstance(atom, Tag) and atom["href"] == f"{PUBLIC_URL}/events.atom?lang=nl"
    webcal = page.find("a", href=lambda href: bool(href) and href.startswith("webcal://"))
    assert isinstance(webcal, Tag)
    assert webcal["href"] == "webcal://widget.example.org/events.ics?lang=nl"


def test_json_ld_is_an_item_list_of_events(states: TestClient) -> None:
    """One ListItem per entry in the order shown, each an Event with dates, status and
    places; a cancelled event says so; the online location is a VirtualLocation."""
    page = soup(states.get("/events?lang=en").text)
    data = json_ld(page)
    assert data["@type"] == "ItemList" and data["numberOfItems"] == 6
    items = data["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, 7))
    shown = [str(a["href"]) for a in page.select("a.index-title")]
    assert [item["url"] for item in items] == shown
    events = {
        item["item"]["url"].split("/events/")[1].split("?")[0]: item["item"] for item in items
    }
    assert all(event["@type"] == "Event" for event in events.values())
    assert events["2024-05-20-called-off"]["eventStatus"] == "https://schema.org/EventCancelled"
    summit = events["2024-07-10-summit"]
    assert (summit["startDate"], summit["endDate"]) == ("2024-07-10", "2024-07-12")
    mixed = events["2024-06-01-mixed"]
    assert mixed["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    types = [place["@type"] for place in mixed["location"]]
    assert types.count("VirtualLocation") == 1 and types.count("Place") == 3


# --- language negotiation -----------------------------------------------------------------


def test_accept_language_is_negotiated_and_varies(states: TestClient) -> None:
    """Without lang the page speaks the visitor's language and varies on it; its canonical
    is the x-default page and its links name no language."""
    response = states.get("/events", headers={"accept-language": "de-CH, en;q=0.5"})
    assert response.headers["content-language"] == "de"
    assert "Accept-Language" in response.headers["vary"]
    page = soup(response.text)
    assert page.html["lang"] == "de"  # type: ignore[index]
    assert page.find("link", rel="canonical")["href"] == f"{PUBLIC_URL}/events"  # type: ignore[index]
    assert all("lang=" not in str(a["href"]) for a in page.select("a.index-title"))
    english = states.get("/events", headers={"accept-language": "xx"})
    assert english.headers["content-language"] == "en"
    explicit = states.get("/events?lang=sv", headers={"accept-language": "de"})
    assert explicit.headers["content-language"] == "sv"
    assert "vary" not in explicit.headers or "Accept-Language" not in explicit.headers["vary"]


# --- pages --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """120 generated weekly events from 2024-01-01, at 1 July 2024 (26 past, 94 upcoming)."""
    root = tmp_path_factory.mktemp("many") / "data"
    write_catalog(root, 120, 1, date(2024, 1, 1))
    with client_for(root, datetime(2024, 7, 1, 12, tzinfo=UTC)) as client:
        yield client


def test_pages_hold_fifty_and_walk_upcoming_then_archive(many: TestClient) -> None:
    """Three pages of at most 50; page 2 ends the upcoming and starts the archive; rel
    prev/next and the page count link them."""
    first = soup(many.get("/events?lang=en").text)
    assert len(first.select("li.index-entry")) == 50
    assert first.find("section", attrs={"aria-labelledby": "archive-title"}) is None
    assert first.find("link", rel="next")["href"] == f"{PUBLIC_URL}/events?lang=en&page=2"  # type: ignore[index]
    assert first.find("link", rel="prev") is None
    second = soup(many.get("/events?lang=en&page=2").text)
    upcoming = section(second, "upcoming-title")
    archive = section(second, "archive-title")
    assert len(entries(upcoming)) == 44 and len(entries(archive)) == 6
    assert "Page 2 of 3" in second.find("nav", class_="pages").get_text()  # type: ignore[union-attr]
    assert second.find("link", rel="canonical")["href"] == f"{PUBLIC_URL}/events?lang=en&page=2"  # type: ignore[index]
    third = soup(many.get("/events?lang=en&page=3").text)
    assert third.find("section", attrs={"aria-labelledby": "upcoming-title"}) is None
    assert len(third.select("li.index-entry")) == 20
    assert third.find("link", rel="next") is None
    every = [*slugs(first), *slugs(upcoming), *slugs(archive), *slugs(third)]
    assert len(set(every)) == 120
    assert many.get("/events?page=4").status_code == 404


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("page=1e3", "page"),
        ("page=", "page"),
        ("page=%201", "page"),
        ("page=01", "page"),
        ("page=10001", "page"),
        ("page=99999999999999999999999", "page"),
        ("page=1&page=2", "page"),
        ("page=" + "9" * 600, "page"),
        ("lang=xx", "lang"),
        ("lang=en&lang=nl", "lang"),
        ("theme=neon", "theme"),
    ],
)
def test_hostile_parameters_are_400_naming_them(
    states: TestClient, query: str, parameter: str
) -> None:
    """A malformed parameter is an HTML 400 that names it, never a 500."""
    response = states.get(f"/events?{query}")
    assert response.status_code == 400, query
    assert response.headers["content-type"].startswith("text/html")
    assert f"“{parameter}”" in response.text


def test_a_page_past_the_last_is_404_naming_page(states: TestClient) -> None:
    """page=2 of a one-page index is a 404 naming the parameter."""
    response = states.get("/events?page=2", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert "page" in response.text


# --- caching ------------------------------------------------------------------------------


def test_cached_etagged_and_revalidated(states: TestClient) -> None:
    """Equal requests share body and ETag (unknown parameters ignored); 304 on a match;
    Cache-Control as the event page's."""
    first = states.get("/events?lang=en")
    again = states.get("/events?lang=en&utm_source=x")
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300, stale-while-revalidate=3600"
    repeat = states.get("/events?lang=en", headers={"if-none-match": first.headers["etag"]})
    assert repeat.status_code == 304 and repeat.content == b""
    gzipped = states.get("/events?lang=en", headers={"accept-encoding": "gzip"})
    assert gzipped.headers["content-encoding"] == "gzip"
    assert states.app.state.services.cache.hits >= 3  # type: ignore[attr-defined]


def test_the_clock_moves_an_event_into_the_archive(tmp_path: Path) -> None:
    """Same data, later clock: an event whose last day ended leaves the upcoming list at
    once (the cache key follows the catalog's phase changes)."""
    moments = [BEFORE]
    settings = Settings(
        public_url=PUBLIC_URL, data_dir=write_states(tmp_path / "d"), reload_seconds=0
    )
    with TestClient(create_app(settings, clock=lambda: moments[0]), base_url=PUBLIC_URL) as c:
        before = c.get("/events?lang=en")
        same = c.get("/events?lang=en")
        moments[0] = datetime(2024, 5, 22, tzinfo=UTC)
        after = c.get("/events?lang=en")
    assert before.headers["etag"] == same.headers["etag"]
    assert after.headers["etag"] != before.headers["etag"]
    assert slugs(section(soup(after.text), "upcoming-title")) == list(UPCOMING[1:])
    assert slugs(section(soup(after.text), "archive-title"))[0] == UPCOMING[0]


# --- XSS ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileData:
    return build_hostile_data(tmp_path_factory.mktemp("hostile") / "data", load_payloads())


def test_xss_corpus_shows_as_text_on_every_index_page(hostile: HostileData) -> None:
    """Every payload in every title: each page of the index, in both languages, holds no
    markup of the data's, a strict CSP, and shows each event's title exactly as text."""
    settings = Settings(public_url=PUBLIC_URL, data_dir=hostile.root, now=BEFORE, reload_seconds=0)
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as client:
        renderer = client.app.state.services.renderer  # type: ignore[attr-defined]
        ours = {renderer.static_url(name) for name in ("consent.js", "publish.js", "widget.js")}
        failures: list[str] = []
        shown: dict[str, set[str]] = {"en": set(), "nl": set()}
        for language in shown:
            number, pages = 1, 1
            while number <= pages:
                response = client.get(f"/events?lang={language}&page={number}")
                assert response.status_code == 200
                failures += [f"{language} p{number}: {p}" for p in page_problems(response, ours)]
                failures += [
                    f"raw echo: {p!r}" for p in raw_echoes(response.text, hostile.payloads)
                ]
                page = soup(response.text)
                shown[language] |= {a.get_text() for a in page.select("a.index-title")}
                json_ld(page)  # parses
                nav = page.find("nav", class_="pages")
                pages = int(nav.span.get_text().split()[-1]) if isinstance(nav, Tag) else 1  # type: ignore[union-attr]
                number += 1
    assert failures == []
    for language, titles in shown.items():
        expected = {event.text(language)[1].title for event in hostile.catalog.events}
        assert titles == expected


def field_names(data: Any) -> Any:
    """JSON-LD keys as the models' field names ('@type' → 'type': the models alias them
    only when serializing)."""
    if isinstance(data, dict):
        return {key.removeprefix("@"): field_names(value) for key, value in data.items()}
    if isinstance(data, list):
        return [field_names(value) for value in data]
    return data


def test_json_ld_items_have_the_shape_of_the_typed_event_nodes(states: TestClient) -> None:
    """The index writes its Events as plain data: each validates as an ``EventNode`` and
    serializes back to exactly the same JSON."""
    data = json_ld(soup(states.get("/events?lang=en").text))
    for item in data["itemListElement"]:
        node = EventNode.model_validate(field_names(item["item"]))
        dumped = node.model_dump(mode="json", by_alias=True, exclude_none=True)
        assert dumped == item["item"]


def test_listing_agrees_with_each_events_phase(tmp_path: Path) -> None:
    """The bisecting listing puts events where their own phase says, in the index's order,
    at every moment around every phase change of a catalog of mixed spans."""
    root = write_states(tmp_path / "data")
    write_catalog(root, 12, 1, date(2024, 3, 1))
    catalog = load_or_raise(root)
    moments = sorted({*catalog.changes, *(m - timedelta(seconds=1) for m in catalog.changes)})
    for now in [datetime(2020, 1, 1, tzinfo=UTC), *moments, datetime(2030, 1, 1, tzinfo=UTC)]:
        upcoming, past = split(catalog, now)
        expected_upcoming = [e for e in catalog.events if event_phase(e, now) is not Phase.PAST]
        expected_past = [e for e in reversed(catalog.events) if event_phase(e, now) is Phase.PAST]
        assert upcoming == expected_upcoming, now
        assert past == expected_past, now
        found = listing(catalog, now)
        for start, stop in [(0, 3), (2, 7), (5, 50), (40, 60)]:
            assert found.upcoming(start, stop) == expected_upcoming[start:stop]
            assert found.past(start, stop) == expected_past[start:stop]


def test_spliced_json_ld_is_the_item_lists_serialization(hostile: HostileData) -> None:
    """``item_list_json`` (Events serialized once, then joined) writes exactly the bytes
    ``script_json(item_list(...))`` writes, for every hostile title in both languages."""
    for language in ("en", "nl"):
        for name in hostile.payloads[:5]:
            plain, joined = [], []
            for event in hostile.catalog.events:
                page = f"{PUBLIC_URL}/events/{event.slug}?x=<&y=\u2028"
                facts = {
                    "language": language,
                    "description": event.text(language)[1].summary,
                    "page_url": page,
                    "image_url": f"{page}.png",
                }
                plain.append((page, index_event(event, **facts)))
                details = (facts["description"], facts["image_url"])
                node = index_event_json(
                    event,
                    language=language,
                    page_url=page,
                    version=f"v-{name}",
                    details=lambda details=details: details,
                )
                joined.append((page, node))
            expected = script_json(item_list(name, f"{PUBLIC_URL}/events?{name}", plain))
            assert item_list_json(name, f"{PUBLIC_URL}/events?{name}", joined) == expected
