"""Security headers on every response (pure ASGI middleware).

Endpoints set a page-specific ``Content-Security-Policy`` (built by ``widget.csp``);
this middleware adds ``frame-ancestors`` by route — the configured ancestors on
``/embed/``, ``'self'`` everywhere else (with ``X-Frame-Options: SAMEORIGIN``) — puts a
default policy on responses without one, adds the other headers, and drops any
``Set-Cookie`` a component might try to send.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from widget import csp

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)
# The widget whose embedder allowed "use my location" (``geolocation=allow``, the iframe
# then has allow="geolocation") sends this policy itself; only there does it stay.
GEOLOCATION_SELF = PERMISSIONS_POLICY.replace("geolocation=()", "geolocation=(self)")
EMBEDDABLE_PREFIXES = ("/embed/",)
# Resources other sites load directly (scripts, oEmbed, images, static) or frame.
CROSS_ORIGIN_PREFIXES = ("/embed", "/oembed", "/static/", "/events/")


class SecurityHeaders:
    """Adds CSP frame-ancestors, nosniff, referrer, permissions, CORP and HSTS headers."""

    def __init__(self, app: ASGIApp, *, frame_ancestors: str = "*", hsts: bool = False) -> None:
        self.app = app
        self.frame_ancestors = frame_ancestors
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        embeddable = path.startswith(EMBEDDABLE_PREFIXES)
        ancestors = self.frame_ancestors if embeddable else "'self'"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                del headers["set-cookie"]
                policy = headers.get("content-security-policy") or csp.DEFAULT
                headers["content-security-policy"] = f"{policy}; frame-ancestors {ancestors}"
                if not embeddable:
                    headers["x-frame-options"] = "SAMEORIGIN"
                headers["x-content-type-options"] = "nosniff"
                headers.setdefault("referrer-policy", "strict-origin-when-cross-origin")
                own = headers.get("permissions-policy")
                keep = embeddable and own == GEOLOCATION_SELF
                headers["permissions-policy"] = GEOLOCATION_SELF if keep else PERMISSIONS_POLICY
                headers["cross-origin-resource-policy"] = (
                    "cross-origin" if path.startswith(CROSS_ORIGIN_PREFIXES) else "same-origin"
                )
                if self.hsts:
                    headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"
            await send(message)

        await self.app(scope, receive, send_with_headers)
