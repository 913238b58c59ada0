"""The body cache: rendered responses kept in process, bounded in entries and bytes.

Keys are built by the endpoints from the route, the normalized known parameters, the
resolved language and the data version — never from unknown parameters, headers or the
raw query string — so a flood of junk parameters cannot grow the cache.

Bounding both: cachetools bounds the *sum of sizes*; each entry counts as at least
``max_bytes // max_entries`` bytes, so there are never more than ``max_entries`` entries
and never more than ``max_bytes`` bytes. Misses for one key render once: concurrent
callers wait for the first caller's render (single flight). cachetools caches are not
thread-safe; this one is only touched from the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from cachetools import TTLCache
from zlib_ng import zlib_ng

GZIP_MIN_BYTES = 512
# zlib-ng's level 6: smaller output than zlib's level 6 in half its time (a 136 kB page:
# 11.5 kB in 0.9 ms against 11.7 kB in 1.5 ms on the benchmark machine).
GZIP_LEVEL = 6
GZIP_WBITS = 31  # deflate in a gzip container (header with no name and no time)


@dataclass(frozen=True)
class CachedBody:
    """A rendered response body, its gzipped twin, validator and headers."""

    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()
    max_age: int = 300
    stale_while_revalidate: int = 3600
    gzipped: bytes | None = field(default=None)
    etag: str = ""
    # When it was rendered (the body cache's own clock): it leaves the cache by ``born + ttl``.
    born: float = field(default_factory=time.monotonic, compare=False)

    @classmethod
    def build(
        cls,
        body: bytes,
        media_type: str,
        headers: tuple[tuple[str, str], ...] = (),
        *,
        max_age: int = 300,
        stale_while_revalidate: int = 3600,
        compress: bool = True,
    ) -> CachedBody:
        """Compute the strong ETag and the gzipped body once, at render time."""
        digest = hashlib.sha256(body)
        for name, value in headers:
            digest.update(f"\0{name}:{value}".encode())
        gzipped = (
            zlib_ng.compress(body, GZIP_LEVEL, wbits=GZIP_WBITS)
            if compress and len(body) >= GZIP_MIN_BYTES
            else None
        )
        return cls(
            body,
            media_type,
            headers,
            max_age,
            stale_while_revalidate,
            gzipped,
            f'"{digest.hexdigest()[:32]}"',
        )

    @property
    def size(self) -> int:
        """Bytes this entry holds."""
        return len(self.body) + len(self.gzipped or b"") + 256


class BodyCache:
    """A TTL cache of ``CachedBody`` with single-flight rendering."""

    def __init__(self, max_entries: int, max_bytes: int, ttl: float) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._floor = max(1, max_bytes // max_entries)
        self._entries: TTLCache[Hashable, CachedBody] = TTLCache(
            maxsize=max_bytes, ttl=max(ttl, 0.001), timer=time.monotonic, getsizeof=self._cost
        )
        self._pending: dict[Hashable, asyncio.Future[CachedBody]] = {}
        self.hits = 0
        self.misses = 0
        self.renders = 0
        self.enabled = ttl > 0

    def _cost(self, entry: CachedBody) -> int:
        return max(entry.size, self._floor)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """Bytes currently held (real sizes, not the floored costs)."""
        return sum(entry.size for entry in self._entries.values())

    def count_hit(self) -> None:
        """Count a hit served from a body this cache holds without looking it up again."""
        self.hits += 1

    def get(self, key: Hashable) -> CachedBody | None:
        """The cached body for ``key``, if present and fresh (counts a hit)."""
        entry = self._entries.get(key)
        if entry is not None:
            self.hits += 1
        return entry

    async def get_or_render(
        self, key: Hashable, render: Callable[[], CachedBody | Awaitable[CachedBody]]
    ) -> tuple[CachedBody, bool]:
        """The body for ``key``, rendering it once on a miss; returns (body, was_hit)."""
        entry = self._entries.get(key)
        if entry is not None:
            self.hits += 1
            return entry, True
        pending = self._pending.get(key)
        if pending is not None:
            self.hits += 1
            return await asyncio.shield(pending), True
        self.misses += 1
        future: asyncio.Future[CachedBody] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            self.renders += 1
            result = render()
            body = await result if isinstance(result, Awaitable) else result
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiting callers re-raise it, nobody else logs it
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(body)
        if self.enabled and self._cost(body) <= self.max_bytes:
            self._entries[key] = body
        return body, False

    def clear(self) -> None:
        """Forget every entry (the data changed)."""
        self._entries.clear()
