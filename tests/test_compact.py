"""The compact banner, ``layout=compact`` on ``/embed/{slug|next|upcoming}``: its parts
(title, days, likely city, one button), its states (signup, cancelled, t.b.a. only, past,
nothing planned), the candidate cities it hands to page code, its height estimate, its
cache keys, and how the snippet, oEmbed and the builder ask for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from starlette.testclient import TestClient
from test_upcoming import make_client, visible
from upcoming_support import NOW, write_catalog

from widget.documents.widget_height import COMPACT_MAX, BannerContent, estimate_compact_height
from widget.languages import SUPPORTED_LANGUAGES

from conftest import PUBLIC_URL

AFTER_ALL = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every state: past, multi-day, cancelled, t.b.a. cities, one city, twenty cities."""
    return write_catalog(tmp_path_factory.mktemp("compact") / "data")


@pytest.fixture(scope="module")
def client(catalog_dir: Path) -> Iterator[TestClient]:
    """A client on that catalog at ``NOW``."""
    with make_client(catalog_dir, NOW) as test_client:
        yield test_client


def banner(client: TestClient, path: str, query: str = "lang=en") -> BeautifulSoup:
    """The banner at ``path`` (with ``layout=compact``), parsed."""
    response = client.get(f"{path}?layout=compact&{query}")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    document = BeautifulSoup(response.text, "html.parser")
    assert document.body is not None and document.body["class"] == ["compact"]
    return document


def parts(document: BeautifulSoup) -> dict[str, object]:
    """The banner as data: title and its link, the date line, the city, the button."""
    title = document.select_one("main.banner h1")
    meta = document.select_one("main.banner .meta")
    city = document.select_one("[data-pw-city]")
    buttons = document.select("main.banner a.action")
    assert isinstance(title, Tag)
    assert len(buttons) <= 1  # one primary button at most
    link = title.a
    return {
        "title": visible(title),
        "title_href": link["href"] if link else None,
        "meta": visible(meta) if meta else None,
        "city": visible(city) if city else None,
        "button": visible(buttons[0]) if buttons else None,
        "button_name": buttons[0].get_text() if buttons else None,
        "button_href": buttons[0]["href"] if buttons else None,
    }


def test_one_event_with_its_first_city_and_signup(client: TestClient) -> None:
    """Title linking to its page, its days, the first city in the data's order and that
    city's counted signup link as the one button (named for city and platform)."""
    found = parts(banner(client, "/embed/multi-day"))
    assert found == {
        "title": "PauseAI week of action",
        "title_href": f"{PUBLIC_URL}/events/multi-day?lang=en",
        "meta": "Feb 7 \u2013 11, 2026 · Zürich",
        "city": "Zürich",
        "button": "Sign up",
        "button_name": "Sign up: Zürich, Register on Luma (opens in a new tab)",
        "button_href": f"{PUBLIC_URL}/go/multi-day/zurich",
    }


def test_next_is_the_next_event(client: TestClient) -> None:
    """``next`` resolves as everywhere: the soonest event not over."""
    assert parts(banner(client, "/embed/next")) == parts(banner(client, "/embed/multi-day"))


def test_upcoming_skips_cancelled_events(client: TestClient) -> None:
    """The upcoming banner shows the soonest event that still takes place."""
    document = banner(client, "/embed/upcoming", "lang=en&country=NL")
    assert parts(document)["title"] == "Picket at the AI summit"  # not the cancelled vigil
    assert parts(document)["button_href"] == f"{PUBLIC_URL}/go/one-city/den-haag"


def test_cancelled_event_points_to_its_page(client: TestClient) -> None:
    """A cancelled event (asked for by slug) is marked and its button is its page."""
    found = parts(banner(client, "/embed/called-off"))
    assert found["meta"] == "Cancelled Feb 20, 2026"
    assert found["city"] is None
    assert found["button"] == "Details"
    assert found["button_name"] == "Details: Vigil in Utrecht (opens in a new tab)"
    assert found["button_href"] == f"{PUBLIC_URL}/events/called-off?lang=en"


def test_no_city_with_a_link_points_to_the_page(client: TestClient) -> None:
    """With its cities still to be announced (or cancelled) the button is the event page."""
    found = parts(banner(client, "/embed/tba-cities"))
    assert found["city"] is None
    assert found["button_href"] == f"{PUBLIC_URL}/events/tba-cities?lang=en"


