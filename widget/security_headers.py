"""Security headers on every response (pure ASGI middleware).

Endpoints set a page-specific ``Content-Security-Policy`` (built by ``widget.csp``);
this middleware adds ``frame-ancestors`` by the matched route's ``RoutePolicy``
(``widget.route_table``) — the configured ancestors on embeddable routes, ``'self'``
everywhere else (with ``X-Frame-Options: SAMEORIGIN``) — puts a default policy on
responses without one, adds the other headers, and drops any ``Set-Cookie`` a component
might try to send. ``finish`` is the computation itself, for one response's headers.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from widget import csp
from widget.route_table import RoutePolicy, RouteTable

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)
# The widget whose embedder allowed "use my location" (``geolocation=allow``, the iframe
# then has allow="geolocation") sends this policy itself; only there does it stay.
# What a document anyone's page may fetch (a feed, the JSON, the card) carries.
ANY_ORIGIN = ("access-control-allow-origin", "*")
GEOLOCATION_SELF = PERMISSIONS_POLICY.replace("geolocation=()", "geolocation=(self)")
HSTS = "max-age=63072000; includeSubDomains"


def finish(
    headers: MutableHeaders, policy: RoutePolicy, *, frame_ancestors: str, hsts: bool
) -> None:
    """Put the security headers of a response on a route with ``policy`` into ``headers``."""
    del headers["set-cookie"]
    ancestors = frame_ancestors if policy.embeddable else "'self'"
    page_policy = headers.get("content-security-policy") or csp.DEFAULT
    headers["content-security-policy"] = f"{page_policy}; frame-ancestors {ancestors}"
    if not policy.embeddable:
        headers["x-frame-options"] = "SAMEORIGIN"
    headers["x-content-type-options"] = "nosniff"
    headers.setdefault("referrer-policy", "strict-origin-when-cross-origin")
    own = headers.get("permissions-policy")
    keep = policy.embeddable and own == GEOLOCATION_SELF
    headers["permissions-policy"] = GEOLOCATION_SELF if keep else PERMISSIONS_POLICY
    headers["cross-origin-resource-policy"] = (
        "cross-origin" if policy.cross_origin else "same-origin"
    )
    if hsts:
        headers["strict-transport-security"] = HSTS


class SecurityHeaders:
    """Adds CSP frame-ancestors, nosniff, referrer, permissions, CORP and HSTS headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: RouteTable | None = None,
        frame_ancestors: str = "*",
        hsts: bool = False,
    ) -> None:
        self.app = app
        self.routes = routes or RouteTable({})
        self.frame_ancestors = frame_ancestors
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                finish(
                    MutableHeaders(scope=message),
                    self.routes.of(scope),  # the route matched by now, if any
                    frame_ancestors=self.frame_ancestors,
                    hsts=self.hsts,
                )
            await send(message)

        await self.app(scope, receive, send_with_headers)
