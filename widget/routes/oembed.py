"""``GET /oembed``: the oEmbed 1.0 provider (JSON or XML, CORS open, cached).

The ``url`` names one event's page or widget, or the upcoming events (``/events``,
``/embed/upcoming``); ``layout=compact`` in it gives the banner. For the upcoming events
the response lends the soonest one's organizer and card (the most recent event's when
none is ahead), and its key carries the clock's window (``upcoming_view.epoch``).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.documents.banner_view import event_banner
from widget.documents.oembed import OEmbedRequest, build_response, parse_request
from widget.documents.upcoming_view import build_upcoming, epoch, upcoming_banner, upcoming_events
from widget.documents.widget_height import (
    AnyContent,
    BannerContent,
    Content,
    UpcomingContent,
    signup_labels,
)
from widget.documents.widget_view import build_view
from widget.documents.world_map import map_of
from widget.errors import NotFound
from widget.i18n import translations
from widget.languages import DEFAULT_LANGUAGE
from widget.model import Event
from widget.params import OEMBED
from widget.routes._common import cached, event_for
from widget.security_headers import ANY_ORIGIN
from widget.services import services
from widget.timing import (
    OEMBED_CACHE_AGE,
    PAGE_MAX_AGE,
    STALE_WHILE_REVALIDATE,
    Phase,
    event_phase,
)


@dataclass(frozen=True)
class EmbedRequest:
    """A parsed oEmbed request and the event it names; ``cache_key`` names the body."""

    event: Event
    wanted: OEmbedRequest
    phase: Phase
    epoch: int | None = None  # for the upcoming events: the clock's window

    @property
    def cache_key(self) -> Hashable:
        """The body cache key."""
        return (self.event.slug, self.wanted, self.phase, self.epoch)


def resolve(request: Request) -> EmbedRequest:
    """Parse the oEmbed parameters and find the event; raises BadRequest, NotFound, 501."""
    state = services(request)
    wanted = parse_request(OEMBED(request), state.settings.public_url)
    if wanted.target.upcoming:
        catalog, now = state.data.catalog, state.now()
        ahead = upcoming_events(catalog, wanted.target.options, now)
        lender = ahead[0] if ahead else catalog.next_event(now.date())
        if lender is None:
            raise NotFound("There are no events to embed yet.", parameter="url")
        return EmbedRequest(lender, wanted, event_phase(lender, now), epoch(catalog, now))
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
        upcoming = wanted.target.upcoming
        language = options.lang or (DEFAULT_LANGUAGE if upcoming else event.default_language)
        environment = state.renderer.environment(language)
        labels = signup_labels(environment)
        now = state.now()
        content: AnyContent
        title = None
        if upcoming and options.compact:
            banner = upcoming_banner(state.data.catalog, options, language, now, public_url)
            content, title = (
                BannerContent.of(banner, labels),
                banner.title or labels["nothing planned"],
            )
        elif upcoming:
            listed = build_upcoming(state.data.catalog, options, language, now, public_url)
            content = UpcomingContent.of(listed, labels)
            title = translations(language).gettext("Upcoming protests")
        else:
            view = build_view(event, options, language, phase, public_url)
            content = Content.of(view, labels, map=options.map and map_of(event, view) is not None)
            if options.compact:
                content = BannerContent.of(event_banner(event, view, options, public_url), labels)
        response = build_response(
            event,
            wanted,
            content=content,
            public_url=public_url,
            cache_age=OEMBED_CACHE_AGE[phase],
            environment=environment,
            title=title,
        )
        body, media_type = response.serialize(wanted.format)
        return CachedBody.build(
            body,
            media_type,
            (ANY_ORIGIN,),
            max_age=PAGE_MAX_AGE[phase],
            stale_while_revalidate=STALE_WHILE_REVALIDATE[phase],
        )

    return await cached(request, "oembed", resolved.cache_key, render)
