"""Security headers by route, cookies never, and hostile Host headers ignored."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from conftest import PUBLIC_URL, SAMPLE_SLUG

ROUTES = [
    "/",
    f"/events/{SAMPLE_SLUG}",
    f"/events/{SAMPLE_SLUG}.json",
    f"/events/{SAMPLE_SLUG}.ics",
    f"/events/{SAMPLE_SLUG}.png",
    f"/embed/{SAMPLE_SLUG}",
    "/embed/next",
    f"/go/{SAMPLE_SLUG}/london",
    f"/oembed?url={PUBLIC_URL}/events/{SAMPLE_SLUG}",
    "/embed.js",
    "/events",
    "/events?page=9",
    "/events.ics",
    "/events.atom",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/metrics",
    "/static/widget.css",
    "/no-such-page",
    "/embed/nope",
    "/embed/next?theme=nope",
]


def csp_directives(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_has_strict_headers(client: TestClient, path: str) -> None:
    """Every response has a strict CSP, nosniff, referrer and permissions policies, no cookie."""
    response = client.get(path, follow_redirects=False)
    assert response.status_code < 500
    assert "set-cookie" not in response.headers
    csp = csp_directives(response.headers["content-security-policy"])
    for values in csp.values():
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
        assert not any(value.startswith("'nonce-") for value in values)
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["default-src"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ("strict-origin-when-cross-origin", "no-referrer")
    assert "camera=()" in response.headers["permissions-policy"]
    if path.startswith("/embed/"):
        assert csp["frame-ancestors"] == ["*"]
        assert "x-frame-options" not in response.headers
    else:
        assert csp["frame-ancestors"] == ["'self'"]
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
    if path.startswith(("/embed", "/oembed", "/static/", "/events")):
        assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "strict-transport-security" in response.headers  # PUBLIC_URL is https


def test_no_hsts_over_plain_http(settings, data_dir) -> None:  # type: ignore[no-untyped-def]
    """HSTS is only sent when the public URL is https."""
    from dataclasses import replace

    from widget.app import create_app

    app = create_app(replace(settings, public_url="http://127.0.0.1:8000"))
    with TestClient(app) as client:
        assert "strict-transport-security" not in client.get("/healthz").headers


def test_go_sends_no_referrer(client: TestClient) -> None:
    """The signup redirect tells the browser not to send our URL as referrer."""
    response = client.get(f"/go/{SAMPLE_SLUG}/london", follow_redirects=False)
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    "headers",
    [
        {"host": "evil.example"},
        {"x-forwarded-host": "evil.example", "x-forwarded-proto": "http"},
        {"forwarded": "host=evil.example;proto=http"},
        {"host": "evil.example:666", "x-forwarded-host": "evil.example"},
    ],
)
@pytest.mark.parametrize("path", [p for p in ROUTES if not p.startswith("/static/")])
def test_hostile_host_headers_appear_nowhere(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    """Host and X-Forwarded-* values never reach a URL, a header or a body."""
    response = client.get(path, headers=headers, follow_redirects=False)
    assert response.status_code < 500
    assert b"evil.example" not in response.content
    assert all("evil.example" not in value for value in response.headers.values())
