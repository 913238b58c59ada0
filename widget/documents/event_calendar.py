"""iCalendar for an event: one ``VEVENT`` per location, built with ``icalendar``.

Every component is a function of the data alone, so the same data gives the same bytes
(and the same ETag): ``UID`` is ``{slug}-{location}@{public host}``, ``DTSTAMP`` is the
start of the event's date in UTC rather than the time of the request. A location takes
place on its own days (the event's when it has none). With a start time and a time zone it
gets a zoned ``DTSTART`` on its first day (and a ``VTIMEZONE``) and ``DTEND`` at the end
time of its last day; otherwise it is all-day (``VALUE=DATE``, ``DTEND`` the day after its
last day, exclusive). ``STATUS`` is the event's when it is not scheduled, else the
location's: ``CANCELLED`` for a cancelled location, ``TENTATIVE`` for one to be announced.
``URL`` is the location's first web link, else the event's page.

``site_calendar`` puts the VEVENTs of many events into one calendar (``/events.ics``):
the same components, so a location has the same UID there as in its event's calendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import icalendar

from widget.documents.location_span import location_span
from widget.model import Event, Location, LocationStatus, Status
from widget.places import place_name

PRODUCT_ID = "-//PauseAI//pauseai-widget//EN"
# A postponed protest has no confirmed date: TENTATIVE until the data names a new one.
STATUS = {
    Status.SCHEDULED: "CONFIRMED",
    Status.MOVED_ONLINE: "CONFIRMED",
    Status.POSTPONED: "TENTATIVE",
    Status.CANCELLED: "CANCELLED",
}


LOCATION_STATUS = {
    LocationStatus.SCHEDULED: "CONFIRMED",
    LocationStatus.MOVED_ONLINE: "CONFIRMED",
    LocationStatus.TBA: "TENTATIVE",
    LocationStatus.CANCELLED: "CANCELLED",
}


def location_status(event: Event, location: Location) -> str:
    """The VEVENT's STATUS: the event's unless it is scheduled, else the location's."""
    if event.status is not Status.SCHEDULED:
        return STATUS[event.status]
    return LOCATION_STATUS[location.status]


_LINE_BREAK = re.compile(r"\r\n?")


def _text(value: str) -> icalendar.vText:
    """A TEXT value whose line breaks (CRLF, or a lone CR that would otherwise end the
    content line) are all newlines, which vText escapes."""
    return icalendar.vText(_LINE_BREAK.sub("\n", value))


def location_component(
    event: Event,
    location: Location,
    *,
    language: str,
    host: str,
    page_url: str,
    description: str,
) -> icalendar.Event:
    """The VEVENT of one location (``description`` is plain text)."""
    language_used, text = event.text(language)
    name = place_name(event, location, language_used)
    start, end = location_span(event, location)
    component = icalendar.Event()
    component.add("uid", f"{event.slug}-{location.id}@{host}")
    component.add("dtstamp", datetime.combine(event.date, time.min, tzinfo=UTC))
    component.add("dtstart", start)
    component.add("dtend", end)
    short = place_name(event, location, language_used, country=False)
    component.add("summary", _text(f"{text.title} — {short}"))
    component.add("location", _text(", ".join(part for part in (location.venue, name) if part)))
    web = next((link.url for link in location.links if link.is_web), None)
    component.add("url", web or page_url)
    details = "\n\n".join(part for part in (description, page_url) if part)
    component.add("description", _text(details))
    component.add("status", location_status(event, location))
    if location.coordinates is not None:
        component.add("geo", (location.coordinates.lat, location.coordinates.lon))
    return component


def _calendar(name: str) -> icalendar.Calendar:
    """An empty published calendar called ``name``."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar treats X-WR-CALNAME as unknown: written and read back unescaped, so the
    # name must be one line.
    calendar.add("x-wr-calname", " ".join(_LINE_BREAK.sub("\n", name).split("\n")))
    return calendar


def event_calendar(
    event: Event,
    locations: Iterable[Location],
    *,
    language: str,
    host: str,
    page_url: str,
    description: str,
) -> bytes:
    """The iCalendar document for ``locations`` of ``event``."""
    language_used, text = event.text(language)
    calendar = _calendar(text.title)
    for location in locations:
        calendar.add_component(
            location_component(
                event,
                location,
                language=language_used,
                host=host,
                page_url=page_url,
                description=description,
            )
        )
    calendar.add_missing_timezones()
    result: bytes = calendar.to_ical()
    return result


@dataclass(frozen=True)
class CalendarEntry:
    """One event of a site-wide calendar: the language, page and description it uses."""

    event: Event
    language: str
    page_url: str
    description: str


def site_calendar(entries: Iterable[CalendarEntry], *, name: str, host: str) -> bytes:
    """One calendar of many events (``/events.ics``), every location of each a VEVENT
    exactly as the event's own calendar has it (same UID, same properties)."""
    calendar = _calendar(name)
    # Subscribed calendars refresh on their own; once an hour is often enough.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for entry in entries:
        for location in entry.event.locations:
            calendar.add_component(
                location_component(
                    entry.event,
                    location,
                    language=entry.language,
                    host=host,
                    page_url=entry.page_url,
                    description=entry.description,
                )
            )
    calendar.add_missing_timezones()
    result: bytes = calendar.to_ical()
    return result
