"""What each route is, besides its endpoint: error format, framing and caching.

``widget.app`` declares one ``RouteTable`` beside ``ROUTES``: per route name a
``RoutePolicy``. Everything that used to guess a route's nature from its path (string
prefixes and suffixes in the security headers, the error pages and the fast path) asks the
table instead, with the route the router matched (``scope["route"]``). A path no route
matches gets ``UNMATCHED``: an HTML error page, framed by our own pages only, same-origin.

A route with ``replay`` set may have its answers replayed byte for byte by
``widget.fast_path``: adding it to the table is all a route needs for that, provided its
endpoint serves through ``widget.routes._common.cached`` (or ``serve``) and its answer
depends on the request only through the path, the query string, the language negotiated
from ``Accept-Language``, whether ``Accept-Encoding`` takes gzip, and ``If-None-Match``.
``timed`` says whether the answer also depends on the clock (event phases, ``next``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from starlette.types import Scope

ErrorFormat = Literal["html", "json"]


@dataclass(frozen=True, slots=True)
class RoutePolicy:
    """One route's properties."""

    errors: ErrorFormat = "html"  # JSON for routes machines call, an HTML page otherwise
    embeddable: bool = False  # framed by any configured ancestor (else only by our pages)
    cross_origin: bool = False  # loaded by other sites (Cross-Origin-Resource-Policy)
    replay: bool = False  # answers replayed byte for byte (widget.fast_path)
    timed: bool = True  # the answer may change with the clock (phases, ``next``)
    cors_errors: bool = False  # error answers carry Access-Control-Allow-Origin: *


UNMATCHED = RoutePolicy()


class RouteTable:
    """Route name → ``RoutePolicy``; routes not listed get ``UNMATCHED``'s defaults."""

    def __init__(self, policies: Mapping[str, RoutePolicy]) -> None:
        self.policies = dict(policies)

    def named(self, name: str | None) -> RoutePolicy:
        """The policy of the route called ``name`` (None: no route matched)."""
        if name is None:
            return UNMATCHED
        return self.policies.get(name, UNMATCHED)

    def of(self, scope: Scope) -> RoutePolicy:
        """The policy of the route the router matched for ``scope`` (so far)."""
        return self.named(route_name(scope))


def route_name(scope: Scope) -> str | None:
    """The declared name of the route matched for ``scope``, None before or without one."""
    route = scope.get("route")
    name: str | None = getattr(route, "name", None)
    return name
