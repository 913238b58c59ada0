"""Request counts and latency by route (pure ASGI middleware).

The route label is the matched route's declared name (``embed``, ``oembed``…) or
``unmatched``: never the raw path, so visitors cannot create new series.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from widget.metrics import Metrics


class RequestMetrics:
    """Observes every HTTP request's route, status class and duration."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            route = scope.get("route")
            name = getattr(route, "name", None) or "unmatched"
            self.metrics.stats.route(name).answered(status, time.perf_counter() - started)
