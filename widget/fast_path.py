"""One request path, with finished answers replayed (pure ASGI, before Starlette runs).

Every request goes through the normal stack — Starlette's router, the middlewares, the
endpoint, the body cache — unless the very answer it would get is already known. The
normal stack pays each expensive step once per distinct input, memoized and bounded:
``Accept-Language`` → negotiated language (``widget.i18n``), (route, normalized options,
language, data version, phase) → rendered body (``widget.cache``). What it sends for a body
it served from a ``CachedBody`` — status line and finished headers, security headers
included — is remembered here by the request's key (``widget.ready_answers``), for routes
whose ``RoutePolicy`` says ``replay``. The next request with that key gets those bytes again
without routing, parsing or header work.

There is no second router and no second key builder here: which route answered, and that
its answer came from a body (``widget.routes._common.ANSWERED``), is what the normal stack
itself left in the request's scope; the headers are the ones it sent. An answer is
remembered only when it is a 200 or 304 sent in one body message equal to the entry's own
bytes, when the data did not change while it was made, and (for routes following the clock)
when every clock reading made for it lies inside one validity window.

It records the metrics the normal stack records for such an answer: requests and latency by
route, and the cache hit where serving the body counted one.

Under ``pauseai-widget serve`` most replays never reach this ASGI entry: the connection
(``widget.http_protocol``) asks ``ready_for`` as soon as a request head is complete and,
when an answer holds, writes it itself — no request cycle, no task, no ASGI messages, the
same bytes — and calls ``replayed``. Both ways share the key (``widget.ready_answers``)
and the validity check (``_valid``); ``__call__`` here serves what the connection leaves
to the cycle: GETs pipelined behind one in flight, HTTP/1.0, closing connections, a
server with an access log, other ASGI servers and the tests' client.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Awaitable, Callable

from starlette.types import Message, Receive, Scope, Send

from widget.cache import CachedBody
from widget.ready_answers import ReadyAnswer, RequestKey, key_of, part_sent, request_key
from widget.route_table import RouteTable, route_name
from widget.routes._common import ANSWERED
from widget.services import Services

NEVER = float("inf")

ASGICall = Callable[[Scope, Receive, Send], Awaitable[None]]


class FastPath:
    """Replays remembered answers; hands every other request to the normal stack."""

    def __init__(self, state: Services, routes: RouteTable) -> None:
        self.state = state
        self.routes = routes
        self.ready = state.ready_answers
        self.enabled = True  # tests switch replay off to compare with the normal stack
        self.served = 0  # answers replayed

    async def __call__(self, scope: Scope, receive: Receive, send: Send, normal: ASGICall) -> None:
        """Answer ``scope``: replayed when remembered, else by ``normal`` (and remembered)."""
        if (
            not self.enabled
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or scope.get("root_path")
        ):
            await normal(scope, receive, send)
            return
        started = time.perf_counter()
        key = request_key(scope)
        if key is None:
            await normal(scope, receive, send)
            return
        found = self._valid(key)
        if found is not None:
            # The hottest lines of the service behind uvicorn's own protocol.
            ready, body = found
            await send(ready.start())
            await send({"type": "http.response.body", "body": body})
            self.replayed(ready, started)
            return
        await self._answer_and_remember(scope, receive, send, normal, key)

    def ready_for(
        self, path: str, query: bytes, headers: list[tuple[bytes, bytes]]
    ) -> tuple[ReadyAnswer, bytes] | None:
        """The valid ready answer to a GET and its body, for ``widget.http_protocol`` to
        write itself (which then calls ``replayed``); None to go the normal way."""
        if not self.enabled:
            return None
        key = key_of(path, query, headers)
        return None if key is None else self._valid(key)

    def _valid(self, key: RequestKey) -> tuple[ReadyAnswer, bytes] | None:
        """The answer remembered for ``key`` and its body while it holds; a remembered
        answer that no longer holds is forgotten."""
        ready = self.ready.get(key)
        if ready is None:
            return None
        entry = ready.entry()
        state = self.state
        if (
            entry is not None
            and ready.version == state.data.catalog.version
            and time.monotonic() < ready.expires
            and (
                ready.until is None
                or (ready.since is not None and ready.since <= state.clock() < ready.until)
            )
        ):
            return ready, ready.body(entry)
        self.ready.forget(key)
        return None

    def replayed(self, ready: ReadyAnswer, started: float) -> None:
        """Record one replayed answer as the normal stack would have (``started``: its
        ``time.perf_counter()`` when the request was read)."""
        self.served += 1
        series = ready.series
        if ready.counts_cache_hit:
            self.state.cache.count_hit()  # as the endpoint's lookup would have counted
            series.hits += 1
        series.answered(ready.status, time.perf_counter() - started)

    async def _answer_and_remember(
        self, scope: Scope, receive: Receive, send: Send, normal: ASGICall, key: RequestKey
    ) -> None:
        """Let the normal stack answer, and remember its answer when it may be replayed."""
        state = self.state
        catalog = state.data.catalog
        since = state.clock()
        start: Message | None = None
        bodies: list[bytes] = []
        whole = True

        async def recording(message: Message) -> None:
            nonlocal start, whole
            if message["type"] == "http.response.start":
                start = {**message, "headers": list(message["headers"])}  # before edits
            elif message["type"] == "http.response.body":
                bodies.append(message.get("body", b""))
                whole = whole and not message.get("more_body", False)
            await send(message)

        await normal(scope, receive, recording)
        answered: tuple[CachedBody, bool] | None = scope.get(ANSWERED)
        if answered is None or start is None or not whole or len(bodies) != 1:
            return
        name = route_name(scope)
        policy = self.routes.named(name)
        status: int = start["status"]
        entry, counted = answered
        part = part_sent(status, bodies[0], entry)
        if name is None or not policy.replay or status not in (200, 304) or part is None:
            return
        if counted and not state.cache.enabled:
            return
        if state.data.catalog is not catalog:
            return  # reloaded meanwhile
        until = None
        if policy.timed:
            until = catalog.steady_until(since)
            if not since <= state.clock() < until:
                return  # read across a change: the next request decides afresh
        self.ready.remember(
            key,
            ReadyAnswer(
                status=status,
                headers=start["headers"],
                entry=weakref.ref(entry),
                part=part,
                version=catalog.version,
                since=since if policy.timed else None,
                until=until,
                expires=entry.born + state.cache.ttl if counted else NEVER,
                series=state.metrics.stats.route(name),
                counts_cache_hit=counted,
            ),
        )
