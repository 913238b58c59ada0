"""``GET /events/{slug}.ics``: the event as iCalendar, one VEVENT per (filtered) location."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.documents.widget_view import matches
from widget.errors import NotFound
from widget.params import EVENT_CALENDAR
from widget.routes._common import cached, event_for
from widget.sanitizer import plain_text
from widget.security_headers import ANY_ORIGIN
from widget.services import services
from widget.timing import PAGE_MAX_AGE, STALE_WHILE_REVALIDATE, event_phase


async def event_calendar(request: Request) -> Response:
    """GET /events/{slug}.ics?lang=&country=&city= — text/calendar."""
    event = event_for(request)
    state = services(request)
    options = EVENT_CALENDAR(request)
    language = options.lang or event.default_language
    locations = [location for location in event.locations if matches(location, options)]
    if not locations:
        parameter = "city" if options.cities else "country"
        raise NotFound(
            f"No location of '{event.slug}' matches the {parameter} filter.", parameter=parameter
        )
    phase = event_phase(event, state.now())

    def render() -> CachedBody:
        text = event.text(language)[1]
        # Imported here: icalendar costs memory at start, and only this route needs it.
        from widget.documents.event_calendar import event_calendar as build_calendar

        body = build_calendar(
            event,
            locations,
            language=language,
            host=state.settings.public_host,
            page_url=state.urls.event(event.slug),
            description=plain_text(text.summary or text.body),
        )
        return CachedBody.build(
            body,
            "text/calendar; charset=utf-8",
            (
                ANY_ORIGIN,
                ("content-disposition", f'inline; filename="{event.slug}.ics"'),
            ),
            max_age=PAGE_MAX_AGE[phase],
            stale_while_revalidate=STALE_WHILE_REVALIDATE[phase],
        )

    key = (event.slug, language, options.countries, options.cities, phase)
    return await cached(request, "event_ics", key, render)
