"""The public URL builder (widget/urls.py): every URL shape on public URLs with a path
prefix, a port, an IPv6 host or a trailing slash; hostile path parts and query values
percent-encoded; each URL answered by the route app.py declares for it; and no URL built
by hand anywhere else in widget/ or templates/."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from starlette.routing import Match

from widget.app import ROUTES
from widget.documents.site_feeds import SITEMAP, XHTML, robots_txt, sitemap
from widget.languages import SUPPORTED_LANGUAGES
from widget.params import ViewOptions
from widget.settings import SAMPLE_DATA_DIR
from widget.store import load_or_raise
from widget.urls import Urls, query_string, webcal, with_query

ROOT = Path(__file__).resolve().parent.parent

PUBLIC_URLS = [
    "https://widget.example.org",
    "https://example.org/widget",  # a path prefix: every URL keeps it
    "https://example.org/widget/",  # a trailing slash is not doubled
    "http://127.0.0.1:8000",  # a port
    "http://[::1]:8443",  # an IPv6 host with a port
    "https://[2001:db8::1]/pause",  # an IPv6 host with a prefix
]

# Each URL shape: what it builds from Urls, the path and query after the public URL, and
# the name of the route in widget.app.ROUTES that answers it (None: not a route's path).
SHAPES: list[tuple[str, Callable[[Urls], str], str, str | None]] = [
    ("publish", lambda u: u.publish(), "/", "publish"),
    ("publish event", lambda u: u.publish({"event": "next"}), "/?event=next", "publish"),
    (
        "publish builder",
        lambda u: u.publish({"event": "a-b"}, fragment="builder"),
        "/?event=a-b#builder",
        "publish",
    ),
    ("events", lambda u: u.events(), "/events", "events_index"),
    (
        "events page",
        lambda u: u.events([("lang", "nl"), ("page", "2")]),
        "/events?lang=nl&page=2",
        "events_index",
    ),
    ("event", lambda u: u.event("a-b"), "/events/a-b", "event_page"),
    (
        "event lang",
        lambda u: u.event("a-b", {"lang": "pt-BR"}),
        "/events/a-b?lang=pt-BR",
        "event_page",
    ),
    (
        "event options",
        lambda u: u.event("next", ViewOptions(lang="de", theme="dark").query()),
        "/events/next?lang=de&theme=dark",
        "event_page",
    ),
    ("event json", lambda u: u.event_json("a-b"), "/events/a-b.json", "event_json"),
    ("event ics", lambda u: u.event_calendar("a-b"), "/events/a-b.ics", "event_ics"),
    (
        "event ics city",
        lambda u: u.event_calendar("a-b", "city=berlin&lang=de"),
        "/events/a-b.ics?city=berlin&lang=de",
        "event_ics",
    ),
    (
        "event card",
        lambda u: u.event_card("a-b", [("lang", "en"), ("w", "600")]),
        "/events/a-b.png?lang=en&w=600",
        "event_card",
    ),
    ("embed", lambda u: u.embed("a-b"), "/embed/a-b", "embed"),
    (
        "embed next",
        lambda u: u.embed("next", ViewOptions(countries=("NL", "DE"), lang="fr").query()),
        "/embed/next?lang=fr&country=NL,DE",
        "embed",
    ),
    (
        "embed upcoming",
        lambda u: u.embed("upcoming", "layout=compact"),
        "/embed/upcoming?layout=compact",
        "embed_upcoming",
    ),
    ("embed.js", lambda u: u.embed_script(), "/embed.js", "embed_js"),
    ("go", lambda u: u.go("a-b", "berlin"), "/go/a-b/berlin", "go"),
    ("go first", lambda u: u.go("a-b", "berlin", 1), "/go/a-b/berlin", "go"),
    ("go second", lambda u: u.go("a-b", "berlin", 2), "/go/a-b/berlin/2", "go_link"),
    ("organize", lambda u: u.organize("a-b"), "/go/a-b", "go_organize"),
    ("site ics", lambda u: u.site_calendar(), "/events.ics", "events_ics"),
    (
        "site ics lang",
        lambda u: u.site_calendar({"lang": "sv"}),
        "/events.ics?lang=sv",
        "events_ics",
    ),
    ("atom", lambda u: u.atom(), "/events.atom", "events_atom"),
    ("atom lang", lambda u: u.atom({"lang": "it"}), "/events.atom?lang=it", "events_atom"),
    ("sitemap", lambda u: u.sitemap(), "/sitemap.xml", "sitemap"),
    ("robots", lambda u: u.robots(), "/robots.txt", "robots"),
    (
        "static",
        lambda u: u.static("widget.0123456789.js"),
        "/static/widget.0123456789.js",
        "static",
    ),
    (
        "oembed",
        lambda u: u.oembed("https://x.org/events/a", "xml"),
        "/oembed?url=https%3A%2F%2Fx.org%2Fevents%2Fa&format=xml",
        "oembed",
    ),
]
# Every route that answers a GET with a public document has a shape above.
PUBLIC_ROUTES = {str(route.name) for route in ROUTES} - {"healthz", "metrics"}

# Shapes as test parameters: their name is the test id.
SHAPE_PARAMS = [pytest.param(*shape, id=shape[0]) for shape in SHAPES]


def route_name(path: str) -> str | None:
    """The name of the first route in ``ROUTES`` that answers a GET of ``path``."""
    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    for route in ROUTES:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(route.name)
    return None


@pytest.mark.parametrize("public_url", PUBLIC_URLS)
@pytest.mark.parametrize(("shape", "build", "tail", "route"), SHAPE_PARAMS)
def test_every_shape_on_every_public_url(
    public_url: str, shape: str, build: Callable[[Urls], str], tail: str, route: str
) -> None:
    """Each URL is the public URL (without its trailing slash) followed by its path and
    query, and keeps the public URL's scheme, host, port and prefix."""
    url = build(Urls(public_url))
    base = public_url.rstrip("/")
    assert url == base + tail
    parts, public = urlsplit(url), urlsplit(public_url)
    assert (parts.scheme, parts.netloc) == (public.scheme, public.netloc)
    assert parts.path.startswith(public.path.rstrip("/") + "/")


