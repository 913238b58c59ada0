"""No URL from request headers, anywhere: hostile Host and forwarding headers on every route.

Absolute URLs come only from ``WIDGET_PUBLIC_URL``. A request may claim any ``Host``,
``X-Forwarded-Host``, ``X-Forwarded-Proto`` or ``Forwarded``; none of it may reach a
``Location``, a ``Link`` header, a link or meta tag, or a JSON field, with or without a
trailing slash (Starlette's automatic slash redirect used to build ``Location`` from
``Host``). Checked in process on every route, and against a real uvicorn that trusts
forwarded headers (``--proxy-headers --forwarded-allow-ips '*'``), as behind Fly's proxy.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from tests.bench.server_process import ServerProcess, console_script, fetch
from widget.assets import Assets

from conftest import SAMPLE_SLUG

EVIL = "evil.example"
HOSTILE_HEADERS = {
    "host": EVIL,
    "x-forwarded-host": f"{EVIL}:8443",
    "x-forwarded-proto": "gopher",
    "x-forwarded-for": "203.0.113.9",
    "forwarded": f'for=203.0.113.9;host="{EVIL}";proto=https',
}


def targets(public_url: str) -> list[str]:
    """Every route, as a visitor or consumer reaches it."""
    page = f"{public_url}/events/{SAMPLE_SLUG}"
    return [
        "/",
        f"/events/{SAMPLE_SLUG}",
        "/events/next",
        f"/events/{SAMPLE_SLUG}.json",
        f"/events/{SAMPLE_SLUG}.ics",
        f"/events/{SAMPLE_SLUG}.png",
        f"/embed/{SAMPLE_SLUG}",
        "/embed/next",
        "/embed.js",
        "/events",
        "/events?lang=nl&page=1",
        "/events.ics",
        "/events.atom",
        "/sitemap.xml",
        "/robots.txt",
        f"/go/{SAMPLE_SLUG}/berlin",
        f"/oembed?url={quote(page, safe='')}",
        f"/oembed?url={quote(page, safe='')}&format=xml",
        "/healthz",
        "/metrics",
        Assets().url_path("widget.css"),
        "/nowhere",
    ]


def with_slash(target: str) -> str:
    """The target with a trailing slash on its path (the query, if any, kept)."""
    path, _, query = target.partition("?")
    return f"{path}/" + (f"?{query}" if query else "")


def assert_clean(target: str, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    """Nothing the hostile headers said shows in the answer's headers or text."""
    assert status < 500, (target, status)
    for name, value in headers:
        assert EVIL not in value and "gopher" not in value, (target, name, value)
    if not target.split("?")[0].endswith(".png"):
        text = body.decode("utf-8", "replace")
        assert EVIL not in text and "gopher:" not in text, target


@pytest.mark.parametrize("slash", [False, True], ids=["as-is", "trailing-slash"])
def test_hostile_headers_reach_no_answer(client: TestClient, slash: bool) -> None:
    """In process: every route, with hostile Host and forwarding headers, names only the
    configured public URL; a stray trailing slash is a 404, never a redirect."""
    public_url = client.app.state.services.settings.public_url  # type: ignore[attr-defined]
    for target in targets(public_url):
        if slash and target == "/":
            continue
        request = with_slash(target) if slash else target
        response = client.get(request, headers=HOSTILE_HEADERS, follow_redirects=False)
        assert_clean(
            request, response.status_code, list(response.headers.items()), response.content
        )
        if slash:
            assert response.status_code == 404, request
        location = response.headers.get("location")
        if location is not None:
            assert location.startswith(public_url) or location.startswith("https://"), location


@pytest.mark.slow
def test_hostile_headers_reach_no_answer_from_a_real_server() -> None:
    """Against uvicorn trusting every proxy: the same routes, both with and without a slash."""
    env = {"WIDGET_NOW": "2024-05-01T12:00:00+00:00"}
    argv = [console_script(), "serve", "--proxy-headers", "--forwarded-allow-ips", "*"]
    with ServerProcess(env, argv=argv) as server:
        for target in targets(server.public_url):
            variants = [(target, False)] + ([(with_slash(target), True)] if target != "/" else [])
            for request, slashed in variants:
                status, headers, body = fetch(server.port, request, headers=HOSTILE_HEADERS)
                assert_clean(request, status, headers, body)
                if slashed:
                    assert status == 404, request
