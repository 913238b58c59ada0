"""The site's machine-readable documents: the Atom feed, the sitemap, robots.txt.

All are written with the standard library's ``xml.etree.ElementTree`` (which escapes
text and attributes) from the catalog and the public URL alone, never from a request.
Characters XML 1.0 cannot hold (C0 controls other than tab and newlines, lone
surrogates, U+FFFE/U+FFFF) are dropped from event texts before they are written.

- Atom (RFC 4287): one entry per event, newest announcement first (``MAX_ENTRIES``);
  the entry id is the event page's URL, ``published`` and ``updated`` its announcement
  stamp (``widget.announcements``), the feed's ``updated`` the newest stamp.
- Sitemap (sitemaps.org 0.9): ``/``, ``/events`` and every ``/events/{slug}``, each
  with its ``xhtml:link`` hreflang alternates (the ten languages for ``/events``, an
  event's own languages for its page) and ``x-default``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from widget.languages import SUPPORTED_LANGUAGES
from widget.model import Event
from widget.text import xml_text
from widget.urls import Urls, with_query

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_ENTRIES = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class FeedEntry:
    """One event as the feed shows it (texts in the feed's language where it has one)."""

    event: Event
    language: str
    title: str
    summary: str
    page_url: str
    announced: datetime


def newest_first(
    events: Iterable[Event], announced: Mapping[str, datetime]
) -> list[tuple[Event, datetime]]:
    """The ``MAX_ENTRIES`` most recently announced events (ties: the later event first)."""
    stamped = [(event, announced.get(event.slug, EPOCH)) for event in events]
    stamped.sort(key=lambda pair: (pair[1], pair[0].first_day, pair[0].slug), reverse=True)
    return stamped[:MAX_ENTRIES]


def atom_feed(
    entries: Sequence[FeedEntry],
    *,
    language: str,
    title: str,
    subtitle: str,
    feed_url: str,
    index_url: str,
) -> bytes:
    """The Atom document of ``entries`` (already in order)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: language})

    def add(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> None:
        element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
        if text is not None:
            element.text = xml_text(text)

    add(feed, "id", feed_url)
    add(feed, "title", title)
    add(feed, "subtitle", subtitle)
    newest = max((entry.announced for entry in entries), default=EPOCH)
    add(feed, "updated", _stamp(newest))
    add(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    add(feed, "link", rel="alternate", type="text/html", href=index_url)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    add(author, "name", "PauseAI")
    add(author, "uri", "https://pauseai.info")
    add(feed, "generator", "pauseai-widget")
    for item in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry", {XML_LANG: item.language})
        add(entry, "id", item.page_url.split("?", 1)[0])
        add(entry, "title", item.title)
        add(entry, "published", _stamp(item.announced))
        add(entry, "updated", _stamp(item.announced))
        add(entry, "link", rel="alternate", type="text/html", href=item.page_url)
        organizer = ET.SubElement(entry, f"{{{ATOM}}}author")
        add(organizer, "name", item.event.organizer.name)
        add(organizer, "uri", item.event.organizer.url)
        add(entry, "summary", item.summary)
    result: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return result


def _alternates(url: ET.Element, pairs: Iterable[tuple[str, str]]) -> None:
    for hreflang, href in pairs:
        ET.SubElement(
            url, f"{{{XHTML}}}link", {"rel": "alternate", "hreflang": hreflang, "href": href}
        )


def sitemap(events: Iterable[Event], public_url: str) -> bytes:
    """The sitemap of every public page, with hreflang alternates."""
    ET.register_namespace("", SITEMAP)
    ET.register_namespace("xhtml", XHTML)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")

    urls = Urls(public_url)

    def page(location: str, languages: Iterable[str]) -> None:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = location
        codes = list(languages)
        if len(codes) > 1:
            # A language variant is the page with ``lang=`` (what its route reads).
            pairs = [(code, with_query(location, {"lang": code})) for code in codes]
            _alternates(url, [*pairs, ("x-default", location)])

    page(urls.publish(), ())
    page(urls.events(), SUPPORTED_LANGUAGES)
    for event in events:
        page(urls.event(event.slug), sorted(event.texts))
    result: bytes = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return result


def robots_txt(public_url: str) -> bytes:
    """Everything may be crawled but the counted signup redirects; the sitemap's URL."""
    urls = Urls(public_url)
    return (
        f"User-agent: *\nAllow: /\nDisallow: {urls.go_prefix()}\nSitemap: {urls.sitemap()}\n"
    ).encode()
