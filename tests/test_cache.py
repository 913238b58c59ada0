"""The body cache: bounds, TTL, single flight, invalidation."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import pytest

from widget.cache import BodyCache, CachedBody


def body(size: int = 100, text: str = "x") -> CachedBody:
    return CachedBody.build((text * size).encode(), "text/plain")


def test_entries_are_bounded() -> None:
    """No more than max_entries entries are kept, however small they are."""
    cache = BodyCache(max_entries=10, max_bytes=1_000_000, ttl=60)

    async def fill() -> None:
        for index in range(100):
            await cache.get_or_render(("k", index), lambda: body(10))

    asyncio.run(fill())
    assert len(cache) <= 10


def test_bytes_are_bounded() -> None:
    """Big bodies evict each other so the held bytes stay under max_bytes."""
    cache = BodyCache(max_entries=1000, max_bytes=50_000, ttl=60)

    async def fill() -> None:
        for index in range(20):
            await cache.get_or_render(index, lambda i=index: body(10_000, chr(65 + i)))

    asyncio.run(fill())
    assert cache.bytes <= 50_000
    assert 1 <= len(cache) <= 5


def test_oversized_body_is_served_but_not_kept() -> None:
    """A body larger than the whole budget is returned and not cached."""
    cache = BodyCache(max_entries=10, max_bytes=2000, ttl=60)
    result, hit = asyncio.run(cache.get_or_render("big", lambda: body(5000)))
    assert not hit and len(result.body) == 5000
    assert len(cache) == 0


def test_concurrent_misses_render_once() -> None:
    """100 concurrent misses for one key cause exactly one render."""
    cache = BodyCache(max_entries=10, max_bytes=1_000_000, ttl=60)
    renders = 0

    async def render() -> CachedBody:
        nonlocal renders
        renders += 1
        await asyncio.sleep(0.01)
        return body()

    async def burst() -> list[tuple[CachedBody, bool]]:
        return await asyncio.gather(*(cache.get_or_render("key", render) for _ in range(100)))

    results = asyncio.run(burst())
    assert renders == 1
    assert sum(1 for _, hit in results if not hit) == 1
    assert len({result.etag for result, _ in results}) == 1


def test_failed_render_reaches_every_waiter_and_is_not_cached() -> None:
    """When the render fails, all waiters see the error and the next call renders again."""
    cache = BodyCache(max_entries=10, max_bytes=1_000_000, ttl=60)

    async def failing() -> CachedBody:
        await asyncio.sleep(0.01)
        raise RuntimeError("boom")

    async def burst() -> list[BaseException | tuple[CachedBody, bool]]:
        return await asyncio.gather(
            *(cache.get_or_render("key", failing) for _ in range(5)), return_exceptions=True
        )

    outcomes = asyncio.run(burst())
    assert all(isinstance(outcome, RuntimeError) for outcome in outcomes)
    result, hit = asyncio.run(cache.get_or_render("key", lambda: body()))
    assert not hit and result.body


def test_clear_forgets_everything() -> None:
    """clear() empties the cache (used when the data changes)."""
    cache = BodyCache(max_entries=10, max_bytes=1_000_000, ttl=60)
    asyncio.run(cache.get_or_render("a", lambda: body()))
    cache.clear()
    assert len(cache) == 0


def test_ttl_zero_disables_caching() -> None:
    """With a TTL of 0 every request renders (used for benchmarks of misses)."""
    cache = BodyCache(max_entries=10, max_bytes=1_000_000, ttl=0)

    async def twice() -> list[bool]:
        return [(await cache.get_or_render("a", lambda: body()))[1] for _ in range(2)]

    assert asyncio.run(twice()) == [False, False]


@pytest.mark.parametrize("size", [0, 100, 511, 512, 10_000])
def test_etag_is_strong_and_gzip_only_when_worth_it(size: int) -> None:
    """ETags are quoted strong validators; bodies under 512 bytes are not compressed."""
    built = body(size)
    assert built.etag.startswith('"') and not built.etag.startswith("W/")
    assert (built.gzipped is not None) == (size >= 512)


def test_gzipped_twin_is_a_plain_gzip_member() -> None:
    """The gzipped body (zlib-ng) is one gzip member any decoder reads back to the body:
    Python's gzip and zlib, with no file name and no time in its header, so the same body
    always gives the same bytes."""
    text = "".join(f"<li>Town {n} · Stad {n} · 東京 {n}</li>" for n in range(400)).encode()
    built = CachedBody.build(text, "text/html")
    assert built.gzipped is not None and len(built.gzipped) < len(text) / 4
    assert gzip.decompress(built.gzipped) == text
    assert zlib.decompress(built.gzipped, wbits=31) == text
    flags, mtime = built.gzipped[3], int.from_bytes(built.gzipped[4:8], "little")
    assert built.gzipped[:3] == b"\x1f\x8b\x08" and flags == 0 and mtime == 0
    assert CachedBody.build(text, "text/html").gzipped == built.gzipped


def test_etag_covers_headers() -> None:
    """Two bodies that differ only in a header (say, the CSP) get different ETags."""
    first = CachedBody.build(b"same", "text/html", (("content-security-policy", "a"),))
    second = CachedBody.build(b"same", "text/html", (("content-security-policy", "b"),))
    assert first.etag != second.etag
