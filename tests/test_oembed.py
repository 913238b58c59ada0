"""The oEmbed provider: request validation, sizes, the html WordPress keeps, JSON and XML."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from starlette.testclient import TestClient

from widget.app import create_app
from widget.assets import Assets
from widget.documents.oembed import (
    CARD_HEIGHT,
    CARD_WIDTH,
    DEFAULT_WIDTH,
    MAX_WIDTH,
    EmbedTarget,
    Format,
    OEmbedRequest,
    OEmbedResponse,
    build_response,
    card_height,
    frame_size,
    parse_dimension,
    parse_format,
    parse_url,
    thumbnail_width,
)
from widget.documents.widget_height import (
    Content,
    Group,
    Row,
    balanced,
    estimate_height,
    signup_labels,
)
from widget.documents.widget_view import build_view
from widget.errors import BadRequest, FormatNotAvailable, NotFound
from widget.model import Event
from widget.params import ViewOptions
from widget.platforms import Platform
from widget.rendering import Renderer
from widget.settings import SAMPLE_DATA_DIR, Settings
from widget.store import load_or_raise
from widget.timing import OEMBED_CACHE_AGE, Phase

from conftest import AFTER, BEFORE, PUBLIC_URL, SAMPLE_SLUG
from wordpress_filter import filter_oembed_result, survives

PAGE = f"{PUBLIC_URL}/events/{SAMPLE_SLUG}"
ON_DAY = datetime(2024, 5, 13, 12, 0, tzinfo=UTC)
FIELDS = {
    "type",
    "version",
    "title",
    "author_name",
    "author_url",
    "provider_name",
    "provider_url",
    "cache_age",
    "thumbnail_url",
    "thumbnail_width",
    "thumbnail_height",
    "html",
    "width",
    "height",
}


@pytest.fixture(scope="module")
def event() -> Event:
    """The bundled sample event."""
    return load_or_raise(SAMPLE_DATA_DIR).by_slug[SAMPLE_SLUG]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    """The template renderer (for the html field)."""
    return Renderer(Assets(), PUBLIC_URL)


def oembed(client: TestClient, query: str) -> Any:
    """GET /oembed?QUERY (the query string as given, not re-encoded)."""
    return client.get(f"/oembed?{query}")


def url_param(url: str) -> str:
    """``url=`` with the value percent-encoded."""
    return f"url={quote(url, safe='')}"


# --- the url parameter --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "slug", "options"),
    [
        (PAGE, SAMPLE_SLUG, ViewOptions()),
        (f"{PUBLIC_URL}/embed/{SAMPLE_SLUG}", SAMPLE_SLUG, ViewOptions()),
        (f"{PUBLIC_URL}/events/next", "next", ViewOptions()),
        (
            f"{PAGE}?lang=nl&theme=dark&accent=%23112233&country=nl&city=london",
            SAMPLE_SLUG,
            ViewOptions("nl", "dark", "#112233", ("NL",), ("london",)),
        ),
        (f"{PAGE}?utm_source=newsletter", SAMPLE_SLUG, ViewOptions()),  # unknown: ignored
        (f"{PAGE}#cities", SAMPLE_SLUG, ViewOptions()),  # a fragment never reaches a server
        ("HTTPS://WIDGET.EXAMPLE.ORG/events/next", "next", ViewOptions()),  # case-blind host
        ("https://widget.example.org:443/events/next", "next", ViewOptions()),  # default port
        ("https://widget.example.org./events/next", "next", ViewOptions()),  # FQDN dot
    ],
)
def test_embeddable_urls_parse_to_a_target(url: str, slug: str, options: ViewOptions) -> None:
    """Our /events/ and /embed/ URLs name an event and a normalized view."""
    assert parse_url(url, PUBLIC_URL) == EmbedTarget(slug, options)


def test_a_public_url_with_a_path_prefix_is_honoured() -> None:
    """Behind a path prefix, only URLs under that prefix are ours."""
    public = "https://example.org/widget"
    assert parse_url(f"{public}/events/next", public).slug == "next"
    with pytest.raises(NotFound):
        parse_url("https://example.org/events/next", public)


# --- hostile requests, end to end -----------------------------------------------------------

TEN_KB = f"{PAGE}?x={'a' * 10_000}"
HOSTILE = [
    # (query string, status, parameter, words the message must contain)
    ("", 400, "url", "Missing url"),
    ("url=", 400, "url", "Missing url"),
    ("url=%20%20", 400, "url", "Missing url"),
    (url_param(f"https://evil.example/events/{SAMPLE_SLUG}"), 404, "url", "not on"),
    # A look-alike host that merely starts with ours.
    (
        url_param(f"https://widget.example.org.evil.example/events/{SAMPLE_SLUG}"),
        404,
        "url",
        "not on",
    ),
    (url_param("javascript:alert(1)"), 404, "url", "not on"),
    (url_param("data:text/html,<script>alert(1)</script>"), 404, "url", "not on"),
    (url_param(f"//widget.example.org/events/{SAMPLE_SLUG}"), 404, "url", "not on"),
    (url_param(f"/events/{SAMPLE_SLUG}"), 404, "url", "not on"),
    # Path traversal, plain and percent-encoded: only the canonical form is an event URL.
    (url_param(f"{PUBLIC_URL}/events/../healthz"), 404, "url", "not an event page"),
    (url_param(f"{PUBLIC_URL}/events/%2e%2e/healthz"), 404, "url", "not an event page"),
    (url_param(f"{PUBLIC_URL}/events/%2E%2E%2Fhealthz"), 404, "url", "not an event page"),
    (url_param(f"{PUBLIC_URL}/events/{SAMPLE_SLUG}.json"), 404, "url", "not an event page"),
    (url_param(f"{PUBLIC_URL}/events/{SAMPLE_SLUG}/"), 404, "url", "not an event page"),
    (url_param(f"{PUBLIC_URL}/go/{SAMPLE_SLUG}/london"), 404, "url", "not an event page"),
    (url_param(f"{PUBLIC_URL}/"), 404, "url", "not an event page"),
    (url_param(TEN_KB), 400, "url", "too long"),  # bounded before anything parses it
    (f"{url_param(PAGE)}&{url_param(PAGE)}", 400, "url", "more than once"),
    (url_param(f"http://widget.example.org/events/{SAMPLE_SLUG}"), 404, "url", "not on"),
    (
        url_param(f"https://user:pw@widget.example.org/events/{SAMPLE_SLUG}"),
        404,
        "url",
        "credentials",
    ),
    # A backslash trick: browsers read the host as evil.example, urlsplit sees credentials.
    (
        url_param(f"https://widget.example.org\\@evil.example/events/{SAMPLE_SLUG}"),
        404,
        "url",
        "credentials",
    ),
    (url_param(f"{PUBLIC_URL}/events/{SAMPLE_SLUG}\n"), 404, "url", "control"),
    (url_param(f"{PUBLIC_URL}:99999/events/{SAMPLE_SLUG}"), 404, "url", "invalid port"),
    (url_param(f"{PUBLIC_URL}/events/no-such-event"), 404, "url", "no event"),
    (url_param(f"{PUBLIC_URL}/events/NEXT"), 404, "url", "not an event page"),
    (url_param(f"{PAGE}?lang=xx"), 404, "url", "Invalid lang"),  # its own query is checked
    (url_param(f"{PAGE}?theme=neon"), 404, "url", "Invalid theme"),
    (url_param(f"{PAGE}?lang=en&lang=nl"), 404, "url", "more than once"),
    (f"{url_param(PAGE)}&format=yaml", 501, "format", "json or xml"),
    (f"{url_param(PAGE)}&format=JSON", 501, "format", "json or xml"),  # formats are lower case
    (f"{url_param(PAGE)}&format=", 501, "format", "json or xml"),
    (f"{url_param(PAGE)}&format=json&format=xml", 400, "format", "more than once"),
    (f"{url_param(PAGE)}&dnt=yes", 400, "dnt", "0 or 1"),
]
BAD_DIMENSIONS = [
    "-1",
    "0",
    "abc",
    "1e9",
    "1e3",
    "+5",
    " 5",
    "5 ",
    "5.0",
    "0x10",
    "10001",
    "99999999999",
    "\uff11\uff12\uff13",  # full-width digits: str.isdigit() says yes, we say no
    "٣",  # Arabic-Indic digit three
    "%00",
]


@pytest.mark.parametrize(("query", "status", "parameter", "words"), HOSTILE)
def test_hostile_requests_get_the_right_error(
    client: TestClient, query: str, status: int, parameter: str, words: str
) -> None:
    """Each malformed request gets its status and a JSON message naming the parameter."""
    response = oembed(client, query)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert body["parameter"] == parameter
    assert words.lower() in body["error"].lower()


def test_a_fragment_is_dropped(client: TestClient) -> None:
    """A URL copied with a fragment embeds the page; the fragment reaches no URL we emit."""
    plain = oembed(client, url_param(PAGE))
    with_fragment = oembed(client, url_param(f'{PAGE}#?secret=abc"onload=alert(1)'))
    assert with_fragment.status_code == 200
    assert with_fragment.content == plain.content


@pytest.mark.parametrize("name", ["maxwidth", "maxheight"])
@pytest.mark.parametrize("value", BAD_DIMENSIONS)
def test_malformed_maxima_are_400_with_the_range(client: TestClient, name: str, value: str) -> None:
    """A maximum that is not a plain integer in 1..10000 names itself and the range."""
    response = oembed(client, f"{url_param(PAGE)}&{name}={quote(value)}")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "error": f"Invalid {name} (expected an integer between 1 and 10000).",
        "parameter": name,
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("1", 1),
        ("0600", 600),
        ("10000", 10000),
    ],
)
def test_valid_maxima_parse(value: str | None, expected: int | None) -> None:
    """Plain ASCII digits parse; absent or empty means no limit."""
    assert parse_dimension(value, "maxwidth") == expected


def test_format_defaults_to_json_and_rejects_others() -> None:
    """No format is JSON; xml is XML; anything else is FormatNotAvailable (501)."""
    assert parse_format(None) is Format.JSON
    assert parse_format("xml") is Format.XML
    with pytest.raises(FormatNotAvailable):
        parse_format("yaml")


@pytest.mark.parametrize("dnt", ["0", "1"])
def test_dnt_is_accepted(client: TestClient, dnt: str) -> None:
    """WordPress's dnt=1 (and dnt=0) do not change the answer."""
    plain = oembed(client, url_param(PAGE))
    flagged = oembed(client, f"{url_param(PAGE)}&dnt={dnt}")
    assert flagged.status_code == 200
    assert flagged.content == plain.content


