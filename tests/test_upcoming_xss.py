"""The XSS corpus through the upcoming-events widget and the compact banner.

The hostile data directory of ``test_xss_pages`` (every payload in every text field of
some event) is served at the tests' clock; every page the new views make of it — the
upcoming list in both themes and two languages, filtered and not, every event's banner,
the upcoming banner, the builder for the upcoming events — must hold only our markup
under a safe policy, never echo a payload raw, and show titles and city names as text,
exactly as they are in the data. Hostile values of ``limit`` and ``layout`` from the
corpus are a 400 naming them, never a 500, and their error pages echo nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from bs4 import Tag
from starlette.testclient import TestClient

from widget.app import create_app
from widget.documents.upcoming_view import MAX_CITIES
from widget.params import MAX_LIMIT
from widget.resources import STATIC_DIR
from widget.settings import Settings
from widget.timing import Phase, event_phase

from conftest import BEFORE, PUBLIC_URL
from hostile_data import HostileData, build_hostile_data
from test_xss_pages import (
    BUILDER_FORM,
    PAYLOADS,
    city_names,
    page_problems,
    raw_echoes,
    report,
    soup,
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileData:
    """The corpus written into every text field of a valid data directory."""
    return build_hostile_data(tmp_path_factory.mktemp("hostile") / "data", PAYLOADS)


@pytest.fixture(scope="module")
def client(hostile: HostileData) -> Iterator[TestClient]:
    """A client on the hostile data; server errors come back as 500s, not exceptions."""
    settings = Settings(public_url=PUBLIC_URL, data_dir=hostile.root, now=BEFORE, reload_seconds=0)
    with TestClient(
        create_app(settings), base_url=PUBLIC_URL, raise_server_exceptions=False
    ) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def our_scripts(client: TestClient) -> frozenset[str]:
    """The absolute, content-hashed URL of every file of ours under static/."""
    renderer = client.app.state.services.renderer  # type: ignore[attr-defined]
    names = [p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()]
    return frozenset(renderer.static_url(name) for name in names)


def ahead(hostile: HostileData) -> list[str]:
    """The slugs of the hostile events not over at the clock, soonest first."""
    return [e.slug for e in hostile.catalog.events if event_phase(e, BEFORE) is not Phase.PAST]


def test_the_hostile_catalog_has_events_ahead_and_behind(hostile: HostileData) -> None:
    """The corpus reaches the list: most events are ahead, some are over."""
    assert len(ahead(hostile)) >= 10
    assert len(ahead(hostile)) < len(hostile.catalog.events)


# Every page of the new views over the whole hostile catalog (``{slug}``: each event).
LIST_PAGES = [
    f"/embed/upcoming?limit={MAX_LIMIT}&theme=light&lang=en",
    f"/embed/upcoming?limit={MAX_LIMIT}&theme=dark&lang=nl",
    f"/embed/upcoming?limit={MAX_LIMIT}&accent=%23123456&country=NL,DE&lang=en",
    "/embed/upcoming",
    "/embed/upcoming?layout=compact&lang=en",
    "/embed/upcoming?layout=compact&theme=dark&lang=nl&country=NL",
]
EVENT_PAGES = [
    "/embed/{slug}?layout=compact&lang=en",
    "/embed/{slug}?layout=compact&lang=nl&theme=dark&accent=%23ffff00",
]


@pytest.mark.parametrize("path", LIST_PAGES)
def test_upcoming_pages_hold_no_foreign_markup(
    client: TestClient, our_scripts: frozenset[str], path: str
) -> None:
    """The list and the upcoming banner hold only our markup, under a safe policy."""
    response = client.get(path)
    assert response.status_code == 200
    problems = page_problems(response, our_scripts)
    problems += [f"payload echoed raw: {p!r}" for p in raw_echoes(response.text, PAYLOADS)]
    assert not problems, report(problems)


@pytest.mark.parametrize("path", EVENT_PAGES)
def test_every_events_banner_holds_no_foreign_markup(
    client: TestClient, hostile: HostileData, our_scripts: frozenset[str], path: str
) -> None:
    """Each event's banner (past, today, ahead, cancelled …) holds only our markup."""
    failures = []
    for event in hostile.catalog.events:
        url = path.format(slug=event.slug)
        response = client.get(url)
        if response.status_code != 200:
            failures.append(f"{url}: status {response.status_code}")
            continue
        problems = page_problems(response, our_scripts)
        problems += [f"payload echoed raw: {p!r}" for p in raw_echoes(response.text, PAYLOADS)]
        failures += [f"{url}: {problem}" for problem in problems]
    assert not failures, report(failures)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_upcoming_list_shows_data_as_text(
    client: TestClient, hostile: HostileData, language: str
) -> None:
    """Titles and city names read back from the list exactly as they are in the data."""
    document = soup(client.get(f"/embed/upcoming?limit={MAX_LIMIT}&lang={language}").text)
    blocks = document.select("ol.events > li.event")
    assert [block["data-event"] for block in blocks] == ahead(hostile)[:MAX_LIMIT]
    failures = []
    for block in blocks:
        event = hostile.catalog.by_slug[str(block["data-event"])]
        link = block.select_one("h2 > a")
        assert isinstance(link, Tag)
        want = event.text(language)[1].title
        if str(link.contents[0]) != want:
            failures.append(f"{event.slug}: title {link.contents[0]!r} != {want!r}")
        overrides = event.text(language)[1].cities if language in event.texts else {}
        items = block.select("ul.chips > li")
        if len(items) != min(MAX_CITIES, len(event.locations)):
            failures.append(f"{event.slug}: {len(items)} chips for {len(event.locations)}")
        for item in items:
            location = event.location(str(item["data-location"]))
            assert location is not None
            want_name = overrides.get(location.id, location.city)
            chip = item.select_one(".chip")
            assert isinstance(chip, Tag)
            if want_name is not None and str(chip.contents[0]) != want_name:
                failures.append(f"{event.slug}: city {chip.contents[0]!r} != {want_name!r}")
    assert not failures, report(failures)


