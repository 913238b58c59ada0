"""The canonical event page: content, discovery, Open Graph, JSON-LD, languages, caching."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from widget.app import create_app
from widget.documents.structured_data import event_graph, script_json
from widget.model import Event, EventText, Status
from widget.routes.event_page import description_of, link_header, og_locale
from widget.settings import SAMPLE_DATA_DIR, Settings
from widget.store import load_or_raise

from conftest import PUBLIC_URL, SAMPLE_SLUG

PAGE = f"{PUBLIC_URL}/events/{SAMPLE_SLUG}"
IMAGE = f"{PAGE}.png"
# What search engines require or recommend for an Event, per location.
REQUIRED = {
    "@context",
    "@type",
    "name",
    "startDate",
    "location",
    "eventStatus",
    "eventAttendanceMode",
    "organizer",
    "offers",
    "image",
    "description",
    "url",
}


class _ScriptBlocks(HTMLParser):
    """Collects the text of <script type="application/ld+json"> blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def json_ld(html: str) -> list[Any]:
    """Every JSON-LD block of a page, parsed."""
    parser = _ScriptBlocks()
    parser.feed(html)
    return [json.loads(block) for block in parser.blocks]


def page(client: TestClient, query: str = "", slug: str = SAMPLE_SLUG, **kwargs: Any) -> Any:
    """GET the event page, asserting a 200 HTML answer."""
    response = client.get(f"/events/{slug}{'?' + query if query else ''}", **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response


def soup(html: str) -> BeautifulSoup:
    """Parse a page."""
    return BeautifulSoup(html, "html.parser")


def meta(document: BeautifulSoup) -> dict[str, str]:
    """<meta property|name=… content=…> as a dict (the first of each)."""
    found: dict[str, str] = {}
    for tag in document.find_all("meta"):
        key = tag.get("property") or tag.get("name")
        if key and key not in found:
            found[str(key)] = str(tag.get("content"))
    return found


def links(document: BeautifulSoup, rel: str) -> list[dict[str, str]]:
    """The attributes of every <link rel=REL>."""
    return [
        {
            name: " ".join(value) if isinstance(value, list) else value
            for name, value in tag.attrs.items()
        }
        for tag in document.find_all("link")
        if rel in tag.get("rel", [])
    ]


@pytest.fixture(scope="module")
def event() -> Event:
    """The bundled sample event."""
    return load_or_raise(SAMPLE_DATA_DIR).by_slug[SAMPLE_SLUG]


# --- content ------------------------------------------------------------------------------


def test_page_shows_the_event(client: TestClient, event: Event) -> None:
    """Title, date, summary, every city's signup link, the body, press, media, .ics, embed."""
    document = soup(page(client, "lang=en").text)
    assert document.h1 is not None
    assert document.h1.get_text() == "PauseAI international protest, 13 May 2024"
    assert document.find("time", attrs={"datetime": "2024-05-13"}) is not None
    signups = {a["href"] for a in document.select(".cities a.row")}
    assert signups == {f"{PUBLIC_URL}/go/{SAMPLE_SLUG}/{loc.id}" for loc in event.locations}
    about = document.select_one(".about .prose")
    assert about is not None
    assert {a["href"] for a in about.find_all("a")} >= {"https://pauseai.info/risks"}
    assert all("nofollow" in a["rel"] for a in about.find_all("a"))
    assert [a["href"] for a in document.select(".press a")] == [link.url for link in event.press]
    facade = document.select_one("section.media")
    assert facade is not None and facade["data-consent"] == "x"
    hrefs = {a["href"] for a in document.find_all("a")}
    assert f"{PAGE}.ics?lang=en" in hrefs
    assert f"{PUBLIC_URL}/?event={SAMPLE_SLUG}" in hrefs


def test_page_loads_only_our_own_scripts_and_no_inline_handlers(client: TestClient) -> None:
    """Scripts are ours (consent.js for the media); no style attribute or on* handler."""
    response = page(client, "lang=en")
    document = soup(response.text)
    sources = [tag.get("src") for tag in document.find_all("script") if tag.get("src")]
    assert sources and all(str(src).startswith(f"{PUBLIC_URL}/static/") for src in sources)
    for tag in document.find_all(True):
        assert "style" not in tag.attrs
        assert not any(name.startswith("on") for name in tag.attrs)
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "https://platform.twitter.com" in policy  # the X post behind its facade


# --- discovery and sharing ----------------------------------------------------------------


def test_oembed_discovery_links_and_header(client: TestClient) -> None:
    """JSON and XML alternate links (and a Link header) point at our oEmbed endpoint."""
    response = page(client)
    document = soup(response.text)
    alternates = {
        link["type"]: link["href"] for link in links(document, "alternate") if "type" in link
    }
    assert set(alternates) == {"application/json+oembed", "text/xml+oembed"}
    for media_type, href in alternates.items():
        parts = urlsplit(href)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{PUBLIC_URL}/oembed"
        query = parse_qs(parts.query)
        assert query["url"] == [PAGE]
        assert query["format"] == [media_type.split("/")[1].split("+")[0]]
        assert href in response.headers["link"]
        discovered = client.get(href.removeprefix(PUBLIC_URL))
        assert discovered.status_code == 200
    assert response.headers["link"] == link_header(
        alternates["application/json+oembed"], alternates["text/xml+oembed"]
    )


def test_discovery_keeps_next_and_an_explicit_language(client: TestClient) -> None:
    """/events/next?lang=en is discovered as itself, so the embed keeps following."""
    document = soup(page(client, "lang=en&utm_source=x", slug="next").text)
    href = next(
        link["href"]
        for link in links(document, "alternate")
        if link.get("type") == "application/json+oembed"
    )
    assert parse_qs(urlsplit(href).query)["url"] == [f"{PUBLIC_URL}/events/next?lang=en"]


def test_open_graph_and_twitter_card(client: TestClient) -> None:
    """og:* and twitter:* describe the page with the 1200x630 card."""
    document = soup(page(client, "lang=en").text)
    tags = meta(document)
    canonical = links(document, "canonical")
    assert canonical == [{"rel": "canonical", "href": f"{PAGE}?lang=en"}]
    assert tags["og:type"] == "website"
    assert tags["og:title"] == "PauseAI international protest, 13 May 2024"
    assert tags["og:description"].startswith("On Monday 13 May")
    assert tags["og:url"] == f"{PAGE}?lang=en"
    assert tags["og:image"] == f"{IMAGE}?lang=en"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:locale"] == "en_US"
    assert [
        tag["content"] for tag in document.find_all("meta", property="og:locale:alternate")
    ] == ["nl_NL"]
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:image"] == tags["og:image"]
    assert tags["description"] == tags["og:description"]
    image = client.get(tags["og:image"].removeprefix(PUBLIC_URL))
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"


def test_hreflang_alternates_cover_every_text_language(client: TestClient) -> None:
    """One alternate per language with a text, plus x-default."""
    document = soup(page(client, "lang=nl").text)
    hreflangs = {
        link["hreflang"]: link["href"]
        for link in links(document, "alternate")
        if "hreflang" in link
    }
    assert hreflangs == {"en": f"{PAGE}?lang=en", "nl": f"{PAGE}?lang=nl", "x-default": PAGE}
    switcher = [(a["hreflang"], "aria-current" in a.attrs) for a in document.select(".languages a")]
    assert switcher == [("en", False), ("nl", True)]


def test_without_lang_the_canonical_is_the_x_default_page(client: TestClient) -> None:
    """A negotiated page is the x-default URL itself, not another hreflang alternate."""
    document = soup(page(client, headers={"accept-language": "en"}).text)
    assert links(document, "canonical") == [{"rel": "canonical", "href": PAGE}]
    assert meta(document)["og:url"] == PAGE


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "en_US"),
        ("nl", "nl_NL"),
        ("nb", "nb_NO"),
        ("pt-BR", "pt_BR"),
        ("is", "is_IS"),
    ],
)
def test_og_locale_has_a_territory(code: str, expected: str) -> None:
    """Open Graph wants language_TERRITORY."""
    assert og_locale(code) == expected


