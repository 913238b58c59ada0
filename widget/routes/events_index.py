"""``GET /events``: the index of every event — upcoming first, then the archive by year.

Parameters: ``lang`` (else Accept-Language, else English, as the event page negotiates),
``theme`` and ``page`` (1 to the last page; ``widget.documents.events_index`` says how events fall
into pages). A ``page`` that is not a whole number from 1 to 10000 is a 400 naming it; a
page past the last is a 404 naming it. The page is cached like the event page; its key
holds the normalized parameters, the data version and how many of the catalog's phase
changes are behind the clock (``events_index.listing_state``).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.catalog import Catalog
from widget.documents.events_index import IndexPage, index_page, listing_state, page_count
from widget.documents.structured_data import index_event_json, item_list_json
from widget.errors import NotFound
from widget.i18n import negotiate, translations
from widget.languages import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from widget.model import Event
from widget.params import EVENTS_INDEX
from widget.routes._common import cached, language_headers
from widget.routes.event_page import description_of, og_locale
from widget.services import services
from widget.timing import PAGE_MAX_AGE, STALE_WHILE_REVALIDATE, Phase
from widget.urls import Urls


def index_url(public_url: str, language: str | None, number: int = 1) -> str:
    """The URL of an index page (page 1 names no page; no language: the negotiated one)."""
    pairs = [("lang", language)] if language else []
    if number > 1:
        pairs.append(("page", str(number)))
    return Urls(public_url).events(pairs)


def feed_urls(public_url: str, language: str | None) -> dict[str, str]:
    """The site-wide calendar (its https and webcal forms) and the Atom feed."""
    urls = Urls(public_url)
    query = {"lang": language} if language else ""
    return {
        "ics_url": urls.site_calendar(query),
        "webcal_url": urls.site_subscription(query),
        "atom_url": urls.atom(query),
    }


def index_context(
    page: IndexPage,
    catalog: Catalog,
    *,
    language: str,
    explicit_lang: bool,
    theme: str,
    public_url: str,
) -> dict[str, Any]:
    """Everything ``events.html`` shows for ``page``."""
    gettext = translations(language).gettext
    own = language if explicit_lang else None
    canonical = index_url(public_url, own, page.number)
    alternates = [(code, index_url(public_url, code, page.number)) for code in SUPPORTED_LANGUAGES]
    nodes = []
    urls = Urls(public_url)
    for entry in page.entries:
        event = catalog.by_slug[entry.slug]

        def details(event: Event = event) -> tuple[str, str]:
            summary = event.text(language)[1].summary
            return description_of(summary, ""), urls.event_card(event.slug, {"lang": language})

        node = index_event_json(
            event,
            language=language,
            page_url=entry.page_url,
            version=catalog.version,
            details=details,
        )
        nodes.append((entry.page_url, node))
    title = gettext("All PauseAI protests")
    return {
        "page": page,
        "theme": theme,
        "title": title,
        "description": gettext(
            "Every PauseAI protest: the upcoming ones with their cities and signup links, "
            "and the archive of past protests."
        ),
        "canonical_url": canonical,
        "alternates": [*alternates, ("x-default", index_url(public_url, None, page.number))],
        "previous_url": (index_url(public_url, own, page.number - 1) if page.number > 1 else None),
        "next_url": (
            index_url(public_url, own, page.number + 1) if page.number < page.pages else None
        ),
        "og_locale": og_locale(language),
        "og_locale_alternates": [
            og_locale(code) for code in SUPPORTED_LANGUAGES if code != language
        ],
        "json_ld": item_list_json(title, canonical, nodes),
        **feed_urls(public_url, own),
    }


@dataclass(frozen=True)
class IndexRequest:
    """What an index request asks for, normalized; its ``cache_key`` names the body."""

    number: int
    lang: str | None
    theme: str
    language: str
    negotiated: bool
    state: int

    @property
    def cache_key(self) -> Hashable:
        """The body cache key."""
        return (self.number, self.language, self.negotiated, self.lang, self.theme, self.state)


def resolve(request: Request, catalog: Catalog, now: datetime) -> IndexRequest:
    """Parse an index request; a page past the last is a NotFound naming ``page``."""
    query = EVENTS_INDEX(request)
    lang, theme, number = query.lang, query.theme, query.page
    pages = page_count(len(catalog))
    if number > pages:
        raise NotFound(f"No page {number}: the index has {pages}.", parameter="page")
    if lang:
        language, negotiated = lang, False
    else:
        language = negotiate(request.headers.get("accept-language")) or DEFAULT_LANGUAGE
        negotiated = True
    return IndexRequest(number, lang, theme, language, negotiated, listing_state(catalog, now))


async def events_index(request: Request) -> Response:
    """GET /events?lang=&theme=&page= — every event, upcoming first, then the archive."""
    state = services(request)
    catalog = state.data.catalog
    now = state.now()
    wanted = resolve(request, catalog, now)

    def render() -> CachedBody:
        page = index_page(
            catalog,
            now,
            number=wanted.number,
            language=wanted.language,
            explicit_lang=wanted.lang is not None,
            public_url=state.settings.public_url,
        )
        assert page is not None  # the number was checked against the catalog's size
        context = index_context(
            page,
            catalog,
            language=wanted.language,
            explicit_lang=wanted.lang is not None,
            theme=wanted.theme,
            public_url=state.settings.public_url,
        )
        rendered = state.renderer.render("events.html", wanted.language, context)
        phase = Phase.TODAY if page.today else Phase.UPCOMING
        return CachedBody.build(
            rendered.html.encode(),
            "text/html; charset=utf-8",
            (
                ("content-security-policy", rendered.csp.header()),
                *language_headers(wanted.language, wanted.negotiated),
            ),
            max_age=PAGE_MAX_AGE[phase],
            stale_while_revalidate=STALE_WHILE_REVALIDATE[phase],
        )

    return await cached(request, "events_index", wanted.cache_key, render)
