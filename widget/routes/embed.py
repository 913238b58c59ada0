"""``/embed/{slug}``: the widget document that iframes show.

Rendered once per (event, normalized options with the resolved language, whether the
language was negotiated, phase) and then served from the body cache; unknown query
parameters never reach the key, so they cannot change the body or grow the cache.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.params import parse_view
from widget.routes._common import cached, event_for, language_for, language_headers
from widget.services import services
from widget.timing import PAGE_MAX_AGE, STALE_WHILE_REVALIDATE, event_phase
from widget.widget_view import build_view


async def widget(request: Request) -> Response:
    """GET /embed/{slug} — the widget for one event (``next`` resolves by the clock)."""
    state = services(request)
    options = parse_view(request.query_params)
    event = event_for(request)
    language, negotiated = language_for(request, event, options)
    options = options.with_lang(language)
    phase = event_phase(event, state.now())

    def render() -> CachedBody:
        view = build_view(event, options, language, phase, state.settings.public_url)
        page = state.renderer.render(
            "embed.html", language, {"view": view}, providers=view.providers
        )
        headers = (
            ("content-security-policy", page.csp.header()),
            *language_headers(language, negotiated),
        )
        return CachedBody.build(
            page.html.encode("utf-8"),
            "text/html; charset=utf-8",
            headers,
            max_age=PAGE_MAX_AGE[phase],
            stale_while_revalidate=STALE_WHILE_REVALIDATE[phase],
        )

    return await cached(request, "embed", (event.slug, options, negotiated, phase), render)
