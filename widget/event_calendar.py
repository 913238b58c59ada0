"""iCalendar for an event: one ``VEVENT`` per location, built with ``icalendar``.

Every component is a function of the data alone, so the same data gives the same bytes
(and the same ETag): ``UID`` is ``{slug}-{location}@{public host}``, ``DTSTAMP`` is the
start of the event's date in UTC rather than the time of the request. A location with a
start time and a time zone gets a zoned ``DTSTART`` (and a ``VTIMEZONE``); otherwise the
event is all-day (``VALUE=DATE``, ``DTEND`` the next day, exclusive).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar

from widget.countries import country_name
from widget.model import Event, Location, Status

PRODUCT_ID = "-//PauseAI//pauseai-widget//EN"
# A postponed protest has no confirmed date: TENTATIVE until the data names a new one.
STATUS = {
    Status.SCHEDULED: "CONFIRMED",
    Status.MOVED_ONLINE: "CONFIRMED",
    Status.POSTPONED: "TENTATIVE",
    Status.CANCELLED: "CANCELLED",
}


_LINE_BREAK = re.compile(r"\r\n?")


def _text(value: str) -> icalendar.vText:
    """A TEXT value whose line breaks (CRLF, or a lone CR that would otherwise end the
    content line) are all newlines, which vText escapes."""
    return icalendar.vText(_LINE_BREAK.sub("\n", value))


def _moment(day: date, clock: time | None, zone: str | None) -> date | datetime:
    if clock is None or zone is None:
        return day
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone))


def _span(event: Event, location: Location) -> tuple[date | datetime, date | datetime]:
    """DTSTART and DTEND: zoned when a time and zone exist, else the whole day."""
    start = _moment(event.date, location.start_time or event.start_time, location.timezone)
    if not isinstance(start, datetime):
        return start, event.date + timedelta(days=1)
    end_time = location.end_time or event.end_time
    if end_time is None:
        return start, start + timedelta(hours=2)
    end = datetime.combine(event.date, end_time, tzinfo=start.tzinfo)
    return start, end if end > start else end + timedelta(days=1)


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
    city = text.cities.get(location.id, location.city)
    start, end = _span(event, location)
    component = icalendar.Event()
    component.add("uid", f"{event.slug}-{location.id}@{host}")
    component.add("dtstamp", datetime.combine(event.date, time.min, tzinfo=UTC))
    component.add("dtstart", start)
    component.add("dtend", end)
    component.add("summary", _text(f"{text.title} — {city}"))
    where = ", ".join(part for part in (location.venue, city) if part)
    component.add("location", _text(f"{where}, {country_name(location.country, language_used)}"))
    component.add("url", location.signup_url)
    details = "\n\n".join(part for part in (description, page_url) if part)
    component.add("description", _text(details))
    component.add("status", STATUS[event.status])
    if location.coordinates is not None:
        component.add("geo", (location.coordinates.lat, location.coordinates.lon))
    return component


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
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar treats X-WR-CALNAME as unknown: written and read back unescaped, so the
    # name must be one line.
    calendar.add("x-wr-calname", " ".join(_LINE_BREAK.sub("\n", text.title).split("\n")))
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
