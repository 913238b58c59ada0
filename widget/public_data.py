"""The public JSON document of an event (``GET /events/{slug}.json``).

Schema (documented in the README): the event's facts as in its files — slug, date, times,
status, default_language, organizer, locations (with id, city, country, signup_url,
platform, venue, times, timezone, coordinates), press, media, texts per language (title,
summary, Markdown body, city overrides) — plus ``links`` (page, embed, ics, oembed) and
each location's ``signup_redirect`` (our counted ``/go/`` link).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from widget.model import Event


def public_event(event: Event, public_url: str) -> dict[str, Any]:
    """The JSON-ready public document of ``event``."""
    document = event.model_dump(mode="json")
    page = f"{public_url}/events/{event.slug}"
    document["links"] = {
        "page": page,
        "embed": f"{public_url}/embed/{event.slug}",
        "ics": f"{page}.ics",
        "json": f"{page}.json",
        "oembed": f"{public_url}/oembed?url={quote(page, safe='')}",
    }
    for location in document["locations"]:
        location["signup_redirect"] = f"{public_url}/go/{event.slug}/{location['id']}"
    return document
