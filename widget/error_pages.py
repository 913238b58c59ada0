"""The one place errors become responses: JSON for machine routes, HTML for pages."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from widget.errors import HTTPProblem, Saturated
from widget.i18n import negotiate
from widget.route_table import UNMATCHED, RoutePolicy, RouteTable
from widget.security_headers import ANY_ORIGIN
from widget.services import services

# Error messages may quote what the visitor sent: keep markup characters out of JSON bodies
# so no browser sniffing or careless consumer can ever read them as HTML.
_JSON_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


class SafeJSONResponse(JSONResponse):
    """JSON with <, > and & escaped as \\u003c, \\u003e, \\u0026."""

    def render(self, content: object) -> bytes:
        return super().render(content).decode().translate(_JSON_SAFE).encode()


log = logging.getLogger("widget.errors")


def policy(request: Request) -> RoutePolicy:
    """The matched route's policy (``widget.app.ROUTE_TABLE``); UNMATCHED without a route."""
    table: RouteTable | None = getattr(request.app.state, "route_table", None)
    return table.of(request.scope) if table is not None else UNMATCHED


def wants_json(request: Request) -> bool:
    """True for routes that machines call (JSON errors), False for pages (HTML errors)."""
    return policy(request).errors == "json"


def error_response(request: Request, status: int, message: str, parameter: str | None) -> Response:
    """An error as JSON ``{"error", "status", "parameter"}`` or as a small HTML page."""
    headers = {"cache-control": "no-store"}
    if wants_json(request):
        body: dict[str, object] = {"status": status, "error": message}
        if parameter:
            body["parameter"] = parameter
        if policy(request).cors_errors:
            name, value = ANY_ORIGIN
            headers[name] = value
        return SafeJSONResponse(body, status_code=status, headers=headers)
    state = services(request)
    language = negotiate(request.headers.get("accept-language")) or "en"
    page = state.renderer.render(
        "error.html",
        language,
        {"status": status, "message": message, "parameter": parameter},
    )
    headers["content-security-policy"] = page.csp.header()
    headers["content-language"] = language
    return HTMLResponse(page.html, status_code=status, headers=headers)


async def http_problem(request: Request, exc: Exception) -> Response:
    """Render an ``HTTPProblem`` raised by an endpoint."""
    assert isinstance(exc, HTTPProblem)
    if isinstance(exc, Saturated):
        return saturated(request, exc)
    return error_response(request, exc.status, exc.message, exc.parameter)


def saturated(request: Request, exc: Saturated) -> Response:
    """503 with Retry-After; pages get plain text: under overload, no template renders."""
    headers = {"cache-control": "no-store", "retry-after": str(exc.retry_after)}
    if wants_json(request):
        body = {"status": exc.status, "error": exc.message}
        return SafeJSONResponse(body, status_code=exc.status, headers=headers)
    return PlainTextResponse(exc.message, status_code=exc.status, headers=headers)


async def http_exception(request: Request, exc: Exception) -> Response:
    """Render Starlette's own errors (unknown route, wrong method)."""
    assert isinstance(exc, HTTPException)
    message = "No such page." if exc.status_code == 404 else str(exc.detail)
    response = error_response(request, exc.status_code, message, None)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    """Log an unexpected error and answer without details."""
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return JSONResponse(
        {"status": 500, "error": "Internal error."},
        status_code=500,
        headers={"cache-control": "no-store"},
    )
