"""Static files under content-hashed names, and the snippet loader ``/embed.js``."""

from __future__ import annotations

from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response

from widget.assets import Asset
from widget.cache import CachedBody
from widget.errors import NotFound
from widget.routes._common import serve
from widget.security_headers import ANY_ORIGIN
from widget.services import services

IMMUTABLE = 365 * 86400
# The loader's URL is hard-coded in snippets: short max-age so fixes spread within minutes.
LOADER_MAX_AGE = 600


def asset_body(request: Request, name: str, hashed: bool) -> CachedBody:
    """The static asset ``name`` as a cacheable body (replayed by ``widget.fast_path``)."""
    return _served(services(request).assets[name], hashed)


@lru_cache(maxsize=256)
def _served(asset: Asset, hashed: bool) -> CachedBody:
    """One ``CachedBody`` per asset and naming (the fast path holds it by weak reference)."""
    return CachedBody(
        body=asset.content,
        media_type=asset.media_type,
        headers=(ANY_ORIGIN,),
        max_age=IMMUTABLE if hashed else LOADER_MAX_AGE,
        stale_while_revalidate=0 if hashed else 86400,
        gzipped=asset.gzipped,
        etag=asset.etag,
    )


async def static_file(request: Request) -> Response:
    """GET /static/{path} — immutable when the name carries the content hash."""
    found = services(request).assets.lookup(request.path_params["path"])
    if found is None:
        raise NotFound("No such static file.")
    asset, hashed = found
    response = serve(request, asset_body(request, asset.name, hashed))
    if hashed:
        response.headers["cache-control"] = f"public, max-age={IMMUTABLE}, immutable"
    return response


async def embed_js(request: Request) -> Response:
    """GET /embed.js — the snippet loader (a stable URL, so briefly cached)."""
    return serve(request, asset_body(request, "embed.js", hashed=False))
