"""The body cache under a parameter flood: junk never creates entries; known values are bounded."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from widget.app import create_app
from widget.settings import Settings

from conftest import PUBLIC_URL, SAMPLE_SLUG

CACHED_ROUTES = [
    f"/embed/{SAMPLE_SLUG}",
    f"/events/{SAMPLE_SLUG}",
    f"/events/{SAMPLE_SLUG}.json",
    "/events?",
    "/events.atom?",
    f"/oembed?url={PUBLIC_URL}/events/{SAMPLE_SLUG}&",
]


def entries(client: TestClient) -> int:
    return len(client.app.state.services.cache)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("route", "count"),
    [
        # The figure on the widget, marked slow (about 25 s); the other routes share
        # the same key mechanism, so a thousand each shows the same.
        pytest.param(CACHED_ROUTES[0], 10_000, marks=pytest.mark.slow),
        *((route, 1_000) for route in CACHED_ROUTES[1:]),
    ],
)
def test_unknown_parameters_never_grow_the_cache(
    client: TestClient, route: str, count: int
) -> None:
    """Thousands of requests with distinct unknown parameters leave the cache size unchanged."""
    separator = "&" if "?" in route else "?"
    first = client.get(route)
    assert first.status_code == 200
    size = entries(client)
    for index in range(count):
        response = client.get(f"{route}{separator}utm_{index}=x{index}&_={index}")
        assert response.status_code == 200
        assert response.headers["etag"] == first.headers["etag"]
    assert entries(client) == size


def test_repeated_known_parameters_are_rejected_not_cached(client: TestClient) -> None:
    """A repeated known parameter is a 400 and leaves no cache entry."""
    client.get(f"/embed/{SAMPLE_SLUG}")
    size = entries(client)
    for index in range(200):
        response = client.get(f"/embed/{SAMPLE_SLUG}?lang=en&lang=nl&n={index}")
        assert response.status_code == 400
    assert entries(client) == size


def test_distinct_known_values_stay_within_bounds(settings: Settings) -> None:
    """Every accent colour is a distinct valid value; the cache still holds at most its bound."""
    app = create_app(replace(settings, cache_size=50, cache_bytes=5 * 1024 * 1024))
    with TestClient(app, base_url=PUBLIC_URL) as client:
        colours = (f"%23{r:02x}{g:02x}00" for r, g in itertools.product(range(0, 256, 8), repeat=2))
        for colour in itertools.islice(colours, 600):
            assert client.get(f"/embed/{SAMPLE_SLUG}?accent={colour}").status_code == 200
        cache = app.state.services.cache
        assert len(cache) <= 50
        assert cache.bytes <= 5 * 1024 * 1024


def test_reload_invalidates_every_entry(client: TestClient, data_dir) -> None:  # type: ignore[no-untyped-def]
    """A data change empties the cache, so no page shows old data."""
    for route in CACHED_ROUTES:
        client.get(route)
    assert entries(client) >= len(CACHED_ROUTES)
    path = data_dir / SAMPLE_SLUG / "event.yaml"
    path.write_text(path.read_text().replace("city: Ottawa", "city: Toronto"))
    assert client.app.state.services.data.reload()  # type: ignore[attr-defined]
    assert entries(client) == 0
    assert b"Toronto" in client.get(f"/embed/{SAMPLE_SLUG}?lang=en").content
