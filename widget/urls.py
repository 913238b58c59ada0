"""Every public URL the service writes, from one object built on the configured public URL.

``Urls(settings.public_url)`` has one method per URL shape (the event page, its JSON, ICS
and card, the widget, the counted ``/go/`` redirects, oEmbed, the index, the site feeds,
the sitemap, static assets, the publish page); nothing else in the package joins a path
to the public URL. The public URL may carry a port, an IPv6 host or a path prefix
(``https://example.org/widget``): every path is appended to it, so a prefix is kept.

Path parts (slugs, location ids, asset names) are percent-encoded with ``quote``, so a
``/`` or a blank in one can never make another path. A query is either pairs — encoded
here with ``urlencode`` (a space is ``+``) — or a string already encoded by its owner
(``ViewOptions.query()``, the canonical query of the widget's options), taken as it is.
The routes' path declarations stay in ``widget.app.ROUTES``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from urllib.parse import quote, urlencode, urlsplit

# A query: pairs to encode, or a string its owner encoded ("" for none).
Query = str | Mapping[str, str] | Iterable[tuple[str, str]]


def query_string(query: Query) -> str:
    """``query`` encoded (a string is taken as encoded already)."""
    if isinstance(query, str):
        return query
    return urlencode(query if isinstance(query, Mapping) else list(query))


def with_query(url: str, query: Query) -> str:
    """``url`` with ``query`` appended (nothing appended for an empty query)."""
    encoded = query_string(query)
    return f"{url}?{encoded}" if encoded else url


def webcal(url: str) -> str:
    """The ``webcal://`` form of an http(s) URL: calendar apps subscribe to it."""
    scheme = urlsplit(url).scheme
    return "webcal://" + url[len(scheme) + 3 :]


@lru_cache(maxsize=4096)
def _part(value: str) -> str:
    """One path segment, percent-encoded (``/`` included); slugs and location ids repeat
    on every page, so each is encoded once (bounded)."""
    return quote(value, safe="")


class Urls:
    """The absolute URLs of the service's public resources under ``public_url``."""

    __slots__ = ("base",)

    def __init__(self, public_url: str) -> None:
        self.base = public_url.rstrip("/")

    def __repr__(self) -> str:
        return f"Urls({self.base!r})"

    def _url(self, path: str, query: Query = "") -> str:
        return with_query(self.base + path, query)

    # --- pages --------------------------------------------------------------------------

    def publish(self, query: Query = "", *, fragment: str = "") -> str:
        """The publish page (``/``, the snippet builder); ``event=`` preselects an event."""
        url = self._url("/", query)
        return f"{url}#{quote(fragment)}" if fragment else url

    def events(self, query: Query = "") -> str:
        """The events index (``/events``; ``lang=``, ``page=``)."""
        return self._url("/events", query)

    def event(self, slug: str, query: Query = "") -> str:
        """An event's canonical page (``/events/{slug}``; ``lang=``, ``theme=``)."""
        return self._url(f"/events/{_part(slug)}", query)

    # --- an event's documents -----------------------------------------------------------

    def event_json(self, slug: str) -> str:
        """An event's public JSON (``/events/{slug}.json``)."""
        return self._url(f"/events/{_part(slug)}.json")

    def event_calendar(self, slug: str, query: Query = "") -> str:
        """An event's iCalendar (``/events/{slug}.ics``; ``lang=``, ``country=``, ``city=``)."""
        return self._url(f"/events/{_part(slug)}.ics", query)

    def event_card(self, slug: str, query: Query = "") -> str:
        """An event's share card (``/events/{slug}.png``; ``lang=``, ``w=``)."""
        return self._url(f"/events/{_part(slug)}.png", query)

    # --- the widget ---------------------------------------------------------------------

    def embed(self, slug: str, query: Query = "") -> str:
        """The widget document (``/embed/{slug|next|upcoming}``) with its view options."""
        return self._url(f"/embed/{_part(slug)}", query)

    def embed_script(self) -> str:
        """The snippet loader (``/embed.js``)."""
        return self._url("/embed.js")

    def go(self, slug: str, location: str, number: int = 1) -> str:
        """The counted redirect to a location's link: ``/go/{slug}/{location}`` for the
        first (the signup link), ``/go/{slug}/{location}/{number}`` from 2 on."""
        path = f"/go/{_part(slug)}/{_part(location)}"
        return self._url(path if number == 1 else f"{path}/{number}")

    def organize(self, slug: str) -> str:
        """The counted redirect to an event's "organize one near you" link (``/go/{slug}``)."""
        return self._url(f"/go/{_part(slug)}")

    def go_prefix(self) -> str:
        """The path under which every counted redirect lives (robots.txt disallows it)."""
        return urlsplit(self.base).path + "/go/"

    # --- oEmbed -------------------------------------------------------------------------

    def oembed(self, url: str, format: str | None = None) -> str:
        """The oEmbed endpoint for ``url`` (``/oembed?url=``, every reserved character of
        ``url`` encoded as ``%XX``), in ``format`` when one is named."""
        pairs = [("url", url), *((("format", format),) if format else ())]
        return self._url("/oembed", urlencode(pairs, quote_via=quote))

    def oembed_links(self, url: str) -> tuple[str, str]:
        """The JSON and XML oEmbed discovery links of ``url``."""
        return self.oembed(url, "json"), self.oembed(url, "xml")

    # --- site-wide feeds and files ------------------------------------------------------

    def site_calendar(self, query: Query = "") -> str:
        """Every upcoming event as iCalendar (``/events.ics``; ``lang=``)."""
        return self._url("/events.ics", query)

    def site_subscription(self, query: Query = "") -> str:
        """The ``webcal://`` form of ``site_calendar`` that calendar apps subscribe to."""
        return webcal(self.site_calendar(query))

    def atom(self, query: Query = "") -> str:
        """The Atom feed of new events (``/events.atom``; ``lang=``)."""
        return self._url("/events.atom", query)

    def sitemap(self) -> str:
        """The sitemap (``/sitemap.xml``)."""
        return self._url("/sitemap.xml")

    def robots(self) -> str:
        """robots.txt (``/robots.txt``)."""
        return self._url("/robots.txt")

    @staticmethod
    def static_path(name: str) -> str:
        """The path of a static file by its (content-hashed) name, e.g. '/static/x.1a2b.js'."""
        return f"/static/{quote(name)}"

    def static(self, name: str) -> str:
        """The absolute URL of a static file by its (content-hashed) name."""
        return self._url(self.static_path(name))