def test_past_event_says_it_took_place(client: TestClient) -> None:
    """A past event's banner says when it took place and asks for no signup."""
    found = parts(banner(client, "/embed/last-year"))
    assert found["meta"] == "Took place on Nov 1, 2025"
    assert found["button"] == "Details"


def test_nothing_planned_offers_the_organize_link(catalog_dir: Path) -> None:
    """The upcoming banner with nothing ahead says so; its button is the organize link."""
    with make_client(catalog_dir, AFTER_ALL) as client:
        found = parts(banner(client, "/embed/upcoming"))
        assert found["title"] == "Nothing planned yet."
        assert found["button"] == "Organize one"
        assert found["button_href"] == f"{PUBLIC_URL}/go/international"


def test_candidates_carry_what_nearest_city_code_needs(client: TestClient) -> None:
    """Every city with an open signup link is in the hidden candidate list, in the data's
    order, with its id, country, coordinates (typed or from the gazetteer), counted link
    and label; the first is the one the banner shows."""
    document = banner(client, "/embed/international")
    listed = document.select_one("ul[data-pw-candidates]")
    assert isinstance(listed, Tag) and listed.has_attr("hidden")
    items = listed.select("li")
    assert len(items) == 20
    assert [item["data-location"] for item in items[:3]] == ["amsterdam", "rotterdam", "berlin"]
    first = items[0]
    assert first.get_text() == "Amsterdam" == parts(document)["city"]
    assert first["data-href"] == parts(document)["button_href"]
    assert first["data-country"] == "NL"
    assert first["data-label"] == "Register on Luma"
    assert abs(float(str(first["data-lat"])) - 52.37) < 0.1
    assert abs(float(str(first["data-lon"])) - 4.89) < 0.1
    # Rotterdam's coordinates are not in the data: the offline gazetteer gives them.
    assert abs(float(str(items[1]["data-lat"])) - 51.92) < 0.1
    assert abs(float(str(items[1]["data-lon"])) - 4.48) < 0.1
    action_city = document.select_one("[data-pw-action] [data-pw-action-city]")
    assert action_city is not None and action_city.get_text() == "Amsterdam"


def test_city_filter_picks_the_banner_city(client: TestClient) -> None:
    """city= narrows the candidates, so a local group's banner names its own city."""
    found = parts(banner(client, "/embed/international", "lang=en&city=oslo"))
    assert found["city"] == "Oslo"
    assert found["button_href"] == f"{PUBLIC_URL}/go/international/oslo"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_banner_speaks_every_language(client: TestClient, language: str) -> None:
    """The button and the hidden words are in the page's language."""
    english = parts(banner(client, "/embed/multi-day"))
    found = parts(banner(client, "/embed/multi-day", f"lang={language}"))
    assert found["button_href"] == english["button_href"]
    if language != "en":
        assert found["button"] != english["button"]
        assert found["button_name"] != english["button_name"]


@pytest.mark.parametrize(
    ("path", "located"), [("/embed/multi-day", True), ("/embed/called-off", False)]
)
def test_banner_has_no_consent_facades_and_its_scripts(
    client: TestClient, path: str, located: bool
) -> None:
    """No media in a banner (nothing to consent to); widget.js reports its height; zones.js
    and nearest.js (the visitor's nearest city) come only when a candidate has coordinates,
    and then with the "closest to you" mark's template."""
    document = banner(client, path)
    assert document.select(".media") == []
    scripts = [
        str(script["src"]).split("/static/")[1].split(".")[0]
        for script in document.select("script[src]")
    ]
    assert bool(document.select("[data-pw-candidates] li[data-lat][data-lon]")) == located
    assert scripts == (["widget", "zones", "nearest"] if located else ["widget"])
    mark = document.select_one("template#pw-near-mark")
    assert (mark is not None) == located
    if mark is not None:
        assert mark.decode_contents() == '<span class="near">closest to you</span>'


@pytest.mark.parametrize("path", ["/embed/multi-day", "/embed/next", "/embed/upcoming"])
def test_layout_is_part_of_the_cache_key(client: TestClient, path: str) -> None:
    """layout=compact is its own body; layout=full is the default's."""
    full = client.get(f"{path}?lang=en")
    compact = client.get(f"{path}?lang=en&layout=compact")
    written = client.get(f"{path}?lang=en&layout=full")
    assert compact.headers["etag"] != full.headers["etag"]
    assert written.headers["etag"] == full.headers["etag"]


