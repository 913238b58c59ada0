"""JSON-LD for the canonical event page: one schema.org ``Event`` per location.

Search engines show events with a date, a place and a way to take part; each city of a
protest is its own event for them, so ``event_graph`` builds one ``Event`` per location,
sharing the title, description, image and organizer. The models are typed so every field
carries the right ``@type``; ``script_json`` serializes them for an
``application/ld+json`` block with ``<``, ``>`` and ``&`` escaped (a text field holding
``</script>`` cannot end the block). The events index (``/events``) lists its page's events
as an ``ItemList`` of one ``Event`` each (``index_event``, ``item_list``): plain data of
the shape the models serialize to. A catalog's events do not change within its version, so
``index_event_json`` keeps the last ``NODES`` of them serialized (``widget.memo``) and
``item_list_json`` joins them into the same bytes ``script_json(item_list(...))`` writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from functools import lru_cache, partial
from typing import Any, Literal
from zoneinfo import ZoneInfo

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field

from widget.memo import Memo
from widget.model import Event, Location, LocationStatus, Status
from widget.places import place_name

SCHEMA = "https://schema.org"

EVENT_STATUS = {
    Status.SCHEDULED: f"{SCHEMA}/EventScheduled",
    Status.CANCELLED: f"{SCHEMA}/EventCancelled",
    Status.POSTPONED: f"{SCHEMA}/EventPostponed",
    Status.MOVED_ONLINE: f"{SCHEMA}/EventMovedOnline",
}
LOCATION_STATUS = {
    LocationStatus.SCHEDULED: f"{SCHEMA}/EventScheduled",
    LocationStatus.TBA: f"{SCHEMA}/EventScheduled",
    LocationStatus.CANCELLED: f"{SCHEMA}/EventCancelled",
    LocationStatus.MOVED_ONLINE: f"{SCHEMA}/EventMovedOnline",
}
OFFLINE = f"{SCHEMA}/OfflineEventAttendanceMode"
ONLINE = f"{SCHEMA}/OnlineEventAttendanceMode"
MIXED = f"{SCHEMA}/MixedEventAttendanceMode"
# The places an index entry names: its page names them all (one Event per location).
MAX_INDEX_PLACES = 10


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PostalAddress(_Node):
    """A city (unless still open) and its country (ISO code, as search engines prefer)."""

    type: Literal["PostalAddress"] = Field(default="PostalAddress", serialization_alias="@type")
    addressLocality: str | None = None
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
    """Where an online (or moved online) event takes place: its link, else its page."""

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
    location: Place | VirtualLocation | list[VirtualLocation | Place]
    url: str
    image: list[str]
    offers: Offer | None = None
    organizer: Organization
    inLanguage: str


def _moment(day: date, location: Location, clock: time | None) -> str:
    """An ISO date-time with offset when a time and zone exist, else the ISO date."""
    if clock is None or location.timezone is None:
        return day.isoformat()
    moment = datetime.combine(day, clock, tzinfo=ZoneInfo(location.timezone))
    return moment.isoformat()


def event_status(event: Event, location: Location) -> str:
    """The schema.org status: the event's when it is not scheduled, else the location's
    (a location to be announced is scheduled: schema.org has no word for it)."""
    if event.status is not Status.SCHEDULED:
        return EVENT_STATUS[event.status]
    return LOCATION_STATUS[location.status]


def place_of(event: Event, location: Location, language: str) -> Place | None:
    """The schema.org Place of a location that names a country (None for online only)."""
    if location.country is None:
        return None
    text = event.text(language)[1]
    coordinates = location.coordinates
    return Place(
        name=location.venue or place_name(event, location, language, country=False),
        address=PostalAddress(
            addressLocality=text.cities.get(location.id, location.city),
            addressCountry=location.country,
        ),
        geo=(
            GeoCoordinates(latitude=coordinates.lat, longitude=coordinates.lon)
            if coordinates
            else None
        ),
    )


def location_event(
    event: Event,
    location: Location,
    *,
    language: str,
    description: str,
    page_url: str,
    image_url: str,
) -> EventNode:
    """The schema.org Event of one location (``description`` is plain text).

    Its dates are the location's own days (the event's when it has none); an online
    location is a ``VirtualLocation`` at its first web link (else the event's page), a
    location moved online both that and its place; the offer is its first web link, and
    there is none for a location without one (to be announced, or contact by email only).
    """
    language_used, text = event.text(language)
    name = place_name(event, location, language_used)
    web = next((link.url for link in location.links if link.is_web), None)
    virtual = VirtualLocation(url=web or page_url)
    place = place_of(event, location, language_used)
    moved = Status.MOVED_ONLINE in (event.status, location.status)
    # A cancelled location (or event) offers nothing to sign up for.
    cancelled = event.status is Status.CANCELLED or location.status is LocationStatus.CANCELLED
    first, last = event.days(location)
    start = location.start_time or event.start_time
    end = location.end_time or event.end_time
    where: Place | VirtualLocation | list[VirtualLocation | Place]
    if location.online or place is None:
        where = virtual
    elif moved:
        where = [virtual, place]
    else:
        where = place
    return EventNode(
        name=f"{text.title} — {name}",
        description=description or text.title,
        startDate=_moment(first, location, start),
        endDate=(_moment(last, location, end) if end is not None or last > first else None),
        eventStatus=event_status(event, location),
        eventAttendanceMode=ONLINE if (location.online or moved) else OFFLINE,
        location=where,
        url=page_url,
        image=[image_url],
        offers=Offer(url=web) if web and not cancelled else None,
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


def _place_data(event: Event, location: Location, language: str) -> dict[str, Any]:
    """A ``Place`` as plain data (the shape ``Place`` serializes to)."""
    text = event.text(language)[1]
    address: dict[str, Any] = {"@type": "PostalAddress"}
    locality = text.cities.get(location.id, location.city)
    if locality is not None:
        address["addressLocality"] = locality
    address["addressCountry"] = location.country
    place: dict[str, Any] = {
        "@type": "Place",
        "name": location.venue or place_name(event, location, language, country=False),
        "address": address,
    }
    if location.coordinates is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": location.coordinates.lat,
            "longitude": location.coordinates.lon,
        }
    return place


def index_event(
    event: Event, *, language: str, description: str, page_url: str, image_url: str
) -> dict[str, Any]:
    """The whole event as one schema.org Event, for an index that lists it.

    Its days are the event's (all its locations'), as dates; its places the first
    ``MAX_INDEX_PLACES`` locations that name a country (the event's page has one Event
    per location with all the details), after a ``VirtualLocation`` when some are online.
    It is cancelled when the event is, or when every location is.

    Plain data in exactly the shape an ``EventNode`` serializes to (the tests validate
    it as one): an index page lists fifty events, and validating eight models for each
    cost more than the rest of the page.
    """
    language_used, text = event.text(language)
    places: list[dict[str, Any]] = []
    online = sum(1 for location in event.locations if location.online)
    if online:
        places.append({"@type": "VirtualLocation", "url": page_url})
    for location in event.locations:
        if len(places) >= MAX_INDEX_PLACES:
            break
        if not location.online and location.country is not None:
            places.append(_place_data(event, location, language_used))
    if event.status is Status.SCHEDULED and all(
        location.status is LocationStatus.CANCELLED for location in event.locations
    ):
        status = EVENT_STATUS[Status.CANCELLED]
    else:
        status = EVENT_STATUS[event.status]
    if event.status is Status.MOVED_ONLINE or online == len(event.locations):
        mode = ONLINE
    else:
        mode = MIXED if online else OFFLINE
    node: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": text.title,
        "description": description or text.title,
        "startDate": event.first_day.isoformat(),
    }
    if event.last_day > event.first_day:
        node["endDate"] = event.last_day.isoformat()
    node |= {
        "eventStatus": status,
        "eventAttendanceMode": mode,
        "location": places[0] if len(places) == 1 else places,
        "url": page_url,
        "image": [image_url],
        "organizer": {
            "@type": "Organization",
            "name": event.organizer.name,
            "url": event.organizer.url,
        },
        "inLanguage": language_used,
    }
    return node


def item_list(name: str, url: str, items: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """A schema.org ItemList of (page URL, Event) pairs, in order."""
    return {
        "@context": SCHEMA,
        "@type": "ItemList",
        "name": name,
        "url": url,
        "numberOfItems": len(items),
        "itemListElement": [
            {"@type": "ListItem", "position": position, "url": page, "item": node}
            for position, (page, node) in enumerate(items, 1)
        ],
    }


NODES = 2048  # serialized index Events kept (``index_event_json``): ~1.5 kB each
_NODES: Memo[str] = Memo(NODES)
_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def index_event_json(
    event: Event,
    *,
    language: str,
    page_url: str,
    version: str,
    details: Callable[[], tuple[str, str]],
) -> str:
    """``index_event`` as compact JSON already safe in a script block (``_safe``), kept
    per ``version`` of the catalog holding ``event``, ``language`` and ``page_url``;
    ``details`` gives the description and the image URL, asked only when the node is
    built (so they must follow from the rest: the description from the event's text in
    ``language``, as the page derives it, the image from the page's public URL)."""

    def build() -> str:
        description, image_url = details()
        return _safe(
            _dumps(
                index_event(
                    event,
                    language=language,
                    description=description,
                    page_url=page_url,
                    image_url=image_url,
                )
            )
        )

    return _NODES.get((version, event.slug, language, page_url), build)


@lru_cache(maxsize=NODES)
def _safe_string(value: str) -> str:
    """A JSON string safe in a script block (a page URL repeats on every render)."""
    return _safe(_dumps(value))


def item_list_json(name: str, url: str, items: Sequence[tuple[str, str]]) -> Markup:
    """``script_json(item_list(name, url, ...))`` for (page URL, Event as JSON from
    ``index_event_json``) pairs: the same bytes, each Event serialized and escaped once
    (escaping replaces single characters, so escaping the parts escapes the whole)."""
    elements = ",".join(
        f'{{"@type":"ListItem","position":{position},"url":{_safe_string(page)},"item":{node}}}'
        for position, (page, node) in enumerate(items, 1)
    )
    text = (
        f'{{"@context":{_safe(_dumps(SCHEMA))},"@type":"ItemList","name":{_safe(_dumps(name))},'
        f'"url":{_safe(_dumps(url))},"numberOfItems":{len(items)},"itemListElement":[{elements}]}}'
    )
    return Markup(text)  # noqa: S704 - every part escaped by ``_safe``


def _safe(text: str) -> str:
    """JSON text with ``&``, ``<`` and ``>`` written as JSON escapes (the same value)."""
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _script_safe(text: str) -> Markup:
    return Markup(_safe(text))  # noqa: S704 - JSON with every markup character escaped


def script_json(nodes: list[EventNode] | dict[str, Any]) -> Markup:
    """The nodes as JSON safe inside ``<script type="application/ld+json">``.

    Markup because it is the content of a raw-text element: HTML escaping would corrupt
    it, and with ``<``, ``>`` and ``&`` written as JSON escapes nothing in it can close
    the element or start a comment.
    """
    data: object
    if isinstance(nodes, dict):
        data = nodes  # plain data already (the index's ItemList)
    else:
        data = [node.model_dump(mode="json", by_alias=True, exclude_none=True) for node in nodes]
    return _script_safe(_dumps(data))
