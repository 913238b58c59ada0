"""``/embed/{slug}``: the widget document that iframes show (``layout=compact``: the event
as a one-line banner, ``compact.html``).

Rendered once per (event, normalized options with the resolved language, whether the
language was negotiated, phase) and then served from the body cache; unknown query
parameters never reach the key, so they cannot change the body or grow the cache.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.documents.banner_view import event_banner
from widget.documents.widget_view import build_view
from widget.documents.world_map import map_of
from widget.params import EMBED
from widget.routes._common import EventRequest, cached, event_for, language_headers, resolve_event
from widget.security_headers import GEOLOCATION_SELF
from widget.services import services
from widget.timing import PAGE_MAX_AGE, STALE_WHILE_REVALIDATE


def resolve(request: Request) -> tuple[EventRequest, Hashable]:
    """Parse and resolve a widget request (its options in the language it is shown in),
    and the key of its body; raises BadRequest or NotFound."""
    options = EMBED(request)
    asked = resolve_event(request, event_for(request), options)
    wanted = replace(asked, options=options.with_lang(asked.language))
    key = (
        wanted.event.slug,
        wanted.options,
        wanted.negotiated,
        wanted.phase,
        wanted.location_phases,
    )
    return wanted, key


async def widget(request: Request) -> Response:
    """GET /embed/{slug} — the widget for one event (``next`` resolves by the clock), or its
    banner (``layout=compact``)."""
    state = services(request)
    wanted, key = resolve(request)
    event, language, phase = wanted.event, wanted.language, wanted.phase

    def render() -> CachedBody:
        view = build_view(
            event,
            wanted.options,
            language,
            phase,
            state.settings.public_url,
            wanted.location_phases,
        )
        if wanted.options.compact:
            banner = event_banner(event, view, wanted.options, state.settings.public_url)
            page = state.renderer.render("compact.html", language, {"view": banner})
        else:
            shown_map = map_of(event, view) if wanted.options.map else None
            page = state.renderer.render(
                "embed.html",
                language,
                {"view": view, "map": shown_map},
                providers=view.providers,
            )
        headers = (
            ("content-security-policy", page.csp.header()),
            *language_headers(language, wanted.negotiated),
            # "Use my location" only where the embedder allowed it (SecurityHeaders keeps it).
            *((("permissions-policy", GEOLOCATION_SELF),) if wanted.options.geolocation else ()),
        )
        return CachedBody.build(
            page.html.encode("utf-8"),
            "text/html; charset=utf-8",
            headers,
            max_age=PAGE_MAX_AGE[phase],
            stale_while_revalidate=STALE_WHILE_REVALIDATE[phase],
        )

    return await cached(request, "embed", key, render)
