"""What every event endpoint does: find the event, pick the language, serve from cache."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.conditional import respond
from widget.errors import NotFound
from widget.i18n import negotiate
from widget.model import Event
from widget.params import ViewOptions
from widget.services import services
from widget.timing import Phase, event_phase, location_phases

# Where an endpoint leaves the body it answered from, in the request's scope, for
# ``widget.fast_path`` to replay: (the body, whether serving it counted a cache lookup).
ANSWERED = "widget.answered"


def event_for(request: Request, slug: str | None = None) -> Event:
    """The event named in the path (``next`` resolved by the clock), else NotFound."""
    wanted = slug if slug is not None else request.path_params["slug"]
    found = services(request).data.catalog.resolve(wanted, services(request).now())
    if found is None:
        raise NotFound(f"No event '{wanted[:100]}'.")
    return found


def language_for(request: Request, event: Event, options: ViewOptions) -> tuple[str, bool]:
    """The page language and whether it came from Accept-Language (then responses vary)."""
    if options.lang:
        return options.lang, False
    negotiated = negotiate(request.headers.get("accept-language"))
    if negotiated:
        return negotiated, True
    return event.default_language, True


@dataclass(frozen=True)
class EventRequest:
    """A request for one event, resolved: the event, the options asked for, the language
    (and whether Accept-Language chose it), and where the clock stands in its days."""

    event: Event
    options: ViewOptions
    language: str
    negotiated: bool
    phase: Phase
    location_phases: tuple[Phase, ...] = ()


def resolve_event(request: Request, event: Event, options: ViewOptions) -> EventRequest:
    """``event`` as ``request`` asks for it with ``options`` (its language negotiated and
    its phases read from the clock once)."""
    language, negotiated = language_for(request, event, options)
    now = services(request).now()
    return EventRequest(
        event, options, language, negotiated, event_phase(event, now), location_phases(event, now)
    )


def language_headers(language: str, negotiated: bool) -> tuple[tuple[str, str], ...]:
    """Content-Language, plus Vary when the language was negotiated from the header."""
    headers: tuple[tuple[str, str], ...] = (("content-language", language),)
    if negotiated:
        headers += (("vary", "Accept-Language"),)
    return headers


async def cached(
    request: Request,
    route: str,
    key: Hashable,
    render: Callable[[], CachedBody] | Callable[[], Awaitable[CachedBody]],
) -> Response:
    """Serve ``key`` from the body cache, rendering on a miss; counts hits and misses.

    A plain ``render`` runs in the page render worker (``widget.render_pool``), never on
    the event loop; an ``async`` one (the share card) brings its own worker.
    """
    state = services(request)
    full_key = (route, state.data.catalog.version, key)

    def in_worker() -> Awaitable[CachedBody]:
        if inspect.iscoroutinefunction(render):
            coroutine: Awaitable[CachedBody] = render()
            return coroutine
        return state.renders.pages.run(render)  # type: ignore[arg-type]

    body, hit = await state.cache.get_or_render(full_key, in_worker)
    state.metrics.stats.route(route).cached(hit)
    request.scope[ANSWERED] = (body, True)
    return respond(request.headers, body)


def serve(request: Request, body: CachedBody) -> Response:
    """Answer with a body that is not in the body cache (a static asset), replayably."""
    request.scope[ANSWERED] = (body, False)
    return respond(request.headers, body)