def test_description_is_plain_and_bounded() -> None:
    """The meta description is the summary, else the body's text, cut at a word."""
    assert description_of("A *short* summary", "") == "A short summary"
    long = description_of("", "word " * 200)
    assert len(long) <= 300 and long.endswith("…")


# --- JSON-LD ------------------------------------------------------------------------------


def test_json_ld_has_one_complete_event_per_location(client: TestClient, event: Event) -> None:
    """A schema.org Event per city with everything search engines ask for."""
    blocks = json_ld(page(client, "lang=en").text)
    assert len(blocks) == 1
    nodes = blocks[0]
    assert len(nodes) == len(event.locations)
    for node, location in zip(nodes, event.locations, strict=True):
        assert set(node) >= REQUIRED
        assert node["@context"] == "https://schema.org"
        assert node["@type"] == "Event"
        assert node["startDate"] == "2024-05-13"
        assert node["eventStatus"] == "https://schema.org/EventScheduled"
        assert node["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
        place = node["location"]
        assert place["@type"] == "Place"
        assert place["address"]["@type"] == "PostalAddress"
        assert place["address"]["addressCountry"] == location.country
        assert place["address"]["addressLocality"]
        assert node["offers"] == {
            "@type": "Offer",
            "url": location.signup_url,
            "availability": "https://schema.org/InStock",
        }
        assert node["organizer"] == {
            "@type": "Organization",
            "name": "PauseAI",
            "url": "https://pauseai.info",
        }
        assert node["image"] == [f"{IMAGE}?lang=en"]
        assert node["url"] == PAGE
        assert node["description"].startswith("On Monday 13 May")
    hague = next(node for node in nodes if node["offers"]["url"].startswith("https://chat."))
    assert hague["location"]["address"]["addressLocality"] == "The Hague"


def test_a_time_and_zone_give_a_zoned_start(data_dir: Path) -> None:
    """With a start time and a time zone, startDate carries the zone's offset."""
    path = data_dir / SAMPLE_SLUG / "event.yaml"
    data = yaml.safe_load(path.read_text())
    data["locations"][6].update(start_time="14:00", end_time="16:30", timezone="Europe/Amsterdam")
    for location in data["locations"]:
        location.setdefault("timezone", "UTC")
    data["start_time"] = "12:00"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    settings = Settings(
        public_url=PUBLIC_URL,
        data_dir=data_dir,
        reload_seconds=0,
        now=datetime(2024, 5, 1, tzinfo=UTC),
    )
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as client:
        nodes = json_ld(page(client, "lang=en").text)[0]
    hague = next(node for node in nodes if node["location"]["name"] == "The Hague")
    assert (hague["startDate"], hague["endDate"]) == (
        "2024-05-13T14:00:00+02:00",
        "2024-05-13T16:30:00+02:00",
    )
    assert nodes[0]["startDate"] == "2024-05-13T12:00:00+00:00"


@pytest.mark.parametrize(
    ("status", "schema_status", "mode"),
    [
        (Status.SCHEDULED, "EventScheduled", "OfflineEventAttendanceMode"),
        (Status.CANCELLED, "EventCancelled", "OfflineEventAttendanceMode"),
        (Status.POSTPONED, "EventPostponed", "OfflineEventAttendanceMode"),
        (Status.MOVED_ONLINE, "EventMovedOnline", "OnlineEventAttendanceMode"),
    ],
)
def test_status_maps_to_schema_org(
    event: Event, status: Status, schema_status: str, mode: str
) -> None:
    """eventStatus and eventAttendanceMode follow the event's status."""
    changed = event.model_copy(update={"status": status})
    node = event_graph(changed, language="en", description="d", page_url=PAGE, image_url=IMAGE)[
        0
    ].model_dump(by_alias=True, exclude_none=True)
    assert node["eventStatus"] == f"https://schema.org/{schema_status}"
    assert node["eventAttendanceMode"] == f"https://schema.org/{mode}"
    if status is Status.MOVED_ONLINE:
        assert [item["@type"] for item in node["location"]] == ["VirtualLocation", "Place"]


LINK = {"url": "https://lu.ma/x"}
SCHEMA = "https://schema.org/"


@pytest.mark.parametrize(
    ("location", "event_facts", "expected"),
    [
        # (location, event facts, the node's (start, end, status, mode, location types, offer))
        pytest.param(
            {"city": "Oxford", "country": "GB", "links": [LINK]},
            {"end_date": "2025-02-11"},
            ("2025-02-07", "2025-02-11", "EventScheduled", "Offline", "Place", LINK["url"]),
            id="multi-day",
        ),
        pytest.param(
            {"city": "Paris", "country": "FR", "date": "2025-02-09", "links": [LINK]},
            {},
            ("2025-02-09", None, "EventScheduled", "Offline", "Place", LINK["url"]),
            id="own-date",
        ),
        pytest.param(
            {"city": "Zürich", "country": "CH"},
            {},
            ("2025-02-07", None, "EventScheduled", "Offline", "Place", None),
            id="tba-no-offer",
        ),
        pytest.param(
            {"city": "Oxford", "country": "GB", "links": [{"url": "mailto:o@pauseai.info"}]},
            {},
            ("2025-02-07", None, "EventScheduled", "Offline", "Place", None),
            id="email-only-no-offer",
        ),
        pytest.param(
            {"city": "Milan", "country": "IT", "status": "cancelled", "links": [LINK]},
            {},
            ("2025-02-07", None, "EventCancelled", "Offline", "Place", None),
            id="cancelled-location-no-offer",
        ),
        pytest.param(
            {"city": "Milan", "country": "IT", "links": [LINK]},
            {"status": "cancelled"},
            ("2025-02-07", None, "EventCancelled", "Offline", "Place", None),
            id="cancelled-event-no-offer",
        ),
        pytest.param(
            {"city": "Lyon", "country": "FR", "status": "moved_online", "links": [LINK]},
            {},
            (
                "2025-02-07",
                None,
                "EventMovedOnline",
                "Online",
                ["VirtualLocation", "Place"],
                LINK["url"],
            ),
            id="moved-online-location",
        ),
        pytest.param(
            {"online": True, "links": [LINK]},
            {},
            ("2025-02-07", None, "EventScheduled", "Online", "VirtualLocation", LINK["url"]),
            id="online",
        ),
        pytest.param(
            {"country": "GB"},
            {"status": "postponed"},
            ("2025-02-07", None, "EventPostponed", "Offline", "Place", None),
            id="country-only-postponed",
        ),
    ],
)
def test_json_ld_of_the_new_shapes(
    location: dict[str, Any], event_facts: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    """Dates from the location's days, its status, online attendance with a VirtualLocation,
    and an offer only for a web link of a location not cancelled."""
    event = Event.model_validate(
        {
            "slug": "shapes",
            "date": "2025-02-07",
            "locations": [location],
            "texts": {"en": {"title": "Shapes"}},
            **event_facts,
        }
    )
    [node] = [
        item.model_dump(by_alias=True, exclude_none=True)
        for item in event_graph(
            event, language="en", description="d", page_url=PAGE, image_url=IMAGE
        )
    ]
    where = node["location"]
    types = [item["@type"] for item in where] if isinstance(where, list) else where["@type"]
    assert (
        node["startDate"],
        node.get("endDate"),
        node["eventStatus"].removeprefix(SCHEMA),
        node["eventAttendanceMode"].removeprefix(SCHEMA).removesuffix("EventAttendanceMode"),
        types,
        node.get("offers", {}).get("url"),
    ) == expected
    if types == "VirtualLocation":
        assert where["url"] == LINK["url"]
    if types == "Place" and "city" not in location:
        assert where["address"] == {"@type": "PostalAddress", "addressCountry": "GB"}
        assert where["name"] == "United Kingdom"


def test_json_ld_cannot_close_its_script_block(event: Event) -> None:
    """A title holding </script> or <!-- stays inside the block and round-trips."""
    hostile = "</script><script>alert(1)</script><!-- & -->"
    texts = {**event.texts, "en": EventText(title=hostile)}
    changed = event.model_copy(update={"texts": texts})
    block = script_json(
        event_graph(changed, language="en", description=hostile, page_url=PAGE, image_url=IMAGE)
    )
    assert "<" not in block and ">" not in block and "&" not in block
    parsed = json_ld(f'<script type="application/ld+json">{block}</script>')[0]
    assert parsed[0]["name"].startswith(hostile)


# --- parameters, language and caching -----------------------------------------------------


def test_language_comes_from_lang_then_header_then_the_event(client: TestClient) -> None:
    """lang= wins; else Accept-Language (and the response varies); else the event's default."""
    chosen = page(client, "lang=en", headers={"accept-language": "de"})
    assert soup(chosen.text).html["lang"] == "en"  # type: ignore[index]
    assert "accept-language" not in chosen.headers.get("vary", "").lower()
    negotiated = page(client, headers={"accept-language": "de-CH, en;q=0.5"})
    assert soup(negotiated.text).html["lang"] == "de"  # type: ignore[index]
    assert negotiated.headers["content-language"] == "de"
    assert "Accept-Language" in negotiated.headers["vary"]
    h1 = soup(negotiated.text).h1
    assert h1 is not None and h1["lang"] == "nl"  # no German text: the Dutch one, marked
    fallback = page(client)
    assert soup(fallback.text).html["lang"] == "nl"  # type: ignore[index]


def test_theme_sets_the_documents_theme(client: TestClient) -> None:
    """theme=dark marks the document; the default is auto."""
    assert soup(page(client, "theme=dark").text).html["data-theme"] == "dark"  # type: ignore[index]
    assert soup(page(client).text).html["data-theme"] == "auto"  # type: ignore[index]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("lang=xx", "lang"),
        ("lang=en&lang=nl", "lang"),  # repeated
        ("theme=neon", "theme"),
        ("theme=" + "x" * 600, "theme"),  # too long
    ],
)
def test_malformed_parameters_are_400_pages(client: TestClient, query: str, parameter: str) -> None:
    """A malformed known parameter gets an HTML 400 naming it."""
    response = client.get(f"/events/{SAMPLE_SLUG}?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert parameter in response.text


@pytest.mark.parametrize("slug", ["no-such-event", "NEXT", "%2e%2e", "a" * 200])
def test_unknown_events_are_404_pages(client: TestClient, slug: str) -> None:
    """An unknown slug is an HTML 404."""
    response = client.get(f"/events/{slug}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_page_is_cached_and_ignores_unknown_parameters(client: TestClient) -> None:
    """Equal requests share a body and ETag (unknown parameters ignored); 304 on a match."""
    first = page(client, "lang=en")
    again = page(client, "lang=en&fbclid=abc&utm_medium=social")
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert "max-age=" in first.headers["cache-control"]
    repeat = client.get(
        f"/events/{SAMPLE_SLUG}?lang=en", headers={"if-none-match": first.headers["etag"]}
    )
    assert repeat.status_code == 304


def test_event_page_shows_the_new_shapes(tmp_path: Path) -> None:
    """The page shows a multi-day range, the rows' states and links, the call to action,
    and one JSON-LD Event per location (none of them offering a missing link)."""
    directory = tmp_path / "data" / "shapes"
    directory.mkdir(parents=True)
    facts = {
        "date": "2026-02-07",
        "end_date": "2026-02-11",
        "organize_url": "mailto:organize@pauseai.info",
        "locations": [
            {
                "city": "Oxford",
                "country": "GB",
                "links": [{"url": "https://lu.ma/ox"}, {"url": "https://chat.whatsapp.com/x"}],
            },
            {"city": "Zürich", "country": "CH"},
            {"online": True, "links": [{"url": "https://discord.gg/x"}]},
        ],
    }
    (directory / "event.yaml").write_text(yaml.safe_dump(facts), encoding="utf-8")
    (directory / "en.md").write_text("---\ntitle: Shapes\n---\n", encoding="utf-8")
    settings = Settings(
        public_url=PUBLIC_URL,
        data_dir=tmp_path / "data",
        reload_seconds=0,
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as client:
        html = page(client, "lang=en", slug="shapes").text
    document = BeautifulSoup(html, "html.parser")
    kicker = document.select_one(".kicker")
    assert kicker is not None
    assert " ".join(kicker.get_text().split()) == "Sat, Feb 7 \u2013 Wed, Feb 11, 2026"
    go = f"{PUBLIC_URL}/go/shapes"
    rows = [
        (
            " ".join(item.select_one(".city").get_text().split()),
            # The row's own links (each city's actions follow in a disclosure: test_city_actions).
            [str(a["href"]) for a in item.find_all("a") if not a.find_parent("details")],
            [mark.get_text() for mark in item.select(".soon, .mark")],
        )
        for item in document.select(".cities .country > ul > li")
    ]
    assert rows == [
        ("Zürich", [], ["Details soon"]),
        ("Oxford", [f"{go}/oxford", f"{go}/oxford/2"], []),
        ("Online", [f"{go}/online"], []),
    ]
    [organize] = document.select(".cities .organize a")
    # Through the counted /go/{slug}, which redirects to the data's mailto: (test_go.py).
    assert organize["href"] == f"{PUBLIC_URL}/go/shapes"
    counts = document.select_one(".counts")
    assert counts is not None and " ".join(counts.get_text().split()) == "3 cities · 2 countries"
    nodes = json_ld(html)[0]
    assert [node.get("offers", {}).get("url") for node in nodes] == [
        "https://lu.ma/ox",
        None,
        "https://discord.gg/x",
    ]
