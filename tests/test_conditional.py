"""Validators and compression: ETag, If-None-Match, gzip, Cache-Control."""

from __future__ import annotations

import gzip

import pytest
from starlette.testclient import TestClient

from widget.conditional import accepts_gzip, etag_matches

from conftest import SAMPLE_SLUG

JSON = f"/events/{SAMPLE_SLUG}.json"


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', True),  # If-None-Match uses the weak comparison
        ('"x", "abc"', True),  # a list
        ('"x",W/"abc" ', True),
        ("*", True),
        ('"abd"', False),
        ("abc", False),  # unquoted is not our tag
        ("", False),
        ('"' + "a" * 5000 + '"', False),  # absurdly long lists are cut, never crash
    ],
)
def test_etag_matching(header: str, matches: bool) -> None:
    """If-None-Match lists, weak tags and '*' match as RFC 9110 says."""
    assert etag_matches(header, '"abc"') is matches


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("br, gzip;q=0.5", True),
        ("GZIP", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;Q=0", False),  # the parameter name is case-insensitive
        ("gzip; q=0.000", False),
        ("gzip;q=0.0000", False),  # too many digits, still zero
        ("gzip;q=0.001", True),
        ("gzip;q=1.0", True),
        ("gzip;q=abc", False),  # a malformed weight does not accept
        ("gzip;q=2", False),  # out of range
        ("*, gzip;q=0", False),  # the named coding wins over the wildcard
        ("gzip;q=0, *", False),
        ("*;q=0", False),
        ("br, *;q=0.1", True),
        ("x-gzip", True),  # RFC 9110: x-gzip is gzip
        ("deflate, br", False),
        ("identity", False),
        ("", False),
    ],
)
def test_accept_encoding(header: str, accepted: bool) -> None:
    """gzip is used when its weight (RFC 9110 q-value), or the wildcard's, is above zero."""
    from starlette.datastructures import Headers

    assert accepts_gzip(Headers({"accept-encoding": header})) is accepted


def test_if_none_match_gives_304(client: TestClient) -> None:
    """A request carrying the ETag gets a 304 with no body and the same validators."""
    first = client.get(JSON)
    etag = first.headers["etag"]
    second = client.get(JSON, headers={"if-none-match": etag})
    assert second.status_code == 304
    assert second.content == b""
    assert second.headers["etag"] == etag
    assert "max-age" in second.headers["cache-control"]


def test_gzip_body_matches_plain_body(client: TestClient) -> None:
    """The gzipped response decompresses to exactly the plain response."""
    plain = client.get(JSON, headers={"accept-encoding": "identity"})
    compressed = client.get(JSON, headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.headers["vary"].endswith("Accept-Encoding")
    assert compressed.content == plain.content  # httpx decodes gzip transparently


def test_cache_control_on_cached_routes(client: TestClient) -> None:
    """Cached bodies carry public max-age and stale-while-revalidate."""
    directives = {
        part.strip().split("=")[0] for part in client.get(JSON).headers["cache-control"].split(",")
    }
    assert {"public", "max-age", "stale-while-revalidate"} <= directives


def test_gzip_is_stored_beside_the_body(client: TestClient) -> None:
    """A cache hit serves the stored gzip bytes (valid gzip, no recompression)."""
    client.get(JSON)
    state = client.app.state.services  # type: ignore[attr-defined]
    entries = list(state.cache._entries.values())
    assert any(entry.gzipped and gzip.decompress(entry.gzipped) == entry.body for entry in entries)