# --- the response -------------------------------------------------------------------------


def test_json_response_has_every_field(client: TestClient) -> None:
    """A JSON rich response with integer sizes, our provider, thumbnail and cache age."""
    response = oembed(client, url_param(PAGE))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert set(body) == FIELDS
    assert body["type"] == "rich"
    assert body["version"] == "1.0"
    assert body["provider_name"] == "PauseAI"
    assert body["provider_url"] == f"{PUBLIC_URL}/"
    assert body["title"] == "Internationaal PauseAI-protest op 13 mei 2024"  # default: nl
    assert body["cache_age"] == OEMBED_CACHE_AGE[Phase.UPCOMING]
    for name in ("width", "height", "thumbnail_width", "thumbnail_height", "cache_age"):
        assert type(body[name]) is int
    assert (body["width"], body["thumbnail_width"]) == (DEFAULT_WIDTH, CARD_WIDTH)
    assert body["thumbnail_url"] == f"{PAGE}.png?lang=nl"


def test_title_and_iframe_title_follow_the_urls_language(client: TestClient) -> None:
    """url=…?lang=en gives the English title and an English iframe title."""
    body = oembed(client, url_param(f"{PAGE}?lang=en")).json()
    assert body["title"] == "PauseAI international protest, 13 May 2024"
    iframe = BeautifulSoup(body["html"], "html.parser").iframe
    assert iframe is not None
    assert iframe["title"] == "PauseAI protest widget: PauseAI international protest, 13 May 2024"


