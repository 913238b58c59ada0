"""Turning a ``CachedBody`` into an HTTP response: validators, 304s and compression."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import Response

from widget.cache import CachedBody


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match list (or '*') against our ETag."""
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(
        candidate.strip().removeprefix("W/") == wanted
        for candidate in if_none_match[:4096].split(",")
    )


def accepts_gzip(headers: Headers) -> bool:
    """True when the client lists gzip in Accept-Encoding with a non-zero quality."""
    for part in headers.get("accept-encoding", "")[:1024].split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def cache_control(cached: CachedBody) -> str:
    """Cache-Control for a cached body."""
    if cached.max_age <= 0:
        return "no-cache"
    return (
        f"public, max-age={cached.max_age}, stale-while-revalidate={cached.stale_while_revalidate}"
    )


def respond(request_headers: Headers, cached: CachedBody, status: int = 200) -> Response:
    """A response for ``cached``: 304 on a matching If-None-Match, gzip when accepted."""
    headers = dict(cached.headers)
    headers["etag"] = cached.etag
    headers["cache-control"] = cache_control(cached)
    if cached.gzipped is not None:
        vary = headers.get("vary")
        headers["vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
    if status == 200:
        if_none_match = request_headers.get("if-none-match")
        if if_none_match is not None and etag_matches(if_none_match, cached.etag):
            return Response(status_code=304, headers=headers)
    body = cached.body
    if cached.gzipped is not None and accepts_gzip(request_headers):
        headers["content-encoding"] = "gzip"
        body = cached.gzipped
    return Response(body, status_code=status, headers=headers, media_type=cached.media_type)
