"""The ASGI application, declared: routes, middleware, exception handlers, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from widget.assets import Assets
from widget.cache import BodyCache
from widget.catalog import Catalog
from widget.error_pages import http_exception, http_problem, server_error
from widget.errors import HTTPProblem
from widget.fast_path import FastPath
from widget.feeds.fetch import Fetcher, FetchPolicy
from widget.feeds.state import FeedState
from widget.feeds.sync import FeedSync, SourceStatus
from widget.http_protocol import CONNECTIONS
from widget.metrics import Metrics
from widget.ready_answers import ReadyAnswers
from widget.reloader import DataSource
from widget.rendering import Renderer
from widget.request_metrics import RequestMetrics
from widget.route_table import RoutePolicy, RouteTable
from widget.routes import (
    api,
    calendar,
    card,
    embed,
    event_page,
    events_index,
    go,
    oembed,
    publish,
    site_feeds,
    static,
    upcoming,
)
from widget.security_headers import SecurityHeaders
from widget.services import Services, system_clock
from widget.settings import Settings

log = logging.getLogger("widget")

ROUTES = [
    Route("/", publish.publish_page, name="publish"),
    Route("/events", events_index.events_index, name="events_index"),
    Route("/events.ics", site_feeds.events_calendar, name="events_ics"),
    Route("/events.atom", site_feeds.events_atom, name="events_atom"),
    Route("/sitemap.xml", site_feeds.sitemap_xml, name="sitemap"),
    Route("/robots.txt", site_feeds.robots, name="robots"),
    Route("/events/{slug}.json", api.event_json, name="event_json"),
    Route("/events/{slug}.ics", calendar.event_calendar, name="event_ics"),
    Route("/events/{slug}.png", card.event_card, name="event_card"),
    Route("/events/{slug}", event_page.event_page, name="event_page"),
    Route("/embed.js", static.embed_js, name="embed_js"),
    Route("/embed/upcoming", upcoming.upcoming_widget, name="embed_upcoming"),
    Route("/embed/{slug}", embed.widget, name="embed"),
    Route("/go/{slug}", go.organize_redirect, name="go_organize"),
    Route("/go/{slug}/{location}", go.signup_redirect, name="go"),
    Route("/go/{slug}/{location}/{link}", go.signup_redirect, name="go_link"),
    Route("/oembed", oembed.oembed, name="oembed"),
    Route("/healthz", api.healthz, name="healthz"),
    Route("/metrics", api.metrics, name="metrics"),
    Route("/static/{path:path}", static.static_file, name="static"),
]

# What each route is (widget.route_table): error format, framing, caching. A route not
# listed here answers HTML errors, is framed by our own pages only, is same-origin, and
# is never replayed; listing it with ``replay=True`` puts its cached answers on the fast
# path (its endpoint must serve through widget.routes._common.cached or serve).
_MACHINE = RoutePolicy(errors="json")
_SHARED_PAGE = RoutePolicy(cross_origin=True, replay=True)
_SHARED_DATA = RoutePolicy(errors="json", cross_origin=True, replay=True)
ROUTE_TABLE = RouteTable(
    {
        "events_index": _SHARED_PAGE,
        "events_ics": _SHARED_DATA,
        "events_atom": _SHARED_DATA,
        "sitemap": RoutePolicy(errors="json", replay=True),
        "robots": RoutePolicy(errors="json", replay=True, timed=False),
        "event_json": _SHARED_DATA,
        "event_ics": _SHARED_DATA,
        "event_card": _SHARED_DATA,
        "event_page": _SHARED_PAGE,
        "embed_js": RoutePolicy(errors="json", cross_origin=True, replay=True, timed=False),
        "embed": RoutePolicy(embeddable=True, cross_origin=True, replay=True),
        "embed_upcoming": RoutePolicy(embeddable=True, cross_origin=True, replay=True),
        "oembed": RoutePolicy(errors="json", cross_origin=True, replay=True, cors_errors=True),
        "healthz": _MACHINE,
        "metrics": _MACHINE,
        "static": RoutePolicy(errors="json", cross_origin=True, replay=True, timed=False),
    }
)


def build_services(settings: Settings, clock: Callable[[], datetime] | None = None) -> Services:
    """Everything the endpoints share, with the data loaded once."""
    metrics = Metrics()
    cache = BodyCache(settings.cache_size, settings.cache_bytes, settings.cache_ttl)
    assets = Assets()
    ready_answers = ReadyAnswers()

    def on_change(catalog: Catalog) -> None:
        cache.clear()
        ready_answers.clear()
        metrics.data_events.set(len(catalog))

    def on_result(ok: bool) -> None:
        metrics.reloads.labels("ok" if ok else "error").inc()

    def on_feed(source: str, outcome: str, status: SourceStatus) -> None:
        metrics.feed_fetches.labels(source, outcome).inc()
        metrics.feed_events.labels(source).set(status.events)
        if status.last_success is not None:
            metrics.feed_last_success.labels(source).set(status.last_success.timestamp())

    fixed = settings.now
    now = (lambda: fixed) if fixed is not None else (clock or system_clock)
    feeds = FeedSync(
        settings.data_dir,
        Fetcher(FetchPolicy(allow_loopback_http=settings.sync_allow_loopback)),
        FeedState(settings.state_dir),
        settings.sync_seconds,
        clock=now,
        observer=on_feed,
    )
    data = DataSource(
        settings.data_dir, on_change=on_change, on_result=on_result, compose=feeds.compose
    )
    feeds.republish = data.recompose_async
    feeds.prime()  # sources and the saved copies of their feeds, before the first load
    data.reload()
    services = Services(
        settings=settings,
        data=data,
        cache=cache,
        renderer=Renderer(assets, settings.public_url),
        assets=assets,
        metrics=metrics,
        clock=now,
        ready_answers=ready_answers,
        feeds=feeds,
    )
    metrics.watch_limits(services.renders, CONNECTIONS)
    return services


class WidgetApp(Starlette):
    """Starlette, behind ``FastPath``: remembered answers are replayed before Starlette runs."""

    fast_path: FastPath

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.fast_path(scope, receive, send, super().__call__)


def create_app(
    settings: Settings | None = None, clock: Callable[[], datetime] | None = None
) -> WidgetApp:
    """Build the application for ``settings`` (defaults: the bundled sample data)."""
    settings = settings or Settings()
    state = build_services(settings, clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        tasks: set[asyncio.Task[bool]] = set()

        def reload_now() -> None:
            log.info("SIGHUP: reloading data")
            task = loop.create_task(state.data.reload_async())
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGHUP, reload_now)
        poller = (
            loop.create_task(state.data.poll(settings.reload_seconds))
            if settings.reload_seconds > 0
            else None
        )
        feeds = state.feeds
        syncer = loop.create_task(feeds.run()) if feeds and settings.sync_seconds > 0 else None
        try:
            yield
        finally:
            if syncer is not None:
                syncer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await syncer
            if feeds is not None:
                await feeds.fetcher.aclose()
            if poller is not None:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGHUP)

    app = WidgetApp(
        routes=ROUTES,
        middleware=[
            Middleware(RequestMetrics, metrics=state.metrics),
            Middleware(
                SecurityHeaders,
                routes=ROUTE_TABLE,
                frame_ancestors=settings.frame_ancestors,
                hsts=settings.is_https,
            ),
        ],
        exception_handlers={
            HTTPProblem: http_problem,
            HTTPException: http_exception,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    # Starlette's automatic slash redirect builds its Location from the Host header: a path
    # with a stray trailing slash is a 404 instead (absolute URLs come only from settings).
    app.router.redirect_slashes = False
    app.state.services = state
    app.state.route_table = ROUTE_TABLE
    app.fast_path = FastPath(state, ROUTE_TABLE)
    return app