@pytest.mark.parametrize(
    ("url", "embed_src", "link"),
    [
        (PAGE, f"{PUBLIC_URL}/embed/{SAMPLE_SLUG}", PAGE),
        (f"{PUBLIC_URL}/embed/next", f"{PUBLIC_URL}/embed/next", f"{PUBLIC_URL}/events/next"),
        (
            f"{PAGE}?lang=en&theme=dark&city=london,den-haag",
            f"{PUBLIC_URL}/embed/{SAMPLE_SLUG}?lang=en&theme=dark&city=den-haag,london",
            f"{PAGE}?lang=en",
        ),
        (
            f"{PAGE}?country=nl&accent=%23AABBCC",
            f"{PUBLIC_URL}/embed/{SAMPLE_SLUG}?accent=%23aabbcc&country=NL",
            PAGE,
        ),
    ],
)
def test_html_is_a_blockquote_link_and_one_iframe(
    client: TestClient, url: str, embed_src: str, link: str
) -> None:
    """The html: blockquote.wp-embedded-content > a (canonical page), then the widget iframe."""
    body = oembed(client, f"{url_param(url)}&maxwidth=500&maxheight=700").json()
    fragment = BeautifulSoup(body["html"], "html.parser")
    assert [tag.name for tag in fragment.find_all(recursive=False)] == ["blockquote", "iframe"]
    blockquote, iframe = fragment.find_all(recursive=False)
    assert blockquote["class"] == ["wp-embedded-content"]
    assert [(a["href"], a.get_text()) for a in blockquote.find_all("a")] == [(link, body["title"])]
    assert iframe.attrs == {
        "src": embed_src,
        "width": "500",
        "height": str(body["height"]),
        "title": iframe["title"],
        "frameborder": "0",
        "marginwidth": "0",
        "marginheight": "0",
        "scrolling": "no",
    }
    assert body["width"] == 500
    assert not fragment.find_all(["script", "style"])
    assert "style" not in body["html"]


