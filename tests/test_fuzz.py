"""Fuzzing: arbitrary paths and query strings on every route never give a 5xx."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from widget.app import create_app
from widget.settings import SAMPLE_DATA_DIR, Settings

from conftest import PUBLIC_URL, SAMPLE_SLUG

ROUTES = [
    "/",
    f"/events/{SAMPLE_SLUG}",
    f"/events/{SAMPLE_SLUG}.json",
    f"/events/{SAMPLE_SLUG}.ics",
    f"/events/{SAMPLE_SLUG}.png",
    "/embed/next",
    "/embed/upcoming",
    f"/go/{SAMPLE_SLUG}/london",
    "/oembed",
    "/embed.js",
    "/events",
    "/events.ics",
    "/events.atom",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/static/x",
]
NAMES = st.sampled_from(
    [
        "lang",
        "theme",
        "accent",
        "country",
        "city",
        "url",
        "format",
        "maxwidth",
        "maxheight",
        "dnt",
        "width",
        "event",
        "consent",
        "layout",
        "limit",
        "page",
        "x",
    ]
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "nl",
            "dark",
            "%23ff9416",
            "NL,DE",
            "london",
            "json",
            "xml",
            "compact",
            "50",
            "-1",
            "0",
            "1e9",
            f"{PUBLIC_URL}/events/{SAMPLE_SLUG}",
            f"{PUBLIC_URL}/embed/next?lang=xx",
            "javascript:alert(1)",
            "../../etc/passwd",
            "%00",
            "\ud800",
        ]
    ),
)

_app = create_app(Settings(public_url=PUBLIC_URL, data_dir=SAMPLE_DATA_DIR, reload_seconds=0))
_client = TestClient(_app, base_url=PUBLIC_URL, raise_server_exceptions=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(ROUTES),
    pairs=st.lists(st.tuples(NAMES, VALUES), max_size=6),
)
def test_query_strings_never_cause_server_errors(route: str, pairs: list[tuple[str, str]]) -> None:
    """Any combination of known and unknown parameters answers below 500."""
    query = "&".join(
        f"{quote(name)}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in pairs
    )
    response = _client.get(f"{route}?{query}", follow_redirects=False)
    assert response.status_code < 500, (route, query, response.text[:300])


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(["/events/", "/embed/", "/go/", "/static/", "/", "/oembed/"]),
    tail=st.text(max_size=60),
)
def test_paths_never_cause_server_errors(prefix: str, tail: str) -> None:
    """Any path under our prefixes answers below 500."""
    path = prefix + quote(tail.encode("utf-8", "surrogatepass"), safe="/.%")
    response = _client.get(path, follow_redirects=False)
    assert response.status_code < 500, (path, response.text[:300])