def test_banners_show_data_as_text(client: TestClient, hostile: HostileData) -> None:
    """A banner's title and city are the data's text, its candidates too."""
    failures = []
    for event in hostile.catalog.events:
        document = soup(client.get(f"/embed/{event.slug}?layout=compact&lang=en").text)
        title = document.select_one("main.banner h1 > a")
        assert isinstance(title, Tag)
        want = event.text("en")[1].title
        if str(title.contents[0]) != want:
            failures.append(f"{event.slug}: title {title.contents[0]!r} != {want!r}")
        names = set(city_names(event, "en"))
        candidates = [item.get_text() for item in document.select("[data-pw-candidates] li")]
        stray = [name for name in candidates if name not in names]
        if stray:
            failures.append(f"{event.slug}: candidates {stray[:3]!r} are no city of the data")
        city = document.select_one("[data-pw-city]")
        if city is not None and city.get_text() not in names:
            failures.append(f"{event.slug}: city {city.get_text()!r} is no city of the data")
    assert not failures, report(failures)


def test_builder_for_the_upcoming_events(client: TestClient, our_scripts: frozenset[str]) -> None:
    """The builder's upcoming choice (filters from every hostile event ahead) is safe."""
    for query in ("event=upcoming", "event=upcoming&layout=compact&lang=nl"):
        response = client.get(f"/?{query}")
        assert response.status_code == 200
        frame = soup(response.text).select_one("[data-preview-frame]")
        assert isinstance(frame, Tag)
        problems = page_problems(
            response, our_scripts, frames=[str(frame["src"])], forms=[BUILDER_FORM]
        )
        problems += [f"payload echoed raw: {p!r}" for p in raw_echoes(response.text, PAYLOADS)]
        assert str(frame["src"]).startswith(f"{PUBLIC_URL}/embed/upcoming")
        assert not problems, report(problems)


@pytest.mark.parametrize("parameter", ["limit", "layout"])
def test_corpus_as_limit_and_layout(
    client: TestClient, our_scripts: frozenset[str], parameter: str
) -> None:
    """Every payload as limit or layout: a 400 naming it, its page safe, nothing echoed."""
    failures = []
    for payload in PAYLOADS:
        for path in ("/embed/upcoming", "/embed/next"):
            if parameter == "limit" and path == "/embed/next":
                continue  # not a parameter of the single-event widget
            url = f"{path}?{parameter}={quote(payload, safe='')}"
            response = client.get(url)
            if response.status_code != 400:
                failures.append(f"{url}: status {response.status_code}")
                continue
            if parameter not in response.text:
                failures.append(f"{url}: the error does not name {parameter}")
            problems = page_problems(response, our_scripts)
            problems += [f"echoed raw: {p!r}" for p in raw_echoes(response.text, [payload])]
            failures += [f"{url}: {problem}" for problem in problems]
    assert not failures, report(failures)