@pytest.mark.parametrize(("shape", "build", "tail", "route"), SHAPE_PARAMS)
def test_each_shape_is_answered_by_its_declared_route(
    shape: str, build: Callable[[Urls], str], tail: str, route: str
) -> None:
    """Each URL's path is matched by the route app.py declares for it, so the builder and
    the route table cannot drift apart."""
    assert route_name(urlsplit(build(Urls("https://example.org"))).path) == route


def test_every_public_route_has_a_shape() -> None:
    """A route added to ROUTES without a builder (and a row above) fails here."""
    assert {shape[3] for shape in SHAPES} == PUBLIC_ROUTES


def test_static_files_in_folders_resolve_to_the_static_route() -> None:
    """A static file in a folder keeps its '/' and is under the ``static`` route."""
    url = Urls("https://x.org").static("a/b.1.css")
    assert url == "https://x.org/static/a/b.1.css"
    assert route_name(urlsplit(url).path) == "static"


def test_literal_urls_under_a_prefix() -> None:
    """Spelled out once: a prefix with a trailing slash, an IPv6 host and a port."""
    urls = Urls("https://[2001:db8::1]:8443/widget/")
    assert urls.publish() == "https://[2001:db8::1]:8443/widget/"
    assert urls.event("a") == "https://[2001:db8::1]:8443/widget/events/a"
    assert urls.go("a", "b", 3) == "https://[2001:db8::1]:8443/widget/go/a/b/3"
    assert urls.site_subscription() == "webcal://[2001:db8::1]:8443/widget/events.ics"
    assert urls.go_prefix() == "/widget/go/"
    assert Urls("http://127.0.0.1:8000").go_prefix() == "/go/"
    assert repr(urls) == "Urls('https://[2001:db8::1]:8443/widget')"


def test_site_documents_under_a_prefix() -> None:
    """robots.txt and the sitemap (with its hreflang variants) keep the public URL's
    prefix: the sitemap's URL, the disallowed redirects, every page and its languages."""
    public = "https://example.org/widget"
    rules = robots_txt(public).decode().splitlines()
    assert rules == [
        "User-agent: *",
        "Allow: /",
        "Disallow: /widget/go/",
        "Sitemap: https://example.org/widget/sitemap.xml",
    ]
    catalog = load_or_raise(SAMPLE_DATA_DIR)
    tree = ET.fromstring(sitemap(catalog.events, public))
    namespaces = {"s": SITEMAP, "x": XHTML}
    pages = [loc.text for loc in tree.findall("s:url/s:loc", namespaces)]
    urls = Urls(public)
    assert pages == [
        urls.publish(),
        urls.events(),
        *(urls.event(event.slug) for event in catalog.events),
    ]
    events = tree.findall("s:url", namespaces)[1]
    variants = {
        link.get("hreflang"): link.get("href") for link in events.findall("x:link", namespaces)
    }
    assert variants["x-default"] == "https://example.org/widget/events"
    assert variants["pt-BR"] == "https://example.org/widget/events?lang=pt-BR"
    assert len(variants) == len(SUPPORTED_LANGUAGES) + 1


