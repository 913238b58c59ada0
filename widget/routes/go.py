"""``/go/{slug}/{location}``: the counted redirect to a location's signup page.

The target comes only from the data (the location's ``signup_url``); the request chooses
an event and a location id, never a URL, so this can never be an open redirect.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from widget.errors import NotFound
from widget.routes._common import event_for
from widget.services import services


async def signup_redirect(request: Request) -> Response:
    """302 to the signup URL of one location, counted per (event, location)."""
    event = event_for(request)
    location = event.location(request.path_params["location"])
    if location is None:
        raise NotFound(f"No location '{request.path_params['location'][:100]}' in '{event.slug}'.")
    if request.method == "GET":
        services(request).metrics.clicks.labels(event.slug, location.id).inc()
    return RedirectResponse(
        location.signup_url,
        status_code=302,
        headers={"referrer-policy": "no-referrer", "cache-control": "no-store"},
    )