@pytest.mark.parametrize(
    "url",
    [
        PAGE,
        f"{PUBLIC_URL}/events/next?lang=pt-BR&country=BR,US",
        f"{PUBLIC_URL}/embed/next",
        f"{PAGE}?lang=is&theme=light&accent=%23000000&city=reykjavik",
    ],
)
def test_html_survives_wordpress_unchanged(client: TestClient, url: str) -> None:
    """WordPress's consumer filter keeps every tag and attribute of our html."""
    html = oembed(client, url_param(url)).json()["html"]
    assert survives(html)
    filtered = filter_oembed_result(html)
    assert filtered is not None and 'sandbox="allow-scripts"' in filtered


@pytest.mark.parametrize(
    "html",
    [
        '<blockquote class="wp-embedded-content"><a href="https://x.org/">x</a></blockquote>'
        '<iframe src="https://x.org/" width="1" height="1" style="border:0"></iframe>',
        '<blockquote><a href="https://x.org/">x</a></blockquote><iframe src="https://x.org/"></iframe>',
        '<blockquote class="wp-embedded-content"><p><a href="https://x.org/">x</a></p></blockquote>'
        '<iframe src="https://x.org/"></iframe>',
        '<iframe src="https://x.org/" onload="alert(1)"></iframe>',
        '<div><iframe src="https://x.org/"></iframe></div>',
        '<iframe src="https://x.org/"></iframe><script>alert(1)</script>',
        '<a href="https://x.org/" target="_blank">x</a>',
    ],
)
def test_the_wordpress_checker_rejects_what_wordpress_strips(html: str) -> None:
    """The checker is not vacuous: html that WordPress would alter fails it."""
    assert not survives(html)


