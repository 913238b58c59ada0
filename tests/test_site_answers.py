"""The site-wide routes (the events index, the upcoming widget, the feeds, the sitemap)
are served like the widget: from the body cache, with an ETag, a 304 to a matching
If-None-Match, and replayed by the fast path byte for byte what the normal stack sends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from answer_support import answer, fast_path_of, normal_answer
from starlette.routing import Match
from starlette.testclient import TestClient

from tests.bench.generated_data import write_varied_catalog
from widget.app import ROUTE_TABLE, ROUTES, create_app
from widget.documents.events_index import PER_PAGE
from widget.services import Services
from widget.settings import Settings

from conftest import PUBLIC_URL

EVENTS = 2 * PER_PAGE + 20  # three index pages
NOW = datetime(2020, 7, 1, tzinfo=UTC)  # about half of them past
TARGETS = [
    "/events",
    "/events?page=2",
    "/events?lang=nl&page=3&theme=dark",
    "/embed/upcoming",
    "/embed/upcoming?lang=fr&limit=3",
    "/embed/upcoming?lang=en&limit=50&theme=light&accent=%23FF9416",
    "/embed/upcoming?layout=compact",
    "/embed/upcoming?lang=sv&layout=compact&theme=dark",
    "/events.ics",
    "/events.atom",
    "/events.atom?lang=es",
    "/sitemap.xml",
]
HEADER_VARIANTS = [
    {},
    {"accept-encoding": "gzip", "accept-language": "de-CH, fr;q=0.5"},  # negotiated, gzipped
]


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A varied catalog: many cities, several languages, multi-day, cancelled cities."""
    root = tmp_path_factory.mktemp("site") / "data"
    write_varied_catalog(root, EVENTS, first_day=date(2019, 1, 1))
    return root


@pytest.fixture
def site(catalog_dir: Path) -> Iterator[TestClient]:
    """A client that has served one request (its middleware stack is built)."""
    settings = Settings(public_url=PUBLIC_URL, data_dir=catalog_dir, now=NOW, reload_seconds=0)
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as client:
        client.get("/healthz")
        yield client


def services_of(client: TestClient) -> Services:
    found: Services = client.app.state.services  # type: ignore[attr-defined]
    return found


def route_of(target: str) -> str:
    """The name of the route the router matches for ``target``."""
    path = target.partition("?")[0]
    scope = {"type": "http", "path": path, "method": "GET"}
    for route in ROUTES:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route.name
    raise AssertionError(f"no route for {target}")


@pytest.mark.parametrize("target", TARGETS)
def test_the_route_table_replays_it(target: str) -> None:
    """Each of these routes is declared replayable (widget.route_table)."""
    assert ROUTE_TABLE.named(route_of(target)).replay


@pytest.mark.parametrize("target", TARGETS)
def test_rendered_once_then_served_from_the_body_cache(
    site: TestClient, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first request renders; the same request again (by the normal stack) is a hit."""
    cache = services_of(site).cache
    first = answer(site, target)
    assert first[0] == 200
    assert "etag" in first[1] and "max-age=" in first[1]["cache-control"]
    renders, hits = cache.renders, cache.hits
    assert normal_answer(site, target, monkeypatch) == first
    assert (cache.renders, cache.hits) == (renders, hits + 1)


@pytest.mark.parametrize("headers", HEADER_VARIANTS)
@pytest.mark.parametrize("target", TARGETS)
def test_replayed_by_the_fast_path(
    site: TestClient, target: str, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second request is replayed by the fast path with the normal stack's bytes."""
    first = answer(site, target, headers)
    assert first[0] == 200
    fast = fast_path_of(site.app)
    served = fast.served
    second = answer(site, target, headers)
    assert fast.served == served + 1, f"{target} was not replayed"
    assert second == first
    assert normal_answer(site, target, monkeypatch, headers) == first


@pytest.mark.parametrize("target", TARGETS)
def test_if_none_match_gets_a_304(
    site: TestClient, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A matching ETag gets a bodiless 304 (replayed by the fast path when asked again),
    the same from the fast path and the normal stack; a stale one gets the page."""
    etag = site.get(target).headers["etag"]
    fast = fast_path_of(site.app)
    for validator in (etag, f"W/{etag}", f'"other", {etag}'):
        first = answer(site, target, {"if-none-match": validator})
        assert first[0] == 304 and first[2] == b"" and first[1]["etag"] == etag
        served = fast.served
        assert answer(site, target, {"if-none-match": validator}) == first
        assert fast.served == served + 1, f"{target}: 304 not replayed"
        assert normal_answer(site, target, monkeypatch, {"if-none-match": validator}) == first
    assert answer(site, target, {"if-none-match": '"stale"'})[0] == 200


def test_a_data_change_renders_afresh(site: TestClient, catalog_dir: Path, tmp_path: Path) -> None:
    """The memoized index lines and upcoming items are per catalog version: a changed
    title shows on the next request (no stale line, no stale JSON-LD)."""
    before = site.get("/events?lang=en").text
    assert "Protest 90 (en)" in before
    text = catalog_dir / "protest-0090" / "en.md"
    original = text.read_text(encoding="utf-8")
    try:
        text.write_text(original.replace("Protest 90 (en)", "Renamed march"), encoding="utf-8")
        assert services_of(site).data.reload()
        for target in ("/events?lang=en", "/embed/upcoming?lang=en&limit=50"):
            page = site.get(target).text
            assert "Renamed march" in page and "Protest 90 (en)" not in page, target
    finally:
        text.write_text(original, encoding="utf-8")
        services_of(site).data.reload()