# Hostile values: each must come back out of the URL unchanged, and never as a raw
# character that ends an attribute, a path segment or a query value.
HOSTILE = [
    'quote"s',  # ends a double-quoted attribute
    "apo'strophe",
    "<script>alert(1)</script>",
    "a b\tc\nd",  # blanks and a line break
    "a&b=c",  # would start another parameter
    "a#frag",  # would start a fragment
    "a?b",
    "../../etc/passwd",  # a dot path
    "a/b",  # another segment
    "São Paulo — 東京 🛑",  # non-ASCII, astral
    "%41%2F",  # already percent-looking: encoded again, not decoded
    "a+b",  # a plus is not a space
    "\x00\x7f",
    "",
]
_RAW = re.compile(r"[\"'<>\s\\\x00-\x1f\x7f]|[^\x00-\x7f]")


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_query_values_are_encoded(value: str) -> None:
    """A query value with quotes, '<', blanks, '&', '#' or non-ASCII is percent-encoded
    and decodes back to itself."""
    url = Urls("https://example.org/widget").event("a-b", [("lang", value), ("theme", "x")])
    assert not _RAW.search(url)
    parts = urlsplit(url)
    assert parts.fragment == ""
    assert parse_qsl(parts.query, keep_blank_values=True) == [("lang", value), ("theme", "x")]


@pytest.mark.parametrize("value", [v for v in HOSTILE if v])
def test_hostile_path_parts_stay_one_segment(value: str) -> None:
    """A slug or location id with '/', '..', '?', '#' or quotes stays one encoded path
    segment that decodes back to itself."""
    url = Urls("https://example.org/widget").go(value, value, 2)
    assert not _RAW.search(url)
    parts = urlsplit(url)
    assert (parts.query, parts.fragment) == ("", "")
    segments = parts.path.split("/")
    assert segments[:3] == ["", "widget", "go"]
    assert [unquote(s) for s in segments[3:]] == [value, value, "2"]


@pytest.mark.parametrize("value", HOSTILE)
def test_oembed_url_parameter_is_fully_encoded(value: str) -> None:
    """The oEmbed endpoint's ``url`` carries every reserved character as %XX (no '+'),
    and the format follows as its own parameter."""
    page = Urls("https://example.org").event("a-b", {"lang": value})
    json_url, xml_url = Urls("https://example.org").oembed_links(page)
    for built, format in ((json_url, "json"), (xml_url, "xml")):
        assert not _RAW.search(built)
        query = urlsplit(built).query
        assert query.startswith("url=https%3A%2F%2Fexample.org%2Fevents%2Fa-b")
        assert "+" not in query.split("&")[0]
        assert parse_qsl(query, keep_blank_values=True) == [("url", page), ("format", format)]


def test_oembed_without_format() -> None:
    """Without a format the endpoint URL names the url alone."""
    assert (
        Urls("https://example.org").oembed("https://example.org/events/a?lang=en")
        == "https://example.org/oembed?url=https%3A%2F%2Fexample.org%2Fevents%2Fa%3Flang%3Den"
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_fragment_is_encoded(value: str) -> None:
    """A fragment is percent-encoded too."""
    url = Urls("https://example.org").publish({"event": "a"}, fragment=value)
    assert not _RAW.search(url)
    assert unquote(urlsplit(url).fragment) == value


def test_queries() -> None:
    """A string query is taken as encoded; pairs and mappings are encoded; an empty query
    adds no '?'."""
    assert query_string("a=1&b=%20") == "a=1&b=%20"
    assert query_string({"a": "1 2"}) == "a=1+2"
    assert query_string([("a", "1"), ("a", "2")]) == "a=1&a=2"
    assert query_string(pair for pair in [("a", "<")]) == "a=%3C"
    assert with_query("https://x.org/p", "") == "https://x.org/p"
    assert with_query("https://x.org/p", {}) == "https://x.org/p"
    assert with_query("https://x.org/p", []) == "https://x.org/p"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/events.ics?lang=de", "webcal://example.org/events.ics?lang=de"),
        ("http://127.0.0.1:8000/events.ics", "webcal://127.0.0.1:8000/events.ics"),
        ("http://[::1]:8443/w/events.ics", "webcal://[::1]:8443/w/events.ics"),
    ],
)
def test_webcal(url: str, expected: str) -> None:
    """The webcal form swaps the scheme and keeps the rest."""
    assert webcal(url) == expected


# --- no URL built by hand outside widget/urls.py ------------------------------------------

# Where route paths may be written: the builder and the route declarations.
ALLOWED = {"widget/urls.py", "widget/app.py", "widget/route_table.py"}
# A public path at the start of a literal piece or after a non-URL character.
_ROUTE_PATH = re.compile(
    r"(?<![\w.~:/-])/(?:events|embed|go|oembed|static|sitemap\.xml|robots\.txt)(?![\w-])"
)


