"""Serving body-cache hits before Starlette (pure ASGI), for the hottest routes.

Profiling ``make bench`` showed that a cache hit on ``/embed/{slug}`` spent most of its
time outside the endpoint: Starlette's exception wrappers, route matching, the
``Request``/``Response`` objects, and the two header-rewriting middlewares.
``widget.app.WidgetApp`` therefore asks ``FastPath`` first, before any of Starlette runs,
and ``FastPath`` answers a GET on a hot route itself when, and only when, the body cache
already holds the answer:

1. a request repeated byte for byte is answered from ``widget.ready_answers`` (no parsing
   at all) while that answer is still valid;
2. otherwise it builds the cache key with the endpoint's own function (each hot endpoint
   module has a ``resolve``/key function its endpoint uses too): normalized known
   parameters only, so unknown or junk parameters can neither create entries nor be
   looked up; a miss, or any error while building the key (a malformed parameter, an
   unknown event), falls through to Starlette, which renders, answers errors with their
   pages and fills the cache;
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
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import LRUCache
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Scope, Send

from widget.cache import CachedBody
from widget.conditional import accepts_gzip, etag_matches, respond
from widget.ready_answers import GZIPPED, NO_BODY, PLAIN, ReadyAnswer, request_key
from widget.routes import api, embed, event_page, oembed, static
from widget.security_headers import SecurityHeaders
from widget.services import Services

# Prepared status lines and headers kept; each is ~1 KB and holds no body.
MAX_PREPARED = 4096
NEVER = float("inf")

KeyRecipe = Callable[[Request], Hashable]
Prepared = tuple[int, list[tuple[bytes, bytes]]]


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
    """Answers cache hits of the hot routes before routing; says False for everything else."""

    def __init__(self, app: Any, state: Services) -> None:
        self.app = app  # the Starlette application, for the endpoints' key functions
        self.state = state
        self.ready = state.ready_answers
        self.served = 0  # answers sent, ready or parsed
        self.served_ready = 0  # of those, answers sent from ``self.ready`` without parsing
        self._prepared: LRUCache[Hashable, Prepared] = LRUCache(MAX_PREPARED)

    async def answer(self, scope: Scope, send: Send) -> bool:
        """Send the cached answer to ``scope`` and return True, or return False untouched."""
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("root_path"):
            return False
        started = time.perf_counter()
        key = request_key(scope)
        ready = self.ready.get(key) if key is not None else None
        if ready is not None:
            entry = ready.entry()
            now = self.state.clock()
            if (
                entry is not None
                and ready.version == self.state.data.catalog.version
                and ready.since <= now < ready.until
                and time.monotonic() < ready.expires
            ):
                # The hottest lines of the service: ``_send`` inlined (one coroutine less).
                await send(ready.start())
                await send({"type": "http.response.body", "body": ready.body(entry)})
                self.served += 1
                self.served_ready += 1
                series = ready.series
                if ready.counts_cache_hit:
                    self.state.cache.count_hit()  # the parsed path's lookup counts its own
                    series.hits += 1
                series.answered(ready.status, time.perf_counter() - started)
                return True
            self.ready.forget(key)  # type: ignore[arg-type]  # key is set when ready is
        try:
            found = await self._answer_parsed(scope, key)
        except Exception:  # nothing sent yet: Starlette answers (and reports) it
            return False
        if found is None:
            return False
        await self._send(send, *found, started)
        return True

    async def _answer_parsed(self, scope: Scope, key: Any) -> tuple[ReadyAnswer, CachedBody] | None:
        """Parse the request and look its normalized key up: the answer to a hit, or None.

        The answer is remembered for ``key`` when the clock stayed inside one validity
        window while the endpoint's key function read it.
        """
        hot = _route(scope["path"])
        if hot is None:
            return None
        route, slug = hot
        state = self.state
        catalog, now = state.data.catalog, state.clock()
        entry = self._lookup(scope, route, slug)
        if entry is None:
            return None
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
            prepared = await self._prepare(scope, respond(request_headers, entry))
            self._prepared[prepared_key] = prepared
        status, headers = prepared
        series = state.metrics.stats.route(route)
        counts_cache_hit = route != "embed_js"  # a static file: no body-cache lookup
        answer = ReadyAnswer(
            status=status,
            headers=headers,
            entry=weakref.ref(entry),
            part=NO_BODY if not_modified else GZIPPED if gzip else PLAIN,
            version=catalog.version,
            since=now,
            until=catalog.steady_until(now),
            expires=entry.born + state.cache.ttl if counts_cache_hit else NEVER,
            series=series,
            counts_cache_hit=counts_cache_hit,
        )
        # Remembered before sending, so a reload cannot slip in between.
        if key is not None and now <= state.clock() < answer.until:
            self.ready.remember(key, answer)
        return answer, entry

    async def _send(
        self, send: Send, answer: ReadyAnswer, entry: CachedBody, started: float
    ) -> None:
        """Send ``answer`` with its body from ``entry`` and count it like the normal stack."""
        await send(answer.start())
        await send({"type": "http.response.body", "body": answer.body(entry)})
        self.served += 1
        series = answer.series
        if answer.counts_cache_hit:
            series.hits += 1
        series.answered(answer.status, time.perf_counter() - started)

    def _lookup(self, scope: Scope, route: str, slug: str | None) -> CachedBody | None:
        """The cached body the endpoint would serve, or None to let the endpoint decide."""
        path_params = {"slug": slug} if slug is not None else {}
        request = Request({**scope, "app": self.app, "path_params": path_params})
        if route == "embed_js":
            return static.asset_body(request, "embed.js", hashed=False)
        state = self.state
        if not state.cache.enabled:
            return None
        try:
            key = RECIPES[route](request)
        except Exception:  # any error: the endpoint raises it again and answers it
            return None
        return state.cache.get((route, state.data.catalog.version, key))

    async def _prepare(self, scope: Scope, response: Response) -> Prepared:
        """Status and headers exactly as the normal stack sends them for ``response``."""
        settings = self.state.settings
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
