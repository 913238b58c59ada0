"""The public JSON document of an event (``GET /events/{slug}.json``).

Schema (documented in the README): the event's facts as in its files — slug, date,
end_date, times, status, default_language, organizer, organize_url, locations (with id,
city, country, online, status, links [{url, label, platform, redirect}], date, end_date,
venue, times, timezone, coordinates), press, media, texts per language (title, summary,
Markdown body, city overrides) — plus ``links`` (page, embed, ics, json, oembed). Each
location also keeps the one-link fields of the first version of this document:
``signup_url`` and ``platform`` (of its first link, null without one) and
``signup_redirect`` (our counted ``/go/`` link for it, null without one); each link's
``redirect`` is its own counted ``/go/`` path (null for a cancelled location, which
``/go/`` does not redirect).
"""

from __future__ import annotations

from typing import Any

from widget.model import Event, LocationStatus
from widget.urls import Urls


def public_event(event: Event, public_url: str) -> dict[str, Any]:
    """The JSON-ready public document of ``event``."""
    document = event.model_dump(mode="json")
    urls = Urls(public_url)
    page = urls.event(event.slug)
    document["links"] = {
        "page": page,
        "embed": urls.embed(event.slug),
        "ics": urls.event_calendar(event.slug),
        "json": urls.event_json(event.slug),
        "oembed": urls.oembed(page),
    }
    for location, facts in zip(event.locations, document["locations"], strict=True):
        # /go/ answers only for a location that is not cancelled: advertise nothing else.
        redirects = location.status is not LocationStatus.CANCELLED
        for number, link in enumerate(facts["links"], 1):
            link["redirect"] = urls.go(event.slug, location.id, number) if redirects else None
        first = facts["links"][0] if facts["links"] else None
        facts["signup_url"] = first["url"] if first else None
        facts["platform"] = first["platform"] if first else None
        facts["signup_redirect"] = first["redirect"] if first else None
    return document