def test_limit_does_not_split_the_banner(client: TestClient) -> None:
    """The upcoming banner shows one event: every limit names the same body."""
    one = client.get("/embed/upcoming?lang=en&layout=compact")
    other = client.get("/embed/upcoming?lang=en&layout=compact&limit=7")
    assert one.headers["etag"] == other.headers["etag"]


@pytest.mark.parametrize(
    "query", ["layout=", "layout=Compact", "layout=mini", "layout=compact&layout=compact"]
)
@pytest.mark.parametrize("path", ["/embed/multi-day", "/embed/next", "/embed/upcoming"])
def test_hostile_layout_is_a_400_naming_it(client: TestClient, path: str, query: str) -> None:
    """A malformed layout is a 400 naming the parameter."""
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "layout" in BeautifulSoup(response.text, "html.parser").get_text()


def test_layout_on_the_event_page_is_ignored(client: TestClient) -> None:
    """The event page has no layouts: the parameter is unknown there and changes nothing."""
    plain = client.get("/events/multi-day?lang=en")
    other = client.get("/events/multi-day?lang=en&layout=whatever")
    assert other.status_code == 200
    assert other.headers["etag"] == plain.headers["etag"]


# --- height -------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [320, 480, 800])
def test_estimate_is_bounded_and_grows_with_text(width: int) -> None:
    """Longer texts never make a shorter banner; nothing makes one over COMPACT_MAX."""
    short = estimate_compact_height(BannerContent(10, 10, 7), width)
    longer = estimate_compact_height(BannerContent(200, 200, 7), width)
    assert 40 <= short <= longer <= COMPACT_MAX <= 120


@pytest.mark.parametrize("url", ["/events/multi-day", "/events/next", "/events", "/embed/upcoming"])
def test_oembed_passes_the_layout_and_announces_a_banner(client: TestClient, url: str) -> None:
    """oEmbed keeps layout=compact in the iframe's URL and announces a banner's height."""
    data = client.get(
        "/oembed", params={"url": f"{PUBLIC_URL}{url}?layout=compact&lang=de", "maxwidth": "320"}
    ).json()
    frame = BeautifulSoup(data["html"], "html.parser").iframe
    assert isinstance(frame, Tag)
    source = urlsplit(str(frame["src"]))
    assert parse_qs(source.query) == {"lang": ["de"], "layout": ["compact"]}
    assert data["width"] == 320
    assert 40 <= data["height"] <= COMPACT_MAX


def test_oembed_hostile_layout_is_a_404_naming_url(client: TestClient) -> None:
    """A malformed layout inside the url makes it a url we do not embed."""
    response = client.get("/oembed", params={"url": f"{PUBLIC_URL}/events/next?layout=tiny"})
    assert response.status_code == 404
    assert "layout" in response.text


def test_builder_offers_the_compact_layout(client: TestClient) -> None:
    """The builder's layout choice gives data-layout="compact", an iframe of banner height
    and the preview of the banner."""
    document = BeautifulSoup(client.get("/?event=multi-day&layout=compact").text, "html.parser")
    choice = document.select_one("input[name=layout][value=compact]")
    assert isinstance(choice, Tag) and choice.has_attr("checked")
    frame = document.select_one("[data-preview-frame]")
    assert frame is not None and frame["src"] == f"{PUBLIC_URL}/embed/multi-day?layout=compact"
    script = BeautifulSoup(document.select_one("#snippet-script").get_text(), "html.parser")  # type: ignore[union-attr]
    placeholder = script.select_one("[data-pauseai-widget]")
    assert placeholder is not None and placeholder["data-layout"] == "compact"
    iframe = BeautifulSoup(document.select_one("#snippet-iframe").get_text(), "html.parser").iframe  # type: ignore[union-attr]
    assert iframe is not None and int(str(iframe["height"])) <= COMPACT_MAX
    full = BeautifulSoup(client.get("/?event=multi-day").text, "html.parser")
    plain = BeautifulSoup(full.select_one("#snippet-script").get_text(), "html.parser")  # type: ignore[union-attr]
    assert not plain.select_one("[data-pauseai-widget]").has_attr("data-layout")  # type: ignore[union-attr]


def test_builder_rejects_a_hostile_layout(client: TestClient) -> None:
    """The builder's layout field is validated like the widget's."""
    response = client.get("/?layout=huge")
    assert response.status_code == 400
    assert "layout" in response.text
