"""The map of the cities (widget/documents/world_map.py, templates/_map.html): the outlines
committed are what the build makes, the projection and the frame, and the SVG as pages show it —
one dot per located city, each inside a link to an existing list entry, named, with no
tab stop but those links, under its size budget, on the widget only with ``map=1``."""

from __future__ import annotations

import gzip
import json
import math
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from build_world_map import SOURCE, build
from located_data import locate
from starlette.testclient import TestClient

from widget.app import create_app
from widget.documents.world_map import (
    ASPECT,
    HEIGHT,
    MIN_SPAN,
    WIDTH,
    WORLD_FILE,
    WORLD_FRAME,
    Dot,
    frame,
    project,
    targets,
    world_map,
)
from widget.feeds.gazetteer import gazetteer
from widget.model import slugify
from widget.settings import SAMPLE_DATA_DIR, Settings

from conftest import BEFORE, PUBLIC_URL, SAMPLE_SLUG

BUDGET = 40 * 1024  # bytes of the whole map, gzipped


def test_committed_outlines_are_what_the_build_makes() -> None:
    """widget/data/world.json is exactly tests/build_world_map.py's output from the locked
    world-atlas (``make world-map`` after changing either)."""
    assert SOURCE.exists(), "npm ci installs world-atlas (make .venv/.test-deps)"
    assert WORLD_FILE.read_text(encoding="utf-8") == build(SOURCE)


def test_outlines_are_one_closed_path_on_the_plane() -> None:
    """The land is one path of closed rings, every point on the projection's plane."""
    data = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    assert (data["width"], data["height"]) == (WIDTH, HEIGHT)
    land = data["land"]
    assert land.startswith("M") and land.endswith("z")
    assert land.count("M") == land.count("z") > 100
    assert "Natural Earth" in data["source"]


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (0.0, 0.0, (WIDTH / 2, HEIGHT / 2)),  # the centre
        (-180.0, 0.0, (0.0, HEIGHT / 2)),  # the west end of the equator
        (180.0, 0.0, (WIDTH, HEIGHT / 2)),
        (0.0, 90.0, (WIDTH / 2, 0.0)),  # the poles: top and bottom edges
        (0.0, -90.0, (WIDTH / 2, HEIGHT)),
    ],
)
def test_projection_fills_the_plane(lon: float, lat: float, expected: tuple[float, float]) -> None:
    """Natural Earth's extremes land on the plane's edges and its centre."""
    x, y = project(lon, lat)
    assert math.isclose(x, expected[0], abs_tol=0.15) and math.isclose(y, expected[1], abs_tol=0.15)


def test_projection_keeps_east_right_and_north_up() -> None:
    """Amsterdam is east and north of London, Sydney south-east of both."""
    london, amsterdam, sydney = project(-0.13, 51.5), project(4.9, 52.37), project(151.2, -33.9)
    assert london[0] < amsterdam[0] < sydney[0]
    assert amsterdam[1] < london[1] < sydney[1]


@pytest.mark.parametrize(
    "points",
    [
        [project(4.3, 52.08)],  # one city: its region
        [project(4.3, 52.08), project(13.4, 52.52)],  # two close ones
        [project(-122.4, 37.8), project(-74.0, 40.7)],  # a continent
        [project(-21.9, 64.1), project(-179.0, 70.0)],  # near the plane's edges
        [project(174.8, -41.3), project(178.4, -18.1)],  # at the east edge
    ],
)
def test_frame_holds_its_points_with_a_margin(points: list[tuple[float, float]]) -> None:
    """The frame contains every point, keeps the map's aspect ratio, is at least the minimum
    span wide and stays on the world."""
    box = frame(points)
    assert math.isclose(box.width / box.height, ASPECT, rel_tol=0.01)
    assert box.width >= WIDTH * MIN_SPAN - 0.1
    assert box.x >= 0 and box.y >= 0
    assert box.x + box.width <= WIDTH + 0.1 and box.y + box.height <= HEIGHT + 0.1
    for x, y in points:
        assert box.x < x < box.x + box.width and box.y < y < box.y + box.height


def test_a_world_wide_spread_shows_the_whole_world() -> None:
    """Cities on several continents (or none at all) get the whole world."""
    assert frame([project(-122.4, 37.8), project(151.2, -33.9)]) == WORLD_FRAME
    assert frame([]) == WORLD_FRAME
    assert WORLD_FRAME.width == WIDTH