def test_xml_carries_the_same_fields_as_json(client: TestClient) -> None:
    """The XML parses with the standard library and holds the JSON's values, escaped."""
    query = f"{url_param(PAGE)}&maxwidth=480&maxheight=900"
    as_json = oembed(client, query).json()
    response = oembed(client, f"{query}&format=xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(response.content)
    assert root.tag == "oembed"
    assert {child.tag: child.text for child in root} == {
        name: str(value) for name, value in as_json.items()
    }
    assert b"<iframe" not in response.content  # the html is text, escaped


def test_responses_are_cached_with_validators(client: TestClient) -> None:
    """Equal requests share one body and ETag; If-None-Match gets a 304; junk changes nothing."""
    first = oembed(client, url_param(PAGE))
    again = oembed(client, f"{url_param(PAGE)}&utm_campaign=x&callback=alert")
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert "max-age=" in first.headers["cache-control"]
    not_modified = client.get(
        f"/oembed?{url_param(PAGE)}", headers={"if-none-match": first.headers["etag"]}
    )
    assert not_modified.status_code == 304


@pytest.mark.parametrize(
    ("now", "phase"),
    [
        (BEFORE, Phase.UPCOMING),
        (ON_DAY, Phase.TODAY),
        (AFTER, Phase.PAST),
    ],
)
def test_cache_age_is_short_until_the_event_is_over(
    data_dir: Path, now: datetime, phase: Phase
) -> None:
    """cache_age: an hour before, ten minutes on the day, a month once it is over."""
    app = create_app(Settings(public_url=PUBLIC_URL, data_dir=data_dir, now=now, reload_seconds=0))
    with TestClient(app, base_url=PUBLIC_URL) as client:
        assert oembed(client, url_param(PAGE)).json()["cache_age"] == OEMBED_CACHE_AGE[phase]
    assert OEMBED_CACHE_AGE[Phase.TODAY] < OEMBED_CACHE_AGE[Phase.UPCOMING]
    assert OEMBED_CACHE_AGE[Phase.UPCOMING] < OEMBED_CACHE_AGE[Phase.PAST]


# --- sizes --------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    maxwidth=st.one_of(st.none(), st.integers(1, 5000)),
    maxheight=st.one_of(st.none(), st.integers(1, 5000)),
    cities=st.sampled_from([(), ("london",), ("den-haag", "london", "paris")]),
)
def test_sizes_always_fit_the_maxima(
    event: Event,
    renderer: Renderer,
    maxwidth: int | None,
    maxheight: int | None,
    cities: tuple[str, ...],
) -> None:
    """For any maxima in 1..5000, width, height and the thumbnail fit, as positive integers."""
    request = OEmbedRequest(
        EmbedTarget(SAMPLE_SLUG, ViewOptions(cities=cities)), Format.JSON, maxwidth, maxheight
    )
    response = build_response(
        event,
        request,
        content=content(event, renderer, cities=cities),
        public_url=PUBLIC_URL,
        cache_age=3600,
        environment=renderer.environment("en"),
    )
    for size, maximum in (
        (response.width, maxwidth),
        (response.thumbnail_width, maxwidth),
        (response.height, maxheight),
        (response.thumbnail_height, maxheight),
    ):
        assert size >= 1
        assert maximum is None or size <= maximum
    assert response.thumbnail_height == card_height(response.thumbnail_width)
    assert survives(response.html)


