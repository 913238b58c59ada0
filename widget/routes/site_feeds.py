"""The site-wide feeds: ``/events.ics``, ``/events.atom``, ``/sitemap.xml``, ``/robots.txt``.

- ``GET /events.ics?lang=``: every event not over yet, each location a VEVENT with the
  same UID as in ``/events/{slug}.ics`` (``widget.documents.event_calendar.site_calendar``); texts
  in ``lang`` where an event has it, else in its default language (as the event's own
  calendar). Calendar apps subscribe to its ``webcal://`` form.
- ``GET /events.atom?lang=``: the newest announced events (``widget.documents.site_feeds``).
- ``GET /sitemap.xml`` and ``GET /robots.txt``.

Absolute URLs come from ``Settings.public_url`` only. Each answer is cached, ETagged and
revalidated like the pages; its key holds the data version, the language and, where the
clock matters (the calendar), how many of the catalog's phase changes are behind now.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from widget.announcements import Announcements
from widget.cache import CachedBody
from widget.date_ranges import format_days
from widget.documents.events_index import event_url, listing_state, split
from widget.documents.site_feeds import FeedEntry, atom_feed, newest_first, robots_txt, sitemap
from widget.i18n import translations
from widget.languages import DEFAULT_LANGUAGE
from widget.params import SITE_FEED
from widget.routes._common import cached
from widget.routes.event_page import description_of
from widget.sanitizer import plain_text
from widget.security_headers import ANY_ORIGIN
from widget.services import services
from widget.timing import PAGE_MAX_AGE, STALE_WHILE_REVALIDATE, Phase

FEED_MAX_AGE = PAGE_MAX_AGE[Phase.UPCOMING]
FEED_STALE = STALE_WHILE_REVALIDATE[Phase.UPCOMING]
SITE_MAX_AGE = 3600


def _lang(request: Request) -> str | None:
    return SITE_FEED(request)


async def events_calendar(request: Request) -> Response:
    """GET /events.ics?lang= — text/calendar of every upcoming event."""
    state = services(request)
    catalog, now = state.data.catalog, state.now()
    language = _lang(request)

    def render() -> CachedBody:
        # Imported here: icalendar costs memory at start, and only the calendars need it.
        from widget.documents.event_calendar import CalendarEntry, site_calendar

        upcoming, _ = split(catalog, now)
        entries = []
        for event in upcoming:
            used, text = event.text(language or event.default_language)
            entries.append(
                CalendarEntry(
                    event,
                    used,
                    state.urls.event(event.slug),
                    plain_text(text.summary or text.body),
                )
            )
        name = translations(language or DEFAULT_LANGUAGE).gettext("PauseAI protests")
        body = site_calendar(entries, name=name, host=state.settings.public_host)
        return CachedBody.build(
            body,
            "text/calendar; charset=utf-8",
            (
                ANY_ORIGIN,
                ("content-disposition", 'inline; filename="pauseai-protests.ics"'),
            ),
            max_age=FEED_MAX_AGE,
            stale_while_revalidate=FEED_STALE,
        )

    key = (language, listing_state(catalog, now))
    return await cached(request, "events_ics", key, render)


def announcements(request: Request) -> Announcements:
    """The application's announcement stamps (made on first use, kept on its state)."""
    app_state = request.app.state
    found: Announcements | None = getattr(app_state, "announcements", None)
    if found is None:
        found = Announcements(services(request).settings.state_dir)
        app_state.announcements = found
    return found


async def events_atom(request: Request) -> Response:
    """GET /events.atom?lang= — Atom feed of the newest announced events."""
    state = services(request)
    catalog = state.data.catalog
    language = _lang(request)
    ledger = announcements(request)
    public_url = state.settings.public_url

    def render() -> CachedBody:
        stamps = ledger.stamp((event.slug for event in catalog.events), state.now())
        feed_language = language or DEFAULT_LANGUAGE
        gettext = translations(feed_language).gettext
        entries = []
        for event, announced in newest_first(catalog.events, stamps):
            used, text = event.text(feed_language)
            days = format_days(
                event.first_day,
                event.last_day if event.last_day > event.first_day else None,
                "full",
                feed_language,
            )
            about = description_of(text.summary, text.body)
            entries.append(
                FeedEntry(
                    event=event,
                    language=used,
                    title=text.title,
                    summary=f"{days} — {about}" if about else days,
                    page_url=event_url(public_url, event.slug, language),
                    announced=announced,
                )
            )
        query = {"lang": language} if language else ""
        body = atom_feed(
            entries,
            language=feed_language,
            title=gettext("PauseAI protests"),
            subtitle=gettext("New protests"),
            feed_url=state.urls.atom(query),
            index_url=state.urls.events(query),
        )
        return CachedBody.build(
            body,
            "application/atom+xml; charset=utf-8",
            (ANY_ORIGIN,),
            max_age=FEED_MAX_AGE,
            stale_while_revalidate=FEED_STALE,
        )

    return await cached(request, "events_atom", (language,), render)


async def sitemap_xml(request: Request) -> Response:
    """GET /sitemap.xml — every public page, with hreflang alternates."""
    state = services(request)
    catalog = state.data.catalog

    def render() -> CachedBody:
        return CachedBody.build(
            sitemap(catalog.events, state.settings.public_url),
            "application/xml; charset=utf-8",
            max_age=SITE_MAX_AGE,
            stale_while_revalidate=FEED_STALE,
        )

    return await cached(request, "sitemap", (), render)


async def robots(request: Request) -> Response:
    """GET /robots.txt — crawl everything but /go/; where the sitemap is."""
    state = services(request)

    def render() -> CachedBody:
        return CachedBody.build(
            robots_txt(state.settings.public_url),
            "text/plain; charset=utf-8",
            max_age=SITE_MAX_AGE,
            stale_while_revalidate=FEED_STALE,
        )

    return await cached(request, "robots", (), render)
