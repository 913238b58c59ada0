"""When one location of an event starts and ends: the one answer the calendar file
(``event_calendar``) and the calendar links (``city_actions``) share.

A location takes place on its own days (the event's when it has none). With a start time
and a time zone it starts at that time on its first day and ends at the end time of its
last day (two hours after the start when there is none; the next day when the end is not
after the start); otherwise it fills its days: the end is the day after its last one
(exclusive, as iCalendar and the calendar links want).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from widget.model import Event, Location


def _moment(day: date, clock: time | None, zone: str | None) -> date | datetime:
    if clock is None or zone is None:
        return day
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone))


def location_span(event: Event, location: Location) -> tuple[date | datetime, date | datetime]:
    """Start and end: zoned datetimes when a time and zone exist, else whole days."""
    first, last = event.days(location)
    start = _moment(first, location.start_time or event.start_time, location.timezone)
    if not isinstance(start, datetime):
        return start, last + timedelta(days=1)
    end_time = location.end_time or event.end_time
    if end_time is None:
        return start, datetime.combine(last, start.timetz()) + timedelta(hours=2)
    end = datetime.combine(last, end_time, tzinfo=start.tzinfo)
    return start, end if end > start else end + timedelta(days=1)
