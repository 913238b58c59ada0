"""JSON-LD for the canonical event page: one schema.org ``Event`` per location.

Search engines show events with a date, a place and a way to take part; each city of a
protest is its own event for them, so ``event_graph`` builds one ``Event`` per location,
sharing the title, description, image and organizer. The models are typed so every field
carries the right ``@type``; ``script_json`` serializes them for an
``application/ld+json`` block with ``<``, ``>`` and ``&`` escaped (a text field holding
``</script>`` cannot end the block).
"""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field

from widget.countries import country_name
from widget.model import Event, Location, Status

SCHEMA = "https://schema.org"

EVENT_STATUS = {
    Status.SCHEDULED: f"{SCHEMA}/EventScheduled",
    Status.CANCELLED: f"{SCHEMA}/EventCancelled",
    Status.POSTPONED: f"{SCHEMA}/EventPostponed",
    Status.MOVED_ONLINE: f"{SCHEMA}/EventMovedOnline",
}
OFFLINE = f"{SCHEMA}/OfflineEventAttendanceMode"
ONLINE = f"{SCHEMA}/OnlineEventAttendanceMode"


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PostalAddress(_Node):
    """A city and its country (ISO code, as search engines prefer)."""

    type: Literal["PostalAddress"] = Field(default="PostalAddress", serialization_alias="@type")
    addressLocality: str
    addressCountry: str


class GeoCoordinates(_Node):
    """A point on the map."""

    type: Literal["GeoCoordinates"] = Field(default="GeoCoordinates", serialization_alias="@type")
    latitude: float
    longitude: float


class Place(_Node):
    """Where a location's protest happens."""

    type: Literal["Place"] = Field(default="Place", serialization_alias="@type")
    name: str
    address: PostalAddress
    geo: GeoCoordinates | None = None


class VirtualLocation(_Node):
    """Where an event moved online takes place."""

    type: Literal["VirtualLocation"] = Field(default="VirtualLocation", serialization_alias="@type")
    url: str


class Offer(_Node):
    """How to take part: the location's signup page."""

    type: Literal["Offer"] = Field(default="Offer", serialization_alias="@type")
    url: str
    availability: str = f"{SCHEMA}/InStock"


class Organization(_Node):
    """Who organizes the event."""

    type: Literal["Organization"] = Field(default="Organization", serialization_alias="@type")
    name: str
    url: str


class EventNode(_Node):
    """A schema.org Event for one location."""

    context: Literal["https://schema.org"] = Field(
        default="https://schema.org", serialization_alias="@context"
    )
    type: Literal["Event"] = Field(default="Event", serialization_alias="@type")
    name: str
    description: str
    startDate: str
    endDate: str | None = None
    eventStatus: str
    eventAttendanceMode: str
    location: Place | list[VirtualLocation | Place]
    url: str
    image: list[str]
    offers: Offer
    organizer: Organization
    inLanguage: str


def _moment(event: Event, location: Location, clock: time | None) -> str:
    """An ISO date-time with offset when a time and zone exist, else the ISO date."""
    if clock is None or location.timezone is None:
        return event.date.isoformat()
    moment = datetime.combine(event.date, clock, tzinfo=ZoneInfo(location.timezone))
    return moment.isoformat()


def location_event(
    event: Event,
    location: Location,
    *,
    language: str,
    description: str,
    page_url: str,
    image_url: str,
) -> EventNode:
    """The schema.org Event of one location (``description`` is plain text)."""
    language_used, text = event.text(language)
    city = text.cities.get(location.id, location.city)
    place = Place(
        name=location.venue or city,
        address=PostalAddress(addressLocality=city, addressCountry=location.country),
        geo=(
            GeoCoordinates(latitude=location.coordinates.lat, longitude=location.coordinates.lon)
            if location.coordinates
            else None
        ),
    )
    online = event.status is Status.MOVED_ONLINE
    start = location.start_time or event.start_time
    end = location.end_time or event.end_time
    return EventNode(
        name=f"{text.title} — {city}, {country_name(location.country, language_used)}",
        description=description or text.title,
        startDate=_moment(event, location, start),
        endDate=_moment(event, location, end) if end is not None else None,
        eventStatus=EVENT_STATUS[event.status],
        eventAttendanceMode=ONLINE if online else OFFLINE,
        location=[VirtualLocation(url=location.signup_url), place] if online else place,
        url=page_url,
        image=[image_url],
        offers=Offer(url=location.signup_url),
        organizer=Organization(name=event.organizer.name, url=event.organizer.url),
        inLanguage=language_used,
    )


def event_graph(
    event: Event, *, language: str, description: str, page_url: str, image_url: str
) -> list[EventNode]:
    """One Event per location, in the data's order."""
    return [
        location_event(
            event,
            location,
            language=language,
            description=description,
            page_url=page_url,
            image_url=image_url,
        )
        for location in event.locations
    ]


def script_json(nodes: list[EventNode]) -> Markup:
    """The nodes as JSON safe inside ``<script type="application/ld+json">``.

    Markup because it is the content of a raw-text element: HTML escaping would corrupt
    it, and with ``<``, ``>`` and ``&`` written as JSON escapes nothing in it can close
    the element or start a comment.
    """
    data = [node.model_dump(mode="json", by_alias=True, exclude_none=True) for node in nodes]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    safe = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(safe)  # noqa: S704 - JSON with every markup character escaped