def test_close_dots_share_one_link_and_far_ones_do_not() -> None:
    """Dots closer than the reach join the first one's link; every dot stays drawn."""
    dots = [Dot("a", "A", 0, 0), Dot("b", "B", 100, 0), Dot("c", "C", 3, 4), Dot("d", "D", 0, 6)]
    grouped = targets(dots, reach=5.5)
    assert [[dot.id for dot in target.dots] for target in grouped] == [["a", "c"], ["b"], ["d"]]
    assert grouped[0].href == "#pw-city-a" and grouped[0].label == "A; C"


def test_no_located_city_no_map() -> None:
    """A map without a dot tells nothing: there is none."""
    assert world_map([]) is None


# --- the SVG as pages show it -------------------------------------------------------


@pytest.fixture
def located(tmp_path: Path) -> Path:
    """A copy of the sample whose cities have their gazetteer coordinates."""
    target = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, target)
    return locate(target)


def client_for(data_dir: Path) -> TestClient:
    """A client on ``data_dir`` before the sample protest."""
    settings = Settings(public_url=PUBLIC_URL, data_dir=data_dir, now=BEFORE, reload_seconds=0)
    return TestClient(create_app(settings), base_url=PUBLIC_URL)


def the_map(html: str) -> tuple[BeautifulSoup, Tag]:
    """The document and its map's ``<svg>``."""
    document = BeautifulSoup(html, "html.parser")
    svg = document.select_one("figure.map svg")
    assert svg is not None
    return document, svg


def check_structure(document: BeautifulSoup, svg: Tag, located_ids: set[str]) -> None:
    """One dot per located city, each in a link to an existing entry of that city (or of a
    city beside it), named; a titled, described group; no other tab stop."""
    assert svg.get("role") == "group"
    title, desc = svg.find("title"), svg.find("desc")
    assert isinstance(title, Tag) and isinstance(desc, Tag)
    assert svg["aria-labelledby"] == title["id"] and svg["aria-describedby"] == desc["id"]
    assert title.get_text().strip() and desc.get_text().strip()
    dots = svg.select("circle.dot")
    assert len(dots) == len(located_ids)
    for link in svg.find_all("a"):
        target = document.find(id=str(link["href"]).removeprefix("#"))
        assert isinstance(target, Tag) and target.name == "li"
        assert link["aria-label"] and link.select("circle.dot")
    for dot in dots:
        link = dot.find_parent("a")
        assert link is not None and link.find_parent("svg") is svg
    # The link of a group of dots leads to one of its own cities.
    drawn = {str(link["href"]).removeprefix("#pw-city-") for link in svg.find_all("a")}
    assert drawn <= located_ids
    focusable = svg.select("[tabindex], [href]")
    assert all(node.name == "a" for node in focusable)
    assert not svg.select("[tabindex]")
    land = svg.select_one("path.land")
    assert land is not None and land["aria-hidden"] == "true"


def test_event_page_map_has_a_dot_per_city(located: Path) -> None:
    """The event page of the located sample: 14 dots, each linked to its entry."""
    with client_for(located) as client:
        html = client.get(f"/events/{SAMPLE_SLUG}?lang=en").text
    document, svg = the_map(html)
    ids = {str(li["id"]).removeprefix("pw-city-") for li in document.select("li[id^=pw-city-]")}
    assert len(ids) == 14
    check_structure(document, svg, ids)


def test_only_located_cities_get_dots(located: Path) -> None:
    """A city without coordinates (none typed, none the gazetteer knows) stays in the list
    and gets no dot."""
    path = located / "2024-05-13-international-protest" / "event.yaml"
    event = yaml.safe_load(path.read_text(encoding="utf-8"))
    for number, location in enumerate(event["locations"][:4]):
        del location["coordinates"]
        location["id"] = slugify(location["city"])  # the texts name cities by id
        location["city"] = f"Nowhereville {number}"
    path.write_text(yaml.safe_dump(event, allow_unicode=True), encoding="utf-8")
    with client_for(located) as client:
        html = client.get(f"/events/{SAMPLE_SLUG}?lang=en").text
    document, svg = the_map(html)
    assert len(document.select("li[id^=pw-city-]")) == 14
    assert len(svg.select("circle.dot")) == 10