def _literal_pieces(node: ast.AST) -> Iterator[str]:
    """The constant text pieces of an f-string, concatenation, %-format or .format."""
    if isinstance(node, ast.JoinedStr):
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                yield value.value
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        for side in (node.left, node.right):
            if isinstance(side, ast.Constant) and isinstance(side.value, str):
                yield side.value
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        yield node.func.value.value


# A document's suffix put right after a URL that starts the string: f"{page}.ics",
# f"{page}.png?{query}" (a file name such as f"worker-{pid}.json" starts with text).
_DOCUMENT_SUFFIX = re.compile(r"\.(?:json|ics|png|atom|xml)(?:\?|$)")


def _joins_public_url(node: ast.AST) -> bool:
    """True for an f-string or '+' that puts a path after the public URL, or a document's
    suffix after the value it starts with."""
    if isinstance(node, ast.JoinedStr):
        for index, (value, after) in enumerate(pairwise(node.values)):
            if not isinstance(value, ast.FormattedValue) or not isinstance(after, ast.Constant):
                continue
            text = str(after.value)
            if "public_url" in ast.unparse(value.value) and text.startswith(("/", "?", "#")):
                return True
            if index == 0 and _DOCUMENT_SUFFIX.match(text):
                return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return "public_url" in ast.unparse(node.left)
    return False


def hand_built_urls(source: str) -> list[int]:
    """The line numbers where ``source`` builds a public URL by hand."""
    found = []
    for node in ast.walk(ast.parse(source)):
        pieces = list(_literal_pieces(node))
        paths = [piece for piece in pieces if "://" not in piece]  # not another site's URL
        if (
            any(_ROUTE_PATH.search(piece) for piece in paths)
            or any(piece.startswith("webcal:") for piece in pieces)
            or _joins_public_url(node)
        ):
            found.append(getattr(node, "lineno", 0))
    return sorted(set(found))


_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
_TEMPLATE_URL = re.compile(
    r"public_url|webcal:|(?:href|src|action|content)=\"[^\"]*?"
    r"(?<![\w.~:/-])/(?:events|embed|go|oembed|static|sitemap\.xml|robots\.txt)(?![\w-])"
)


def hand_built_template_urls(text: str) -> list[str]:
    """What a template writes of a public URL itself instead of asking ``urls``."""
    return _TEMPLATE_URL.findall(_JINJA_COMMENT.sub("", text))


@pytest.mark.parametrize(
    "source",
    [
        'f"{public_url}/events/{slug}"',
        'f"{self.settings.public_url}/?event={slug}"',
        'public_url + "/x"',
        'base + "/embed/" + slug',
        '"/go/%s" % slug',
        '"/oembed?url={}".format(u)',
        'f"{prefix}/static/{name}"',
        'f"webcal://{host}/events.ics"',
        'f"{page}.ics?{query}"',
        'f"{page}.json"',
    ],
)
def test_the_scan_finds_hand_built_urls(source: str) -> None:
    """The scan below is not blind: each of these hand-built URLs is found."""
    assert hand_built_urls(source) == [1]


@pytest.mark.parametrize(
    "source",
    [
        '"""See ``/events/{slug}``."""',  # a docstring
        '_PATHS = ("/events", "/embed/upcoming")',  # a constant the oEmbed parser matches
        'f"https://www.youtube-nocookie.com/embed/{video}"',  # someone else's URL
        're.compile(rf"/(?:events|embed)/(next)")',
        "f'inline; filename=\"{slug}.ics\"'",  # a file name, no URL
        'into / f"worker-{pid}.json"',  # a path on disk
    ],
)
def test_the_scan_leaves_other_strings_alone(source: str) -> None:
    """Docstrings, parse patterns and other sites' URLs are not hand-built public URLs."""
    assert hand_built_urls(source) == []


def test_no_url_is_built_by_hand_in_widget() -> None:
    """No module but widget/urls.py (and the route declarations) joins a public path."""
    found = {}
    for path in sorted((ROOT / "widget").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED:
            continue
        lines = hand_built_urls(path.read_text(encoding="utf-8"))
        if lines:
            found[name] = lines
    assert found == {}


def test_templates_ask_urls_for_public_urls() -> None:
    """No template writes the public URL or a public path itself (``urls.…`` does)."""
    found = {}
    for path in sorted((ROOT / "templates").glob("*.html")):
        hits = hand_built_template_urls(path.read_text(encoding="utf-8"))
        if hits:
            found[path.name] = hits
    assert found == {}
    assert hand_built_template_urls('<a href="{{ public_url }}/events">') != []
    assert hand_built_template_urls('<a href="/embed/next">') != []
    assert hand_built_template_urls('{# see /events #}<a href="#cities">') == []