@pytest.mark.parametrize(
    ("maxwidth", "maxheight"),
    [
        (None, None),
        (600, 900),
        (1, 1),
        (5000, 1),
        (1, 5000),
        (250, 131),
        (1199, 10000),
    ],
)
def test_the_thumbnail_served_has_the_announced_size(
    client: TestClient, maxwidth: int | None, maxheight: int | None
) -> None:
    """thumbnail_url serves a PNG exactly thumbnail_width x thumbnail_height."""
    query = url_param(PAGE)
    if maxwidth:
        query += f"&maxwidth={maxwidth}"
    if maxheight:
        query += f"&maxheight={maxheight}"
    body = oembed(client, query).json()
    thumbnail = urlsplit(body["thumbnail_url"])
    assert f"{thumbnail.scheme}://{thumbnail.netloc}" == PUBLIC_URL
    image = client.get(f"{thumbnail.path}?{thumbnail.query}")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(image.content)) as png:
        assert png.size == (body["thumbnail_width"], body["thumbnail_height"])
    assert parse_qs(thumbnail.query)["lang"] == ["nl"]


def test_frame_width_prefers_the_default_and_honours_maxwidth() -> None:
    """600 px unless maxwidth is smaller; a large maxwidth is used up to MAX_WIDTH."""
    shown = Content((Group(6, (Row(6, 18),) * 14),), media=1)
    assert frame_size(shown, None, None)[0] == DEFAULT_WIDTH
    assert frame_size(shown, 320, None)[0] == 320
    assert frame_size(shown, 5000, None)[0] == MAX_WIDTH
    assert frame_size(shown, None, 200)[1] == 200


