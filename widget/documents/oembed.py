"""The oEmbed provider's rules: which URLs we embed, at what size, and the response.

A request names an event page (``/events/{slug}``) or widget (``/embed/{slug}``) on our
public URL, or the upcoming events (``/events``, ``/embed/upcoming``: the upcoming-events
widget), optionally with the shared view parameters and ``layout`` (and, for the upcoming
events, ``limit``). ``widget.params.OEMBED`` parses the request's own parameters (400 for
a malformed one, 501 for a format we do not speak, raised after the ``url`` is resolved);
``parse_request`` resolves its ``url``, reading the url's query with the widget routes' own
parsers, and raises the typed errors of ``widget.errors`` (404 for a URL we do not embed).
``build_response`` turns an event into an ``OEmbedResponse`` whose ``html`` comes from
``templates/oembed.html`` and is exactly what WordPress's consumer filter keeps: a
``<blockquote class="wp-embedded-content">`` holding a link, then one ``<iframe>`` with
only the attributes WordPress allows.

Sizes: the iframe is ``DEFAULT_WIDTH`` wide unless ``maxwidth`` asks for less (or allows
up to ``MAX_WIDTH``), and as tall as ``widget_height`` estimates the widget to be
for what it shows; both are clamped to the maxima. The thumbnail is the event's
card (``/events/{slug}.png``), scaled with ``?w=`` so its size also fits the maxima.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import jinja2
from pydantic import BaseModel, ConfigDict, PositiveInt

from widget.documents.widget_height import AnyContent, estimate
from widget.errors import BadRequest, NotFound
from widget.model import Event
from widget.params import CARD_WIDTH as CARD_WIDTH
from widget.params import EMBED, UPCOMING_WIDGET, OEmbedQuery, ViewOptions
from widget.params import UPCOMING as UPCOMING
from widget.params import Format as Format
from widget.params import parse_dimension as parse_dimension
from widget.params import parse_format as parse_format
from widget.text import MAX_URL_LENGTH, SLUG_BODY, has_url_forbidden, xml_text
from widget.urls import Query, Urls

PROVIDER_NAME = "PauseAI"
DEFAULT_WIDTH = 600
MAX_WIDTH = 760
CARD_HEIGHT = 630
# The card is drawn at these widths only (halvings of the full width, down to 1 px), so
# a thumbnail fits any maxima and the cards' cache space stays finite.
CARD_WIDTHS = (1200, 600, 300, 150, 75, 37, 18, 9, 4, 2, 1)

_EMBEDDABLE_PATH = re.compile(rf"/(?:events|embed)/(next|{SLUG_BODY})", re.ASCII)
_UPCOMING_PATHS = ("/events", "/embed/upcoming")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class EmbedTarget:
    """What the ``url`` parameter names: an event (a slug or ``next``), or every upcoming
    event (``upcoming``), and a view."""

    slug: str
    options: ViewOptions
    upcoming: bool = False

    def embed_url(self, urls: Urls, query: Query = "") -> str:
        """The widget's URL for this target."""
        return urls.embed(UPCOMING if self.upcoming else self.slug, query)

    def page_url(self, urls: Urls, query: Query = "") -> str:
        """The canonical page's URL for this target."""
        return urls.events(query) if self.upcoming else urls.event(self.slug, query)


@dataclass(frozen=True)
class OEmbedRequest:
    """A validated oEmbed request: normalized values only (safe as a cache key)."""

    target: EmbedTarget
    format: Format = Format.JSON
    maxwidth: int | None = None
    maxheight: int | None = None


