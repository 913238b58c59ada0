"""Machine-readable endpoints: an event's public JSON, health, and metrics."""

from __future__ import annotations

import json
from collections.abc import Hashable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from widget.cache import CachedBody
from widget.documents.public_data import public_event
from widget.metrics import CONTENT_TYPE
from widget.routes._common import cached, event_for
from widget.security_headers import ANY_ORIGIN
from widget.services import services
from widget.timing import PAGE_MAX_AGE, STALE_WHILE_REVALIDATE, event_phase


def json_cache_key(request: Request) -> Hashable:
    """The body cache key of an event's JSON."""
    event = event_for(request)
    return (event.slug, event_phase(event, services(request).now()))


async def event_json(request: Request) -> Response:
    """GET /events/{slug}.json — the event's public data."""
    event = event_for(request)
    state = services(request)
    phase = event_phase(event, state.now())

    def render() -> CachedBody:
        document = public_event(event, state.settings.public_url)
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        return CachedBody.build(
            body,
            "application/json",
            (ANY_ORIGIN,),
            max_age=PAGE_MAX_AGE[phase],
            stale_while_revalidate=STALE_WHILE_REVALIDATE[phase],
        )

    return await cached(request, "event_json", json_cache_key(request), render)


async def healthz(request: Request) -> Response:
    """GET /healthz — status, data version, event count, last reload error, and per
    calendar feed its last success and last error."""
    state = services(request)
    data, feeds = state.data, state.feeds
    serving = len(data.catalog) > 0
    healthy = data.state.ok and (feeds is None or feeds.healthy)
    status = "ok" if healthy and serving else ("degraded" if serving else "error")
    body: dict[str, object] = {
        "status": status,
        "data_version": data.catalog.version,
        "events": len(data.catalog),
        "last_reload": data.state.checked_at.isoformat(timespec="seconds"),
        "last_reload_error": list(data.state.problems) or None,
    }
    if feeds is not None and (feeds.sources or feeds.sources_problems):
        body["sources"] = [feeds.status[source.key].public() for source in feeds.sources]
        body["sources_error"] = list(feeds.sources_problems) or None
    return JSONResponse(
        body, status_code=200 if serving else 503, headers={"cache-control": "no-store"}
    )


async def metrics(request: Request) -> Response:
    """GET /metrics — Prometheus exposition text."""
    state = services(request)
    state.metrics.cache_entries.set(len(state.cache))
    state.metrics.cache_bytes.set(state.cache.bytes)
    state.metrics.data_events.set(len(state.data.catalog))
    return Response(
        state.metrics.render(), media_type=CONTENT_TYPE, headers={"cache-control": "no-store"}
    )
