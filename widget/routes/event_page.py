"""``GET /events/{slug}``: the canonical event page (Open Graph, JSON-LD, oEmbed discovery).

The page takes ``lang`` (else Accept-Language, else the event's default language) and
``theme``; the widget's other view parameters do not apply to it and are ignored. The
oEmbed discovery links name the URL as requested (``next`` stays ``next``; ``lang`` and
``theme`` only when given), so a pasted ``/events/next`` keeps following the next protest.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from babel.core import get_global
from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.documents.city_actions import CityActions, city_actions, event_share
from widget.documents.structured_data import event_graph, script_json
from widget.documents.widget_view import WidgetView, build_view
from widget.documents.world_map import map_of
from widget.languages import babel_locale_name
from widget.model import Event
from widget.params import EVENT_PAGE, ViewOptions
from widget.routes._common import EventRequest, cached, event_for, language_headers, resolve_event
from widget.sanitizer import plain_text
from widget.services import services
from widget.timing import PAGE_MAX_AGE, STALE_WHILE_REVALIDATE, Phase
from widget.urls import Urls

MAX_DESCRIPTION = 300


def og_locale(language: str) -> str:
    """Open Graph's ``ll_TT`` form of a language: 'nl' → 'nl_NL', 'pt-BR' → 'pt_BR'."""
    name = babel_locale_name(language)
    if "_" in name:
        return name
    likely: str = get_global("likely_subtags").get(name, name)
    parts = likely.split("_")
    return f"{parts[0]}_{parts[-1]}" if len(parts) > 1 else name


def link_header(json_url: str, xml_url: str) -> str:
    """A ``Link`` header with both discovery links (RFC 8288; ASCII URLs only)."""
    return (
        f'<{json_url}>; rel="alternate"; type="application/json+oembed", '
        f'<{xml_url}>; rel="alternate"; type="text/xml+oembed"'
    )


def description_of(summary: str, body: str) -> str:
    """One line of plain text for meta descriptions: the summary, else the body's start."""
    text = plain_text(summary or body)
    if len(text) <= MAX_DESCRIPTION:
        return text
    return text[: MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"


def city_actions_of(
    event: Event, view: WidgetView, *, public_url: str, page_url: str
) -> dict[str, CityActions]:
    """Each shown city's calendar, directions and share links, while signups are open and
    the city's own days are not over."""
    if not view.signups_open:
        return {}
    found = {}
    for country in view.countries:
        for city in country.cities:
            location = event.location(city.id)
            if location is None or city.over:
                continue
            actions = city_actions(
                event, location, language=view.language, public_url=public_url, page_url=page_url
            )
            if actions is not None:
                found[city.id] = actions
    return found


def page_context(
    event: Event,
    *,
    requested_slug: str,
    language: str,
    explicit_lang: bool,
    theme: str,
    phase: Phase,
    public_url: str,
    location_phases: tuple[Phase, ...] = (),
) -> dict[str, Any]:
    """Everything ``event.html`` shows, from the event and the normalized request."""
    options = ViewOptions(lang=language, theme=theme)
    view = build_view(event, options, language, phase, public_url, location_phases)
    text = event.text(language)[1]
    urls = Urls(public_url)
    page = urls.event(event.slug)
    in_language = {"lang": language}
    requested = ViewOptions(lang=language if explicit_lang else None, theme=theme).query()
    oembed_json, oembed_xml = urls.oembed_links(urls.event(requested_slug, requested))
    image_url = urls.event_card(event.slug, in_language)
    description = description_of(text.summary, text.body)
    languages = sorted(event.texts)
    alternates = [(code, urls.event(event.slug, {"lang": code})) for code in languages]
    shared_url = urls.event(event.slug, in_language)
    return {
        "view": view,
        "event": event,
        "map": map_of(event, view),
        "actions": city_actions_of(event, view, public_url=public_url, page_url=shared_url),
        "share": event_share(event, language, shared_url),
        "text": text,
        "theme": theme,
        "description": description,
        # A language asked for names its own URL; a negotiated one is the x-default page.
        "canonical_url": shared_url if explicit_lang else page,
        "alternates": [*alternates, ("x-default", page)],
        "oembed_json": oembed_json,
        "oembed_xml": oembed_xml,
        "image_url": image_url,
        "og_locale": og_locale(language),
        "og_locale_alternates": [og_locale(code) for code in languages if code != language],
        "json_ld": script_json(
            event_graph(
                event,
                language=language,
                description=description,
                page_url=page,
                image_url=image_url,
            )
        ),
        "ics_url": urls.event_calendar(event.slug, in_language),
        "subscribe_url": urls.site_subscription(in_language),
        "publish_url": urls.publish({"event": requested_slug}),
    }


def resolve(request: Request) -> tuple[EventRequest, Hashable]:
    """Parse and resolve an event-page request (``lang`` and ``theme`` only), and the key
    of its body (the slug asked for is part of it: ``next`` links to itself)."""
    wanted = resolve_event(request, event_for(request), EVENT_PAGE(request))
    key = (
        wanted.event.slug,
        request.path_params["slug"],
        wanted.language,
        wanted.negotiated,
        wanted.options.theme,
        wanted.phase,
        wanted.location_phases,
    )
    return wanted, key


async def event_page(request: Request) -> Response:
    """GET /events/{slug}?lang=&theme= — the canonical page of one event."""
    state = services(request)
    wanted, key = resolve(request)
    event, language, phase = wanted.event, wanted.language, wanted.phase
    requested_slug: str = request.path_params["slug"]

    def render() -> CachedBody:
        context = page_context(
            event,
            requested_slug=requested_slug,
            language=language,
            explicit_lang=wanted.options.lang is not None,
            theme=wanted.options.theme,
            phase=phase,
            public_url=state.settings.public_url,
            location_phases=wanted.location_phases,
        )
        page = state.renderer.render(
            "event.html", language, context, providers=context["view"].providers
        )
        return CachedBody.build(
            page.html.encode(),
            "text/html; charset=utf-8",
            (
                ("content-security-policy", page.csp.header()),
                ("link", link_header(context["oembed_json"], context["oembed_xml"])),
                *language_headers(language, wanted.negotiated),
            ),
            max_age=PAGE_MAX_AGE[phase],
            stale_while_revalidate=STALE_WHILE_REVALIDATE[phase],
        )

    return await cached(request, "event_page", key, render)
