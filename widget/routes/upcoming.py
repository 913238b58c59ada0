"""``/embed/upcoming``: every upcoming event in one widget (or, with ``layout=compact``, the
next one as a banner).

Rendered once per (normalized options with the resolved language, whether the language
was negotiated, the clock's window between the catalog's phase changes) and then served
from the body cache, like ``/embed/{slug}``; the catalog's version is part of every key,
so an added event (from a file or a synced calendar) shows at the next request.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.documents.upcoming_view import build_upcoming, epoch, upcoming_banner
from widget.i18n import negotiate
from widget.languages import DEFAULT_LANGUAGE
from widget.params import DEFAULT_LIMIT, UPCOMING_WIDGET, ViewOptions
from widget.routes._common import cached, language_headers
from widget.services import services
from widget.timing import PAGE_MAX_AGE, STALE_WHILE_REVALIDATE, Phase


@dataclass(frozen=True)
class UpcomingRequest:
    """What an upcoming-widget request asks for, normalized; ``cache_key`` names the body."""

    options: ViewOptions
    language: str
    negotiated: bool
    now: datetime
    epoch: int

    @property
    def cache_key(self) -> Hashable:
        """The body cache key: the clock enters only as its window (``upcoming_view.epoch``)."""
        return (self.options, self.negotiated, self.epoch)


def resolve(request: Request) -> UpcomingRequest:
    """Parse an upcoming-widget request; raises BadRequest naming the parameter."""
    options = UPCOMING_WIDGET(request)
    if options.compact:  # one event: the limit changes nothing, so it names no other page
        options = replace(options, limit=DEFAULT_LIMIT)
    if options.lang:
        language, negotiated = options.lang, False
    else:
        language = negotiate(request.headers.get("accept-language")) or DEFAULT_LANGUAGE
        negotiated = True
    state = services(request)
    now = state.now()
    return UpcomingRequest(
        options.with_lang(language), language, negotiated, now, epoch(state.data.catalog, now)
    )


def _page(html: str, csp: str, wanted: UpcomingRequest, phase: Phase) -> CachedBody:
    """A rendered page as a cache entry, cached as long as its soonest event allows."""
    headers = (
        ("content-security-policy", csp),
        *language_headers(wanted.language, wanted.negotiated),
    )
    return CachedBody.build(
        html.encode("utf-8"),
        "text/html; charset=utf-8",
        headers,
        max_age=PAGE_MAX_AGE[phase],
        stale_while_revalidate=STALE_WHILE_REVALIDATE[phase],
    )


async def upcoming_widget(request: Request) -> Response:
    """GET /embed/upcoming — every upcoming event, soonest first (``layout=compact``: the
    next one that is not cancelled, as a banner)."""
    state = services(request)
    wanted = resolve(request)
    options, language, now = wanted.options, wanted.language, wanted.now
    catalog = state.data.catalog
    public_url = state.settings.public_url

    def render_list() -> CachedBody:
        view = build_upcoming(catalog, options, language, now, public_url)
        phases = {item.view.phase for item in view.items}
        page = state.renderer.render("upcoming.html", language, {"view": view})
        phase = Phase.TODAY if Phase.TODAY in phases else Phase.UPCOMING
        return _page(page.html, page.csp.header(), wanted, phase)

    def render_banner() -> CachedBody:
        banner = upcoming_banner(catalog, options, language, now, public_url)
        phase = banner.view.phase if banner.view is not None else Phase.UPCOMING
        page = state.renderer.render("compact.html", language, {"view": banner})
        return _page(page.html, page.csp.header(), wanted, phase)

    render = render_banner if options.compact else render_list
    return await cached(request, "embed_upcoming", wanted.cache_key, render)
