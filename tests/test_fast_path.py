"""The fast path: cache hits answered before routing, byte for byte what the normal stack sends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from answer_support import answer, fast_path_of, normal_answer
from starlette.testclient import TestClient

from tests.bench import traffic_mix

from conftest import PUBLIC_URL, SAMPLE_SLUG

PAGE = quote(f"{PUBLIC_URL}/events/{SAMPLE_SLUG}", safe="")
HOT_TARGETS = [
    f"/embed/{SAMPLE_SLUG}",
    f"/embed/{SAMPLE_SLUG}?lang=en&theme=dark&accent=%23FF9416&country=nl,de",
    "/embed/next?lang=nl",
    f"/events/{SAMPLE_SLUG}",
    f"/events/{SAMPLE_SLUG}?lang=de&theme=light",
    f"/events/{SAMPLE_SLUG}.json",
    "/events/next.json",
    f"/events/{SAMPLE_SLUG}.ics?lang=de",
    f"/events/{SAMPLE_SLUG}.png?lang=en&w=600",
    f"/oembed?url={PAGE}",
    f"/oembed?url={PAGE}&format=xml&maxwidth=400&maxheight=300&dnt=1",
    "/embed.js",
]
HEADER_VARIANTS = [
    {},
    {"accept-encoding": "gzip"},
    {"accept-encoding": "identity"},  # no gzip: the plain body
    {"accept-language": "de-CH, fr;q=0.5"},  # negotiated language (Vary)
    {"accept-language": "tlh"},  # nothing supported: the event's default language
]


@pytest.fixture
def hot_client(client: TestClient) -> Iterator[TestClient]:
    """A client whose app has served one request, so its middleware stack is built."""
    client.get("/healthz")
    yield client


@pytest.mark.parametrize("headers", HEADER_VARIANTS)
@pytest.mark.parametrize("target", HOT_TARGETS)
def test_fast_answers_equal_the_normal_stacks(
    hot_client: TestClient, target: str, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache hit served by the fast path has the normal stack's status, headers and bytes."""
    first = answer(hot_client, target, headers)
    assert first[0] == 200
    fast = fast_path_of(hot_client.app)
    served = fast.served
    second = answer(hot_client, target, headers)
    assert fast.served == served + 1, "not a fast-path hit: did a key recipe drift?"
    assert second == first
    assert normal_answer(hot_client, target, monkeypatch, headers) == second


