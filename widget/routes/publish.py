"""``GET /``: the publish page — the events, and a snippet builder with a live preview.

The builder is a plain GET form: submitting it re-renders this page with the snippets
for the chosen options filled in, so it works without JavaScript; ``publish.js`` only
re-fetches the page as the options change, updates the preview and copies snippets.
Form fields: ``event`` (a slug, ``next`` or ``upcoming``: every upcoming event), ``lang``
(empty: the visitor's language), ``theme``, ``accent``, ``country``/``city`` (checkboxes,
one value each; for the upcoming events, every country and city of any of them),
``layout`` (``full`` or ``compact``: the one-line banner), ``consent``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.catalog import Catalog
from widget.documents.banner_view import event_banner
from widget.documents.upcoming_view import build_upcoming, upcoming_banner, upcoming_events
from widget.documents.widget_height import (
    AnyContent,
    BannerContent,
    Content,
    UpcomingContent,
    estimate,
    signup_labels,
)
from widget.documents.widget_view import (
    ONLINE_GROUP,
    CountryView,
    build_view,
    group_locations,
)
from widget.documents.world_map import map_of
from widget.i18n import negotiate, translations
from widget.languages import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from widget.model import Event
from widget.params import (
    DEFAULT_ACCENT,
    LAYOUTS,
    MAX_LIMIT,
    PUBLISH,
    THEMES,
    UPCOMING,
    ViewOptions,
)
from widget.params import Choices as Choices
from widget.params import parse_choices as parse_choices
from widget.routes._common import cached, event_for, language_headers
from widget.services import services
from widget.text import fold
from widget.timing import PAGE_MAX_AGE, STALE_WHILE_REVALIDATE, Phase, event_phase
from widget.urls import Urls

SNIPPET_WIDTH = 600


def snippet_content(
    choices: Choices,
    chosen: Event | None,
    catalog: Catalog,
    *,
    language: str,
    now: datetime,
    public_url: str,
    labels: Mapping[str, str],
) -> AnyContent:
    """What the chosen widget shows, for its height (``chosen`` None: the upcoming events)."""
    options = choices.options
    if chosen is None:
        if options.compact:
            return BannerContent.of(
                upcoming_banner(catalog, options, language, now, public_url), labels
            )
        return UpcomingContent.of(
            build_upcoming(catalog, options, language, now, public_url), labels
        )
    view = build_view(chosen, options, language, event_phase(chosen, now), public_url)
    if options.compact:
        return BannerContent.of(event_banner(chosen, view, options, public_url), labels)
    # The snippet's height counts the map when it is asked for and has a city to show.
    return Content.of(view, labels, map=options.map and map_of(chosen, view) is not None)


def snippet_context(
    choices: Choices, content: AnyContent, *, page_language: str, public_url: str
) -> dict[str, Any]:
    """The snippets' URLs, sizes and localized texts for the chosen options."""
    options = choices.options
    widget_language = options.lang or page_language
    gettext = translations(widget_language).gettext
    urls = Urls(public_url)

    def page_url(query: str) -> str:
        return urls.events(query) if choices.slug == UPCOMING else urls.event(choices.slug, query)

    return {
        "embed_url": urls.embed(choices.slug, options.query()),
        "page_url": page_url(ViewOptions(lang=options.lang).query()),
        # oEmbed consumers frame without allow="geolocation": no location button there.
        "oembed_page_url": page_url(replace(options, geolocation=False).query()),
        "loader_url": urls.embed_script(),
        "frame_height": estimate(content, SNIPPET_WIDTH),
        "snippet_language": widget_language,
        "link_text": gettext("PauseAI protests near you"),
        "consent_button": gettext("Show the PauseAI protest widget"),
        "consent_text": gettext(
            "Showing it loads the widget from PauseAI. No cookies, no tracking."
        ),
    }


def filter_countries(
    events: tuple[Event, ...], language: str, public_url: str
) -> tuple[CountryView, ...]:
    """The countries (and their cities, each id once) of ``events``, by name."""
    merged: dict[str, CountryView] = {}
    for event in events:
        for country in group_locations(event, ViewOptions(), language, public_url):
            known = merged.get(country.code)
            if known is None:
                merged[country.code] = country
                continue
            ids = {city.id for city in known.cities}
            extra = tuple(city for city in country.cities if city.id not in ids)
            merged[country.code] = replace(known, cities=known.cities + extra)
    return tuple(sorted(merged.values(), key=lambda c: (c.code == ONLINE_GROUP, fold(c.name))))


