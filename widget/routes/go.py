"""``/go/{slug}/{location}`` and ``/go/{slug}/{location}/{n}``: counted redirects to a
location's links; ``/go/{slug}``: to the event's "organize one near you" link.

The first link (the signup link) is ``/go/{slug}/{location}``; each further link has its
own path, numbered from 2 (``/go/{slug}/{location}/2``), so every link is counted on its
own. The target comes only from the data; the request chooses an event, a location id and
a number, never a URL, so this can never be an open redirect. A location without links (to
be announced), a cancelled one, a number out of range or written otherwise (``/1``,
``/02``) is a 404.

A click from a widget may carry ``?site=ORIGIN``, the embedding page's origin, which the
widget's script appends at click time: it is counted by site (bounded, see
``widget.site_labels``) and changes nothing else — no 400, no other target.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from widget.errors import NotFound
from widget.model import LocationStatus
from widget.params import CLICK
from widget.routes._common import event_for
from widget.services import services

_FURTHER = re.compile(r"^[2-9]$|^[1-9][0-9]$")  # 2 … 99, no leading zero


async def signup_redirect(request: Request) -> Response:
    """302 to one link of one location, counted per (event, location, link)."""
    event = event_for(request)
    wanted = request.path_params["location"]
    location = event.location(wanted)
    if location is None:
        raise NotFound(f"No location '{wanted[:100]}' in '{event.slug}'.")
    written = request.path_params.get("link")
    if written is not None and not _FURTHER.match(written):
        raise NotFound(f"No link '{written[:10]}' of '{location.id}' (links are numbered 2, 3 …).")
    number = int(written) if written is not None else 1
    if location.status is LocationStatus.CANCELLED or number > len(location.links):
        raise NotFound(f"'{location.id}' of '{event.slug}' has no link {number}.")
    if request.method == "GET":
        metrics = services(request).metrics
        metrics.clicks.labels(event.slug, location.id, str(number)).inc()
        _count_site(request, event.slug, location.id)
    return _redirect(location.links[number - 1].url)


# The click counter's location label for the organize link: not a location id (ids start
# with a letter or digit), so it can never be mistaken for one.
ORGANIZE = "(organize)"


async def organize_redirect(request: Request) -> Response:
    """302 to the event's "organize one near you" link (``organize_url``), counted."""
    event = event_for(request)
    if event.organize_url is None:
        raise NotFound(f"'{event.slug}' has no organize link.")
    if request.method == "GET":
        services(request).metrics.clicks.labels(event.slug, ORGANIZE, "1").inc()
        _count_site(request, event.slug, ORGANIZE)
    return _redirect(event.organize_url)


def _count_site(request: Request, slug: str, location: str) -> None:
    """Count the click by embedding site when the widget's script named one (``site``: an
    origin, bounded by ``widget.site_labels``; never an error, whatever it holds)."""
    site = CLICK(request)
    if site is None:
        return  # no site (the event page, JavaScript off, a plain iframe), or a garbled one
    metrics = services(request).metrics
    metrics.site_clicks.labels(slug, location, metrics.sites.label(site)).inc()


def _redirect(url: str) -> Response:
    """A 302 to a URL from the data, never cached, carrying no referrer."""
    return RedirectResponse(
        url,
        status_code=302,
        headers={"referrer-policy": "no-referrer", "cache-control": "no-store"},
    )