@pytest.mark.parametrize("target", HOT_TARGETS)
def test_validators_give_the_same_304(
    hot_client: TestClient, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If-None-Match with the ETag gets the normal stack's 304, headers included."""
    etag = hot_client.get(target).headers["etag"]
    for validator in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        fast = answer(hot_client, target, {"if-none-match": validator})
        assert fast[0] == 304 and fast[2] == b""
        assert normal_answer(hot_client, target, monkeypatch, {"if-none-match": validator}) == fast
    assert answer(hot_client, target, {"if-none-match": '"stale"'})[0] == 200


@pytest.mark.parametrize(
    "target",
    [
        f"/embed/{SAMPLE_SLUG}?lang=en&utm_source=x",  # unknown parameter: same entry as lang=en
        f"/embed/{SAMPLE_SLUG}?theme=dark&fbclid=1&lang=en",  # order and junk do not matter
        f"/events/{SAMPLE_SLUG}.json?cache=bust",  # cache-busting parameter: ignored
    ],
)
def test_unknown_parameters_hit_the_normalized_entry(hot_client: TestClient, target: str) -> None:
    """Junk parameters are ignored by the key: a hit, and the cache does not grow."""
    base = target.replace("&utm_source=x", "").replace("&fbclid=1", "").replace("?cache=bust", "")
    hot_client.get(base)
    cache = hot_client.app.state.services.cache  # type: ignore[attr-defined]
    entries, renders, hits = len(cache), cache.renders, cache.hits
    fast = fast_path_of(hot_client.app)
    served = fast.served
    assert hot_client.get(target).content == hot_client.get(base).content
    assert fast.served == served + 1  # the base replayed; the junk one hit the entry
    assert (cache.renders, cache.hits) == (renders, hits + 2)
    assert hot_client.get(target).content == hot_client.get(base).content
    assert fast.served == served + 3  # now both replayed
    assert len(cache) == entries


@pytest.mark.parametrize(
    ("target", "status"),
    [
        (f"/embed/{SAMPLE_SLUG}?lang=xx", 400),  # malformed known parameter: the 400 page
        (f"/embed/{SAMPLE_SLUG}?lang=en&lang=nl", 400),  # repeated parameter
        ("/embed/no-such-event", 404),  # unknown event
        ("/embed/", 404),  # no slug: no route
        (f"/embed/{SAMPLE_SLUG}/extra", 404),  # a slash in the slug: no route
        ("/events/.json", 404),  # '.json' alone is the event page's slug, unknown
        (f"/oembed?url={quote('https://evil.example/events/x', safe='')}", 404),  # foreign URL
        ("/oembed?url=", 400),  # empty url
    ],
)
def test_errors_fall_through_to_the_normal_stack(
    hot_client: TestClient, target: str, status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests the fast path cannot answer from cache get the normal stack's error answer."""
    fast = fast_path_of(hot_client.app)
    served = fast.served
    first = answer(hot_client, target, {})
    assert first[0] == status
    assert answer(hot_client, target, {}) == first
    assert normal_answer(hot_client, target, monkeypatch, {}) == first
    assert fast.served == served


def test_head_and_post_are_left_to_the_router(hot_client: TestClient) -> None:
    """Only GET is answered by the fast path; HEAD and POST get the router's answers."""
    target = f"/events/{SAMPLE_SLUG}.json"
    hot_client.get(target)
    fast = fast_path_of(hot_client.app)
    served = fast.served
    assert hot_client.head(target).status_code == 200
    assert hot_client.post(target).status_code == 405
    assert fast.served == served


def test_a_data_change_is_never_served_stale(hot_client: TestClient, data_dir: Path) -> None:
    """After a reload the fast path misses (new data version) and the new data is served."""
    target = f"/events/{SAMPLE_SLUG}.json"
    assert "Toronto" not in hot_client.get(target).text
    event_file = data_dir / SAMPLE_SLUG / "event.yaml"
    edited = event_file.read_text("utf-8").replace("city: Ottawa", "city: Toronto")
    event_file.write_text(edited, "utf-8")
    assert hot_client.app.state.services.data.reload()  # type: ignore[attr-defined]
    assert "Toronto" in hot_client.get(target).text


def test_no_caching_means_no_fast_path(settings_no_cache_client: TestClient) -> None:
    """With WIDGET_CACHE_TTL=0 every request goes to the endpoint (and renders)."""
    target = f"/embed/{SAMPLE_SLUG}?lang=en"
    for _ in range(3):
        assert settings_no_cache_client.get(target).status_code == 200
    assert fast_path_of(settings_no_cache_client.app).served == 0  # type: ignore[arg-type]
    assert settings_no_cache_client.app.state.services.cache.renders == 3  # type: ignore[attr-defined]


@pytest.fixture
def settings_no_cache_client(settings) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A client on an app whose body cache is off."""
    from dataclasses import replace

    from widget.app import create_app

    with TestClient(create_app(replace(settings, cache_ttl=0)), base_url=PUBLIC_URL) as client:
        yield client


def test_every_replayed_answer_of_the_traffic_mix_is_the_normal_stacks(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bench's traffic mix: each distinct request, replayed, equals Starlette's answer."""
    fast = fast_path_of(client.app)
    distinct = {(r.target, r.accept_language): r for r in traffic_mix.requests(3000, PUBLIC_URL)}
    kinds = {request.kind for request in distinct.values()}
    assert kinds == set(traffic_mix.SHARES)
    assert len({request.accept_language for request in distinct.values()}) >= 150
    for request in distinct.values():
        first = answer(client, request.target, request.headers)
        assert first[0] == 200, request
        served = fast.served
        replayed = answer(client, request.target, request.headers)
        assert fast.served == served + 1, f"not replayed: {request}"
        assert replayed == first
        assert normal_answer(client, request.target, monkeypatch, request.headers) == replayed
    # Languages are remembered by what they negotiate to, not by the raw header.
    assert len(fast.ready) <= len({r.target for r in distinct.values()}) * 10


def test_negotiation_memo_is_bounded() -> None:
    """Distinct Accept-Language headers fill the negotiation memo up to its bound, no more."""
    from widget import i18n

    i18n._negotiated.cache_clear()
    for number in range(i18n.NEGOTIATED_MEMO + 500):
        assert i18n.negotiate(f"de-DE,de;q=0.9,x-{number};q=0.1") == "de"
    assert i18n._negotiated.cache_info().currsize == i18n.NEGOTIATED_MEMO
    assert i18n.negotiate("x" * 5000 + ",fr") == i18n.negotiate("x" * 5000)  # cut to the bound


def test_encoding_memo_is_bounded(hot_client: TestClient) -> None:
    """Distinct Accept-Encoding headers fill the gzip-verdict memo up to its bound, no more."""
    from widget import ready_answers

    ready_answers._takes_gzip.cache_clear()
    for number in range(ready_answers.ENCODING_MEMO + 50):
        headers = {"accept-encoding": f"gzip;q=0.{number % 9 + 1}, x-{number}"}
        assert hot_client.get("/embed.js", headers=headers).headers["content-encoding"] == "gzip"
    assert ready_answers._takes_gzip.cache_info().currsize == ready_answers.ENCODING_MEMO