def publish_context(
    choices: Choices,
    filtered: tuple[Event, ...],
    events: tuple[Event, ...],
    next_event: Event | None,
    *,
    content: AnyContent,
    page_language: str,
    phases: dict[str, Phase],
    public_url: str,
) -> dict[str, Any]:
    """Everything ``publish.html`` shows; ``filtered`` are the events whose countries and
    cities the filters offer (the chosen one, or every upcoming one)."""
    countries = filter_countries(filtered, page_language, public_url)
    urls = Urls(public_url)
    listed = [
        {
            "event": event,
            "title": event.text(page_language)[1].title,
            "text_language": event.text(page_language)[0],
            "phase": phases[event.slug],
            "is_next": next_event is not None and event.slug == next_event.slug,
            "cities": len(event.locations),
            "countries": len({loc.country for loc in event.locations if loc.country}),
            "first_day": event.first_day,
            "last_day": event.last_day if event.last_day > event.first_day else None,
            "page_url": urls.event(event.slug),
            "build_url": urls.publish({"event": event.slug}, fragment="builder"),
        }
        for event in reversed(events)
    ]
    return {
        "theme": "auto",
        "choices": choices,
        "options": choices.options,
        "events": listed,
        "next_title": next_event.text(page_language)[1].title if next_event else "",
        # Online actions that name no country are no country to filter by (their row is).
        "countries": [country for country in countries if country.code != ONLINE_GROUP],
        # (city, its country): places without a city are named by kind and country.
        "cities": sorted(
            ((city, country) for country in countries for city in country.cities),
            key=lambda pair: (
                pair[0].name is None,
                pair[1].code == ONLINE_GROUP,
                fold(pair[0].name or pair[1].name),
            ),
        ),
        "languages": SUPPORTED_LANGUAGES,
        "themes": THEMES,
        "default_accent": DEFAULT_ACCENT,
        "form_action": urls.publish(),
        "layouts": LAYOUTS,
        **snippet_context(choices, content, page_language=page_language, public_url=public_url),
    }


async def publish_page(request: Request) -> Response:
    """GET / — the events and the snippet builder (the form re-renders this page)."""
    state = services(request)
    choices = PUBLISH(request)
    upcoming = choices.slug == UPCOMING
    chosen = None if upcoming else event_for(request, choices.slug)
    now = state.now()
    catalog = state.data.catalog
    language = negotiate(request.headers.get("accept-language")) or DEFAULT_LANGUAGE
    phases = {event.slug: event_phase(event, now) for event in catalog.events}
    public_url = state.settings.public_url

    def render() -> CachedBody:
        widget_language = choices.options.lang or language
        content = snippet_content(
            choices,
            chosen,
            catalog,
            language=widget_language,
            now=now,
            public_url=public_url,
            labels=signup_labels(state.renderer.environment(widget_language)),
        )
        filtered = (
            upcoming_events(catalog, ViewOptions(limit=MAX_LIMIT), now)
            if chosen is None
            else (chosen,)
        )
        context = publish_context(
            choices,
            filtered,
            catalog.events,
            catalog.next_event(now.date()),
            content=content,
            page_language=language,
            phases=phases,
            public_url=public_url,
        )
        # The live preview frames our own widget: the page's policy must allow that frame.
        page = state.renderer.render("publish.html", language, context, frames_self=True)
        phase = phases[chosen.slug] if chosen is not None else Phase.UPCOMING
        return CachedBody.build(
            page.html.encode(),
            "text/html; charset=utf-8",
            (("content-security-policy", page.csp.header()), *language_headers(language, True)),
            max_age=PAGE_MAX_AGE[phase],
            stale_while_revalidate=STALE_WHILE_REVALIDATE[phase],
        )

    key = (choices, chosen.slug if chosen else UPCOMING, language, tuple(sorted(phases.items())))
    return await cached(request, "publish", key, render)