class OEmbedResponse(BaseModel):
    """An oEmbed 1.0 ``rich`` response (field order is the serialization order)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["rich"] = "rich"
    version: Literal["1.0"] = "1.0"
    title: str
    author_name: str
    author_url: str
    provider_name: str = PROVIDER_NAME
    provider_url: str
    cache_age: PositiveInt
    thumbnail_url: str
    thumbnail_width: PositiveInt
    thumbnail_height: PositiveInt
    html: str
    width: PositiveInt
    height: PositiveInt

    def to_json(self) -> bytes:
        """The response as compact UTF-8 JSON."""
        return self.model_dump_json().encode()

    def to_xml(self) -> bytes:
        """The response as an ``<oembed>`` XML document (text escaped by ElementTree).

        XML 1.0 cannot carry most control characters, not even as references: any in the
        data become U+FFFD, so the document always parses.
        """
        root = ET.Element("oembed")
        for name, value in self.model_dump().items():
            ET.SubElement(root, name).text = xml_text(str(value), "\ufffd")
        document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return document

    def serialize(self, format: Format) -> tuple[bytes, str]:
        """The body and its media type in ``format``."""
        if format is Format.XML:
            return self.to_xml(), "text/xml; charset=utf-8"
        return self.to_json(), "application/json"


# --- parsing ------------------------------------------------------------------------------


def _origin(scheme: str, host: str, port: int | None) -> tuple[str, str, int | None]:
    scheme = scheme.lower()
    return scheme, host.lower().rstrip("."), port or _DEFAULT_PORTS.get(scheme)


def parse_url(url: str | None, public_url: str) -> EmbedTarget:
    """The event and view named by an embeddable URL on ``public_url``, else NotFound."""
    urls = Urls(public_url)
    expected = urls.event("SLUG")
    if url is None or not url.strip():
        raise BadRequest(f"Missing url (expected a URL such as {expected}).", parameter="url")
    if len(url) > MAX_URL_LENGTH or has_url_forbidden(url):
        raise NotFound(
            "The url is too long or contains blanks or control characters.", parameter="url"
        )
    parts = urlsplit(url)
    public = urlsplit(public_url)
    try:
        port = parts.port
    except ValueError:
        raise NotFound("The url has an invalid port.", parameter="url") from None
    if parts.username is not None or parts.password is not None:
        raise NotFound("The url must not contain credentials.", parameter="url")
    if _origin(parts.scheme, parts.hostname or "", port) != _origin(
        public.scheme, public.hostname or "", public.port
    ):
        raise NotFound(
            f"The url is not on {public_url}; this provider embeds only its own events "
            f"(expected {expected}).",
            parameter="url",
        )
    prefix = public.path.rstrip("/")
    path = parts.path[len(prefix) :] if parts.path.startswith(prefix) else ""
    upcoming = path in _UPCOMING_PATHS
    match = _EMBEDDABLE_PATH.fullmatch(path)
    if match is None and not upcoming:
        raise NotFound(
            f"The url is not an event page or widget (expected {expected}, "
            f"{urls.embed('SLUG')} or {urls.events()}).",
            parameter="url",
        )
    try:
        options = (UPCOMING_WIDGET if upcoming else EMBED).parse(parts.query)
    except BadRequest as error:
        raise NotFound(f"The url's query is not valid: {error.message}", parameter="url") from None
    if upcoming:
        return EmbedTarget(UPCOMING, options, upcoming=True)
    assert match is not None
    return EmbedTarget(match.group(1), options)


def parse_request(query: OEmbedQuery, public_url: str) -> OEmbedRequest:
    """The request ``query`` (``widget.params.OEMBED``) makes, its ``url`` resolved first
    (a bad url is the error a request has, before any of its other parameters)."""
    target = parse_url(query.url, public_url)
    query.refuse()
    return OEmbedRequest(
        target=target,
        format=query.format,
        maxwidth=query.maxwidth,
        maxheight=query.maxheight,
    )


# --- sizes --------------------------------------------------------------------------------


def frame_size(content: AnyContent, maxwidth: int | None, maxheight: int | None) -> tuple[int, int]:
    """The iframe's (width, height): preferred sizes clamped to the maxima."""
    width = min(maxwidth, MAX_WIDTH) if maxwidth is not None else DEFAULT_WIDTH
    height = estimate(content, width)
    if maxheight is not None:
        height = min(height, maxheight)
    return width, height


def card_height(width: int) -> int:
    """The height of the event card scaled to ``width`` (1200x630 keeps its ratio)."""
    return max(1, width * CARD_HEIGHT // CARD_WIDTH)


def card_width(requested: int) -> int:
    """The largest of ``CARD_WIDTHS`` not wider than ``requested`` (at least 1 px)."""
    return next((width for width in CARD_WIDTHS if width <= requested), 1)


def thumbnail_width(maxwidth: int | None, maxheight: int | None) -> int:
    """The largest card width (of ``CARD_WIDTHS``) whose scaled card fits the maxima."""
    width = CARD_WIDTH
    if maxwidth is not None:
        width = min(width, maxwidth)
    if maxheight is not None:
        width = min(width, maxheight * CARD_WIDTH // CARD_HEIGHT)
    return card_width(max(1, width))


# --- building -----------------------------------------------------------------------------


def embed_html(
    environment: jinja2.Environment,
    *,
    title: str,
    page_url: str,
    embed_url: str,
    width: int,
    height: int,
) -> str:
    """The ``html`` field, rendered from ``oembed.html`` (escaped by the template)."""
    template = environment.get_template("oembed.html")
    return template.render(
        title=title, page_url=page_url, embed_url=embed_url, width=width, height=height
    ).strip()


def build_response(
    event: Event,
    request: OEmbedRequest,
    *,
    content: AnyContent,
    public_url: str,
    cache_age: int,
    environment: jinja2.Environment,
    title: str | None = None,
) -> OEmbedResponse:
    """The oEmbed response for ``event`` as ``request`` asks for it (for the upcoming
    events: ``title`` is theirs, ``event`` lends its organizer and its card)."""
    target = request.target
    options = target.options
    language = options.lang or event.default_language
    title = title or event.text(language)[1].title
    width, height = frame_size(content, request.maxwidth, request.maxheight)
    thumb_width = thumbnail_width(request.maxwidth, request.maxheight)
    thumb_query: list[tuple[str, str]] = [("lang", language)]
    if thumb_width != CARD_WIDTH:
        thumb_query.append(("w", str(thumb_width)))
    page_query = [("lang", options.lang)] if options.lang else ()
    urls = Urls(public_url)
    return OEmbedResponse(
        title=title,
        author_name=event.organizer.name,
        author_url=event.organizer.url,
        provider_url=urls.publish(),
        cache_age=cache_age,
        thumbnail_url=urls.event_card(event.slug, thumb_query),
        thumbnail_width=thumb_width,
        thumbnail_height=card_height(thumb_width),
        html=embed_html(
            environment,
            title=title,
            page_url=target.page_url(urls, page_query),
            embed_url=target.embed_url(urls, options.query()),
            width=width,
            height=height,
        ),
        width=width,
        height=height,
    )