def test_thumbnail_width_keeps_the_cards_ratio() -> None:
    """The card is scaled to fit both maxima: the narrower bound decides."""
    assert thumbnail_width(None, None) == CARD_WIDTH
    assert thumbnail_width(600, None) == 600
    assert thumbnail_width(None, CARD_HEIGHT // 2) == CARD_WIDTH // 2
    assert thumbnail_width(1, 1) == 1
    assert card_height(CARD_WIDTH) == CARD_HEIGHT


def content(event: Event, renderer: Renderer, language: str = "en", **filters: Any) -> Content:
    """What the widget shows of the sample for some filters, with its labels in ``language``."""
    view = build_view(
        event, ViewOptions(lang=language, **filters), language, Phase.UPCOMING, PUBLIC_URL
    )
    return Content.of(view, signup_labels(renderer.environment(language)))


# Heights of the sample widget measured in Chromium in a time zone with a place
# (Europe/Oslo: the nearest-city panel shows; test_oembed_consumers.py checks the live
# widget against the estimate again): (width, language, filters, measured height).
MEASURED: list[tuple[int, str, dict[str, Any], int]] = [
    (300, "en", {}, 1077),
    (400, "en", {}, 817),
    (500, "en", {}, 730),
    (600, "en", {}, 620),
    (760, "en", {}, 543),
    (300, "de", {}, 1320),
    (600, "de", {}, 750),
    (760, "de", {}, 584),
    (300, "en", {"countries": ("US",)}, 532),
    (600, "en", {"countries": ("US",)}, 438),
    (600, "de", {"countries": ("US",)}, 512),
    (760, "de", {"countries": ("US",)}, 440),
    (400, "en", {"cities": ("london",)}, 356),
    (760, "en", {"cities": ("london",)}, 315),
    (500, "en", {"countries": ("DE", "GB", "NL", "US")}, 476),
    (760, "en", {"countries": ("DE", "GB", "NL", "US")}, 405),
    # No Portuguese or Swedish text: a note says the Dutch one is shown.
    (320, "pt-BR", {"cities": ("london",)}, 545),
    (480, "sv", {"cities": ("london",)}, 370),
]


@pytest.mark.parametrize(("width", "language", "filters", "measured"), MEASURED)
def test_height_estimate_is_a_slight_overestimate(
    event: Event,
    renderer: Renderer,
    width: int,
    language: str,
    filters: dict[str, Any],
    measured: int,
) -> None:
    """The estimate never crops the widget and wastes at most a third of its height."""
    estimate = estimate_height(content(event, renderer, language, **filters), width)
    assert measured <= estimate <= measured * 1.35


def test_height_grows_with_what_is_shown() -> None:
    """More cities, countries, longer labels or media never make the estimate smaller."""
    one = Group(6, (Row(6, 18),))
    for width in (320, 600):
        small = estimate_height(Content((one,)), width)
        assert estimate_height(Content((Group(6, (Row(6, 18),) * 5),)), width) > small
        assert estimate_height(Content((one,) * 5), width) > small
        assert estimate_height(Content((one,), media=1), width) > small
        assert estimate_height(Content((Group(6, (Row(6, 60),)),)), width) > small
        # Further links, a long status mark, times and the call to action take room too.
        two_links = Group(6, (Row(6, 18, more=(18,) * 4),))
        assert estimate_height(Content((two_links,)), width) > small
        assert estimate_height(Content((Group(6, (Row(6, 18, mark=40),)),)), width) > small
        assert estimate_height(Content((Group(6, (Row(6, 18, when=30),)),)), width) > small
        assert estimate_height(Content((one,), organize=34), width) > small
        # The nearest-city panel: its note, the button, the "nearest is far" line.
        panel = estimate_height(Content((one,), nearby=60, mark=14), width)
        assert panel > small
        assert estimate_height(Content((one,), nearby=60, mark=14, locate=True), width) > panel
        assert estimate_height(Content((one,), nearby=60, mark=14, far=90), width) > panel
        assert estimate_height(Content(()), width) < small


def test_columns_balance_unbreakable_blocks() -> None:
    """Two columns are as tall as the best in-order split of the country blocks."""
    assert balanced([10, 10, 10, 10]) == 20
    assert balanced([50, 10, 10]) == 50
    assert balanced([30]) == 30


def test_signup_labels_come_from_the_widgets_template(renderer: Renderer) -> None:
    """The labels measured are the ones the widget renders, in its language."""
    assert signup_labels(renderer.environment("en"))[Platform.WHATSAPP] == "Join the WhatsApp group"
    german = signup_labels(renderer.environment("de"))
    words = {"online", "open", "cancelled", "moved_online", "tba", "organize"}
    words |= {"nearby", "far", "mark"}  # the nearest-city panel (_nearest_words.html)
    banner = {"action:signup", "action:page", "action:organize", "postponed", "nothing planned"}
    assert set(german) == set(Platform) | words | banner | {f"short:{p}" for p in Platform}
    assert german["action:signup"] == "Anmelden"  # the compact banner's button, in German
    assert german["short:facebook"] == "Facebook"  # a further link names its platform
    assert german[Platform.EMAIL] != signup_labels(renderer.environment("en"))[Platform.EMAIL]
    assert signup_labels(renderer.environment("en"))["tba"] == "Details soon"


def test_the_response_model_rejects_wrong_types() -> None:
    """The typed model refuses a non-rich type or a zero size (no silent wrong field)."""
    good: dict[str, Any] = {
        "title": "t",
        "author_name": "a",
        "author_url": "https://a.org",
        "provider_url": "p",
        "cache_age": 1,
        "thumbnail_url": "u",
        "thumbnail_width": 1,
        "thumbnail_height": 1,
        "html": "h",
        "width": 1,
        "height": 1,
    }
    assert OEmbedResponse(**good).type == "rich"
    for bad in ({"type": "video"}, {"width": 0}, {"height": "tall"}, {"extra": 1}):
        with pytest.raises(ValueError):
            OEmbedResponse(**{**good, **bad})


def test_pure_parsing_raises_typed_errors() -> None:
    """parse_url raises NotFound for foreign URLs and BadRequest when the url is missing."""
    with pytest.raises(BadRequest):
        parse_url(None, PUBLIC_URL)
    with pytest.raises(NotFound):
        parse_url("https://evil.example/events/next", PUBLIC_URL)
