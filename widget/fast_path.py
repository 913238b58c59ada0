"""Serving body-cache hits before routing (pure ASGI), for the hottest routes.

Profiling ``make bench`` showed that a cache hit on ``/embed/{slug}`` spent most of its
time outside the endpoint: Starlette's exception wrappers, route matching, the
``Request``/``Response`` objects, and the two header-rewriting middlewares. ``FastPath``
sits first in the middleware list and answers a GET on a hot route itself when, and only
when, the body cache already holds the answer:

1. it builds the cache key with the endpoint's own function (each hot endpoint module
   has a ``resolve``/key function its endpoint uses too): normalized known parameters
   only, so unknown or junk parameters can neither create entries nor be looked up;
2. it looks the key up without rendering; a miss, or any error while building the key
   (a malformed parameter, an unknown event), falls through to the normal stack, which
   renders, answers errors with their pages and fills the cache;
3. the response's status line and headers are computed once per (ETag, caching, encoding,
   validator outcome) by the normal code — ``conditional.respond`` then the
   ``SecurityHeaders`` middleware — and kept in a small bounded LRU; the body is always
   the cache entry's own bytes;
4. it records the same metrics the normal stack records (requests and latency by route,
   cache hits by route).

``/embed.js`` is served the same way from the static asset (it has no cache entry).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from cachetools import LRUCache
from prometheus_client import Counter, Histogram
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from widget.cache import CachedBody
from widget.conditional import accepts_gzip, etag_matches, respond
from widget.routes import api, embed, event_page, oembed, static
from widget.security_headers import SecurityHeaders
from widget.services import Services

# Prepared status lines and headers kept; each is ~1 KB and holds no body.
MAX_PREPARED = 4096

KeyRecipe = Callable[[Request], Hashable]
Prepared = tuple[int, list[tuple[bytes, bytes]]]
# What one answer updates: request and cache-hit counters, and the latency histogram.
Series = tuple[tuple[Counter, ...], Histogram]


def _route(path: str) -> tuple[str, str | None] | None:
    """(route name, slug) of a hot path, matching exactly what the router would match."""
    if path.startswith("/embed/"):
        slug = path[7:]
        return ("embed", slug) if slug and "/" not in slug else None
    if path.startswith("/events/"):
        rest = path[8:]
        if not rest or "/" in rest:
            return None
        if rest.endswith(".json"):
            return ("event_json", rest[:-5]) if len(rest) > 5 else ("event_page", rest)
        if rest.endswith((".ics", ".png")):
            return None if len(rest) > 4 else ("event_page", rest)
        return ("event_page", rest)
    if path == "/oembed":
        return ("oembed", None)
    if path == "/embed.js":
        return ("embed_js", None)
    return None


# Each hot route's own key function: the fast path looks up exactly what the endpoint caches.
RECIPES: dict[str, KeyRecipe] = {
    "embed": lambda request: embed.resolve(request).cache_key,
    "event_page": lambda request: event_page.resolve(request).cache_key,
    "event_json": api.json_cache_key,
    "oembed": lambda request: oembed.resolve(request).cache_key,
}


class FastPath:
    """Answers cache hits of the hot routes without routing; everything else passes on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.served = 0
        self._children: dict[tuple[str, int], Series] = {}
        self._prepared: LRUCache[Hashable, Prepared] = LRUCache(MAX_PREPARED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        found = _route(scope["path"])
        if found is None:
            await self.app(scope, receive, send)
            return
        route, slug = found
        state: Services = scope["app"].state.services
        entry = self._lookup(scope, route, slug, state)
        if entry is None:
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        gzip = entry.gzipped is not None and accepts_gzip(request_headers)
        if_none_match = request_headers.get("if-none-match")
        not_modified = if_none_match is not None and etag_matches(if_none_match, entry.etag)
        prepared_key = (
            route,
            entry.etag,
            entry.media_type,
            entry.max_age,
            entry.stale_while_revalidate,
            gzip,
            not_modified,
        )
        prepared = self._prepared.get(prepared_key)
        if prepared is None:
            prepared = await self._prepare(scope, respond(request_headers, entry), state)
            self._prepared[prepared_key] = prepared
        status, headers = prepared
        body = b"" if not_modified else (entry.gzipped if gzip else entry.body) or b""
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        self.served += 1
        counted, observed = self._series(state, route, status)
        for counter in counted:
            counter.inc()
        observed.observe(time.perf_counter() - started)

    def _series(self, state: Services, route: str, status: int) -> Series:
        """The metric children one answer updates (looked up once per route and status)."""
        found = self._children.get((route, status))
        if found is None:
            metrics = state.metrics
            counted: tuple[Counter, ...] = (metrics.requests.labels(route, f"{status // 100}xx"),)
            if route != "embed_js":  # a static file: no body-cache lookup to count
                counted += (metrics.cache.labels(route, "hit"),)
            found = (counted, metrics.latency.labels(route))
            self._children[(route, status)] = found
        return found

    def _lookup(
        self, scope: Scope, route: str, slug: str | None, state: Services
    ) -> CachedBody | None:
        """The cached body the endpoint would serve, or None to let the endpoint decide."""
        request = Request({**scope, "path_params": {"slug": slug} if slug is not None else {}})
        if route == "embed_js":
            return static._body(request, "embed.js", hashed=False)
        if not state.cache.enabled:
            return None
        try:
            key = RECIPES[route](request)
        except Exception:  # any error: the endpoint raises it again and answers it
            return None
        return state.cache.get((route, state.data.catalog.version, key))

    @staticmethod
    async def _prepare(scope: Scope, response: Response, state: Services) -> Prepared:
        """Status and headers exactly as the normal stack sends them for ``response``."""
        settings = state.settings
        secured = SecurityHeaders(
            response, frame_ancestors=settings.frame_ancestors, hsts=settings.is_https
        )
        sent: list[Message] = []

        async def collect(message: Message) -> None:
            sent.append(message)

        async def nothing() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        await secured(scope, nothing, collect)
        start = sent[0]
        return start["status"], list(start["headers"])
