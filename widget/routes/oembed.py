"""``GET /oembed``: the oEmbed 1.0 provider (JSON or XML, CORS open, cached)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.errors import NotFound
from widget.model import Event
from widget.oembed import OEmbedRequest, build_response, parse_request
from widget.routes._common import cached, event_for
from widget.services import services
from widget.timing import (
    OEMBED_CACHE_AGE,
    PAGE_MAX_AGE,
    STALE_WHILE_REVALIDATE,
    Phase,
    event_phase,
)
from widget.widget_height import Content, signup_labels
from widget.widget_view import build_view
from widget.world_map import map_of


@dataclass(frozen=True)
class EmbedRequest:
    """A parsed oEmbed request and the event it names; ``cache_key`` names the body."""

    event: Event
    wanted: OEmbedRequest
    phase: Phase

    @property
    def cache_key(self) -> Hashable:
        """The body cache key (also used by ``widget.fast_path`` to serve hits early)."""
        return (self.event.slug, self.wanted, self.phase)


def resolve(request: Request) -> EmbedRequest:
    """Parse the oEmbed parameters and find the event; raises BadRequest, NotFound, 501."""
    state = services(request)
    wanted = parse_request(request.query_params, state.settings.public_url)
    try:
        event = event_for(request, wanted.target.slug)
    except NotFound:
        raise NotFound(
            f"The url names no event we know ('{wanted.target.slug}').", parameter="url"
        ) from None
    return EmbedRequest(event, wanted, event_phase(event, state.now()))


async def oembed(request: Request) -> Response:
    """GET /oembed?url=… — a ``rich`` response whose html survives WordPress's filter."""
    state = services(request)
    public_url = state.settings.public_url
    resolved = resolve(request)
    event, wanted, phase = resolved.event, resolved.wanted, resolved.phase

    def render() -> CachedBody:
        options = wanted.target.options
        language = options.lang or event.default_language
        view = build_view(event, options, language, phase, public_url)
        environment = state.renderer.environment(language)
        response = build_response(
            event,
            wanted,
            content=Content.of(
                view,
                signup_labels(environment),
                map=options.map and map_of(event, view) is not None,
            ),
            public_url=public_url,
            cache_age=OEMBED_CACHE_AGE[phase],
            environment=environment,
        )
        body, media_type = response.serialize(wanted.format)
        return CachedBody.build(
            body,
            media_type,
            (("access-control-allow-origin", "*"),),
            max_age=PAGE_MAX_AGE[phase],
            stale_while_revalidate=STALE_WHILE_REVALIDATE[phase],
        )

    return await cached(request, "oembed", resolved.cache_key, render)
