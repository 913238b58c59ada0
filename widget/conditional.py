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


def _weight(params: str) -> float | None:
    """The ``q`` of a coding's parameters (RFC 9110 §12.4.2: name case-insensitive, 1 when
    absent); None for a weight that is not a number from 0 to 1."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return None
            return weight if 0 <= weight <= 1 else None
    return 1.0


def accepts_gzip(headers: Headers) -> bool:
    """True when Accept-Encoding gives gzip (or x-gzip, or else ``*``) a non-zero weight.

    A coding named explicitly wins over ``*`` (``*, gzip;q=0`` refuses gzip); a weight of
    zero in any spelling (``q=0``, ``Q=0.000``, ``q=0.0000``) refuses; so does a malformed one.
    """
    named: float | None = None
    wildcard: float | None = None
    for part in headers.get("accept-encoding", "")[:1024].split(","):
        coding, _, params = part.strip().partition(";")
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            weight = _weight(params) or 0.0
            named = weight if named is None else max(named, weight)
        elif coding == "*":
            wildcard = _weight(params) or 0.0
    chosen = named if named is not None else wildcard
    return chosen is not None and chosen > 0


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
