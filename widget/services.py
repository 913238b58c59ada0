"""The application's long-lived parts, built once by ``create_app`` and shared by endpoints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from starlette.requests import Request

from widget.assets import Assets
from widget.cache import BodyCache
from widget.feeds.sync import FeedSync
from widget.metrics import Metrics
from widget.ready_answers import ReadyAnswers
from widget.reloader import DataSource
from widget.render_pool import Renders
from widget.rendering import Renderer
from widget.settings import Settings
from widget.urls import Urls


@dataclass
class Services:
    """Settings, live data, caches, templates and metrics of one application."""

    settings: Settings
    data: DataSource
    cache: BodyCache
    renderer: Renderer
    assets: Assets
    metrics: Metrics
    clock: Callable[[], datetime]
    ready_answers: ReadyAnswers
    renders: Renders = field(default_factory=Renders)
    feeds: FeedSync | None = None

    def now(self) -> datetime:
        """The current time (fixed by WIDGET_NOW for previews and tests)."""
        return self.clock()

    @cached_property
    def urls(self) -> Urls:
        """The builder of every public URL, on the configured public URL (never on a
        request's headers)."""
        return Urls(self.settings.public_url)


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


def services(request: Request) -> Services:
    """The services of the application serving ``request``."""
    found: Services = request.app.state.services
    return found