def test_the_sample_is_mapped_from_the_gazetteer(client: TestClient) -> None:
    """The bundled sample types no coordinates: the offline gazetteer gives all 14 cities
    theirs at load, so its page has the map, one dot per city."""
    document, svg = the_map(client.get(f"/events/{SAMPLE_SLUG}").text)
    assert len(document.select("li[id^=pw-city-]")) == 14
    assert len(svg.select("circle.dot")) == 14


def test_an_event_no_city_of_which_is_located_has_no_map(located: Path) -> None:
    """Cities neither typed with coordinates nor known to the gazetteer: no map, the list
    as before."""
    path = located / "2024-05-13-international-protest" / "event.yaml"
    event = yaml.safe_load(path.read_text(encoding="utf-8"))
    for number, location in enumerate(event["locations"]):
        del location["coordinates"]
        location["id"] = slugify(location["city"])  # the texts name cities by id
        location["city"] = f"Nowhereville {number}"
    path.write_text(yaml.safe_dump(event, allow_unicode=True), encoding="utf-8")
    with client_for(located) as client:
        document = BeautifulSoup(client.get(f"/events/{SAMPLE_SLUG}").text, "html.parser")
    assert document.select("figure.map") == []
    assert len(document.select("li[id^=pw-city-]")) == 14


def test_widget_shows_the_map_only_with_map_1(located: Path) -> None:
    """``map=1`` adds the map framed to the filtered cities; without it, or with ``map=0``,
    the widget is as before; each is its own cache entry."""
    with client_for(located) as client:
        plain = client.get(f"/embed/{SAMPLE_SLUG}?lang=en")
        off = client.get(f"/embed/{SAMPLE_SLUG}?lang=en&map=0")
        shown = client.get(f"/embed/{SAMPLE_SLUG}?lang=en&map=1&country=NL,DE")
    assert "<svg viewBox" not in plain.text and off.text == plain.text
    document, svg = the_map(shown.text)
    check_structure(document, svg, {"den-haag", "berlin"})
    assert svg["viewbox"] != WORLD_FRAME.view_box  # framed to Europe, not the world
    assert shown.headers["etag"] != plain.headers["etag"]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("map=2", "Invalid map"),
        ("map=true", "Invalid map"),  # only 0 and 1
        ("map=", "Invalid map"),  # empty
        ("map=1%00", "Invalid map"),  # a NUL after the digit
        ("map=%EF%BC%91", "Invalid map"),  # a full-width digit one
        ("map=1&map=1", "more than once"),  # repeated
        ("map=" + "1" * 600, "too long"),
    ],
)
def test_malformed_map_is_a_400_naming_it(client: TestClient, query: str, problem: str) -> None:
    """A malformed ``map`` gets a 400 that names the parameter, never a 500."""
    response = client.get(f"/embed/{SAMPLE_SLUG}?{query}", headers={"accept": "application/json"})
    assert response.status_code == 400
    assert "map" in response.text and problem in response.text


def test_map_stays_under_its_budget_at_its_biggest(tmp_path: Path) -> None:
    """The biggest map — the whole world, the most locations an event may have (500), each
    a distinct city — is under 40 KB gzipped."""
    cities = sorted(
        {(c.name, c.country): c for rows in gazetteer().by_name.values() for c in rows}.values(),
        key=lambda city: -city.population,
    )[:500]
    directory = tmp_path / "data" / "big"
    directory.mkdir(parents=True)
    facts = {
        "date": "2024-05-13",
        "locations": [
            {
                "id": f"c{index}",
                "city": city.name,
                "country": city.country,
                "coordinates": {"lat": city.lat, "lon": city.lon},
                "signup_url": f"https://example.org/{index}",
            }
            for index, city in enumerate(cities)
        ],
    }
    (directory / "event.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True), "utf-8")
    (directory / "en.md").write_text("---\ntitle: Big\n---\n", encoding="utf-8")
    with client_for(tmp_path / "data") as client:
        for path in ("/events/big", "/embed/big?map=1"):
            html = client.get(path).text
            start, end = html.index('<figure class="map">'), html.index("</figure>") + 9
            _, svg = the_map(html)
            assert len(svg.select("circle.dot")) == 500
            assert svg["viewbox"] == WORLD_FRAME.view_box
            assert len(gzip.compress(html[start:end].encode())) < BUDGET
