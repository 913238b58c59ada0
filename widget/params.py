"""Query parameters: every known parameter has a type, bounds and an error message.

This is the only module that reads a query string. ``parse_view`` turns one into a
``ViewOptions`` (the normalized, hashable form used in cache keys and URLs). Unknown
parameters are ignored; a malformed known parameter raises ``BadRequest`` (oEmbed's
``format``: ``FormatNotAvailable``) naming it and what is allowed; a repeated parameter is
malformed (two values for one setting cannot both be honoured).

Each route declares its parameters once, as a ``QueryParser`` at the end of this module
(``EVENT_PAGE``, ``EMBED``, ``OEMBED``, ``PUBLISH``, ``CARD`` …). A parser is memoized by
the raw query string, bounded (LRU, ``MEMO_SIZE`` entries per route, queries up to
``MAX_MEMO_QUERY`` bytes): the same query string is parsed once, its frozen result shared.
Refusals are memoized too (a bot repeating a broken snippet costs a lookup), as data: each
call raises a fresh error.

Two parameters belong to widgets only and are parsed only where they apply (elsewhere
they are unknown, hence ignored, and keep their defaults in the options): ``layout``
(``full``, the default, or ``compact``: a one-event banner) on every ``/embed/...``, and
``limit`` (1 to 50 events, default ``DEFAULT_LIMIT``) on ``/embed/upcoming``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from typing import Generic, TypeVar
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request

from widget.catalog import NEXT
from widget.documents.events_index import MAX_PAGE
from widget.errors import BadRequest, FormatNotAvailable, HTTPProblem
from widget.languages import SUPPORTED_LANGUAGES, language_for_tag
from widget.text import is_slug

THEMES = ("light", "dark", "auto")
LAYOUTS = ("full", "compact")
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
MAX_VALUE_LENGTH = 500
MAX_LIST_ITEMS = 50
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LIMIT = re.compile(r"[0-9]{1,3}", re.ASCII)
_DIMENSION = re.compile(r"[0-9]{1,6}", re.ASCII)
_PAGE = re.compile(r"^[1-9][0-9]{0,4}$")
MAX_DIMENSION = 10_000  # oEmbed's maxwidth and maxheight
CARD_WIDTH = 1200  # the share card's full width: the most its ``w`` may ask for
CONSENT_MODES = ("auto", "click")
DEFAULT_ACCENT = "#ff9416"  # PauseAI orange: what no ``accent`` shows
UPCOMING = "upcoming"  # the builder's (and oEmbed's) name for every upcoming event
MEMO_SIZE = 256  # per route: real traffic sends a few dozen distinct snippet queries
MAX_MEMO_QUERY = 512  # bytes: at most ~130 KB of keys per route (real snippets: < 300)


@dataclass(frozen=True)
class ViewOptions:
    """What the visitor asked to see, normalized: equal options give equal pages."""

    lang: str | None = None
    theme: str = "auto"
    accent: str | None = None
    countries: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    layout: str = "full"
    limit: int = DEFAULT_LIMIT
    geolocation: bool = False  # the embedder allows "use my location" (allow="geolocation")
    map: bool = False  # the widget shows a map of its cities (``map=1``)

    @property
    def compact(self) -> bool:
        """Whether the one-event banner was asked for."""
        return self.layout == "compact"

    def with_lang(self, lang: str) -> ViewOptions:
        """A copy with the resolved language filled in."""
        return replace(self, lang=lang)

    def query(self, *, include_lang: bool = True, defaults: bool = False) -> str:
        """The options as a canonical query string (only non-default values unless asked)."""
        pairs: list[tuple[str, str]] = []
        if self.lang and include_lang:
            pairs.append(("lang", self.lang))
        if self.theme != "auto" or defaults:
            pairs.append(("theme", self.theme))
        if self.accent:
            pairs.append(("accent", self.accent))
        if self.countries:
            pairs.append(("country", ",".join(self.countries)))
        if self.cities:
            pairs.append(("city", ",".join(self.cities)))
        if self.layout != "full":
            pairs.append(("layout", self.layout))
        if self.limit != DEFAULT_LIMIT:
            pairs.append(("limit", str(self.limit)))
        if self.geolocation:
            pairs.append(("geolocation", "allow"))
        if self.map:
            pairs.append(("map", "1"))
        return urlencode(pairs, safe=",")


def single(params: QueryParams, name: str) -> str | None:
    """The one value of ``name``, None when absent; BadRequest when repeated or too long."""
    values = params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(
            f"Parameter '{name}' is given more than once; give it once.", parameter=name
        )
    value = values[0]
    if len(value) > MAX_VALUE_LENGTH:
        raise BadRequest(
            f"Parameter '{name}' is too long (at most {MAX_VALUE_LENGTH} characters).",
            parameter=name,
        )
    return value


def parse_lang(value: str | None) -> str | None:
    """A supported language code (case-insensitive, '_' or '-'), or None when absent."""
    if value is None:
        return None
    language = language_for_tag(value.strip().replace("_", "-"))
    if language is None:
        raise BadRequest(
            f"Invalid lang (expected one of {', '.join(SUPPORTED_LANGUAGES)}).", parameter="lang"
        )
    return language


def _choice(name: str, value: str | None, allowed: tuple[str, ...], default: str) -> str:
    """``value`` when it is one of ``allowed``, ``default`` when absent, else a 400."""
    if value is None:
        return default
    if value not in allowed:
        raise BadRequest(f"Invalid {name} (expected one of {', '.join(allowed)}).", parameter=name)
    return value


def parse_theme(value: str | None) -> str:
    """light, dark or auto (the default)."""
    return _choice("theme", value, THEMES, "auto")


def parse_accent(value: str | None) -> str | None:
    """A '#rrggbb' colour, returned in lower case."""
    if value is None:
        return None
    if not _COLOUR.match(value):
        raise BadRequest(
            "Invalid accent (expected a colour as #rrggbb, e.g. #ff9416).", parameter="accent"
        )
    return value.lower()


def _split(value: str, name: str) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    if len(items) > MAX_LIST_ITEMS:
        raise BadRequest(
            f"Too many values for '{name}' (at most {MAX_LIST_ITEMS}).", parameter=name
        )
    return items


def parse_countries(value: str | None) -> tuple[str, ...]:
    """Comma-separated ISO 3166-1 alpha-2 codes, upper-cased, sorted, without duplicates."""
    if value is None:
        return ()
    items = _split(value, "country")
    if not all(_COUNTRY.match(item) for item in items):
        raise BadRequest(
            "Invalid country (expected comma-separated two-letter ISO codes, e.g. NL,DE).",
            parameter="country",
        )
    return tuple(sorted({item.upper() for item in items}))


def parse_cities(value: str | None) -> tuple[str, ...]:
    """Comma-separated location ids (lower-case letters, digits, '-'), sorted, unique."""
    if value is None:
        return ()
    items = _split(value, "city")
    if not all(is_slug(item) for item in items):
        raise BadRequest(
            "Invalid city (expected comma-separated location ids such as den-haag,london).",
            parameter="city",
        )
    return tuple(sorted(set(items)))


def parse_layout(value: str | None) -> str:
    """full (the default) or compact."""
    return _choice("layout", value, LAYOUTS, "full")


def parse_limit(value: str | None) -> int:
    """How many events at most: an integer of ASCII digits from 1 to ``MAX_LIMIT``."""
    if value is None:
        return DEFAULT_LIMIT
    number = int(value) if _LIMIT.fullmatch(value) else 0
    if not 1 <= number <= MAX_LIMIT:
        raise BadRequest(
            f"Invalid limit (expected an integer between 1 and {MAX_LIMIT}).", parameter="limit"
        )
    return number


def parse_geolocation(value: str | None) -> bool:
    """``allow`` when the embedding iframe has ``allow="geolocation"``; absent otherwise."""
    if value is None:
        return False
    if value != "allow":
        raise BadRequest(
            "Invalid geolocation (expected 'allow', or leave it out).", parameter="geolocation"
        )
    return True


def parse_map(value: str | None) -> bool:
    """``1`` shows the widget's map, ``0`` (the default) does not."""
    if value is None or value == "0":
        return False
    if value != "1":
        raise BadRequest("Invalid map (expected 0 or 1).", parameter="map")
    return True


def parse_view(params: QueryParams, *, layout: bool = False, limit: bool = False) -> ViewOptions:
    """All shared view parameters, plus ``layout`` and ``limit`` where asked for (widgets);
    unknown parameters are ignored."""
    return ViewOptions(
        lang=parse_lang(single(params, "lang")),
        theme=parse_theme(single(params, "theme")),
        accent=parse_accent(single(params, "accent")),
        countries=parse_countries(single(params, "country")),
        cities=parse_cities(single(params, "city")),
        layout=parse_layout(single(params, "layout")) if layout else "full",
        limit=parse_limit(single(params, "limit")) if limit else DEFAULT_LIMIT,
        geolocation=parse_geolocation(single(params, "geolocation")),
        map=parse_map(single(params, "map")),
    )


def known_only(params: QueryParams, names: Iterable[str]) -> dict[str, str]:
    """The known parameters' single values (for building URLs that drop unknown ones)."""
    return {name: value for name in names if (value := single(params, name)) is not None}


def parse_page(value: str | None) -> int:
    """A page number from 1 to ``MAX_PAGE`` (default 1)."""
    if value is None:
        return 1
    if not _PAGE.match(value) or int(value) > MAX_PAGE:
        raise BadRequest(
            f"Invalid page (expected a whole number from 1 to {MAX_PAGE}).", parameter="page"
        )
    return int(value)


def parse_dimension(value: str | None, name: str, maximum: int = MAX_DIMENSION) -> int | None:
    """A positive integer of ASCII digits up to ``maximum``; None when absent or empty."""
    if value is None or value == "":
        # Some consumers template an unset maximum as an empty value: it means "no limit".
        return None
    number = int(value) if _DIMENSION.fullmatch(value) else 0
    if not 1 <= number <= maximum:
        raise BadRequest(
            f"Invalid {name} (expected an integer between 1 and {maximum}).", parameter=name
        )
    return number


class Format(StrEnum):
    """The oEmbed serializations we answer in."""

    JSON = "json"
    XML = "xml"


def parse_format(value: str | None) -> Format:
    """``json`` (the default) or ``xml``; anything else is FormatNotAvailable (501)."""
    if value is None:
        return Format.JSON
    try:
        return Format(value)
    except ValueError:
        raise FormatNotAvailable(
            "Invalid format (expected json or xml).", parameter="format"
        ) from None


def parse_dnt(value: str | None) -> None:
    """Accept ``dnt`` (WordPress sends ``dnt=1``): we never track, so it changes nothing."""
    if value is not None and value not in ("0", "1"):
        raise BadRequest("Invalid dnt (expected 0 or 1).", parameter="dnt")


# --- each route's parameters --------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A remembered 4xx (or 501): the error's kind, message and parameter, raised afresh
    each time (an exception raised twice would pile up tracebacks)."""

    kind: type[HTTPProblem]
    message: str
    parameter: str | None

    @classmethod
    def of(cls, problem: HTTPProblem) -> Refusal:
        """The refusal ``problem`` makes."""
        return cls(type(problem), problem.message, problem.parameter)

    def error(self) -> HTTPProblem:
        """A new error equal to the one first raised."""
        return self.kind(self.message, parameter=self.parameter)


@dataclass(frozen=True)
class IndexQuery:
    """``/events``: the page number, and the language and theme asked for."""

    page: int = 1
    lang: str | None = None
    theme: str = "auto"


@dataclass(frozen=True)
class CardQuery:
    """``/events/{slug}.png``: the language asked for and the width (None: full size)."""

    lang: str | None = None
    width: int | None = None


@dataclass(frozen=True)
class OEmbedQuery:
    """``/oembed``: the ``url`` as given (``widget.documents.oembed`` says what it names)
    and the validated format and maxima."""

    url: str | None
    format: Format = Format.JSON
    maxwidth: int | None = None
    maxheight: int | None = None
    # A malformed format, maximum or dnt: refused only once the url is known to be good,
    # so a request with a bad url is told about the url first.
    refusal: Refusal | None = None

    def refuse(self) -> None:
        """Raise the refusal of a malformed format, maximum or dnt, if any."""
        if self.refusal is not None:
            raise self.refusal.error()


@dataclass(frozen=True)
class Choices:
    """The builder's options, normalized (a cache key and the snippets' source)."""

    slug: str = NEXT
    options: ViewOptions = field(default_factory=ViewOptions)
    consent: str = "auto"


def _list(params: QueryParams, name: str) -> str | None:
    """Checkbox values (``country=NL&country=DE``) as one comma-separated value."""
    values = params.getlist(name)
    if len(values) > MAX_LIST_ITEMS:
        raise BadRequest(
            f"Too many values for '{name}' (at most {MAX_LIST_ITEMS}).", parameter=name
        )
    return ",".join(values) if values else None


def parse_choices(params: QueryParams) -> Choices:
    """The builder form's fields; empty fields mean the default, malformed ones a 400."""
    slug = single(params, "event") or NEXT
    if slug != NEXT and not is_slug(slug):
        raise BadRequest(
            "Invalid event (expected an event slug, 'next' or 'upcoming').", parameter="event"
        )
    consent = single(params, "consent") or "auto"
    if consent not in CONSENT_MODES:
        raise BadRequest("Invalid consent (expected auto or click).", parameter="consent")
    accent = parse_accent(single(params, "accent") or None)
    return Choices(
        slug=slug,
        options=ViewOptions(
            lang=parse_lang(single(params, "lang") or None),
            theme=parse_theme(single(params, "theme") or None),
            # The colour input always submits a value: the default means "no accent".
            accent=None if accent == DEFAULT_ACCENT else accent,
            countries=parse_countries(_list(params, "country")),
            cities=parse_cities(_list(params, "city")),
            layout=parse_layout(single(params, "layout") or None),
            geolocation=parse_geolocation(single(params, "geolocation") or None),
            map=parse_map(single(params, "map") or None),
        ),
        consent=consent,
    )


def parse_oembed(params: QueryParams) -> OEmbedQuery:
    """oEmbed's own parameters (``dnt`` is checked and changes nothing); a malformed one
    other than ``url`` is kept as the query's ``refusal``."""
    url = single(params, "url")
    try:
        parse_dnt(single(params, "dnt"))
        return OEmbedQuery(
            url=url,
            format=parse_format(single(params, "format")),
            maxwidth=parse_dimension(single(params, "maxwidth"), "maxwidth"),
            maxheight=parse_dimension(single(params, "maxheight"), "maxheight"),
        )
    except HTTPProblem as problem:
        return OEmbedQuery(url=url, refusal=Refusal.of(problem))


def parse_index(params: QueryParams) -> IndexQuery:
    """The index's ``page``, ``lang`` and ``theme``."""
    return IndexQuery(
        lang=parse_lang(single(params, "lang")),
        theme=parse_theme(single(params, "theme")),
        page=parse_page(single(params, "page")),
    )


def parse_card(params: QueryParams) -> CardQuery:
    """The card's ``lang`` and ``w`` (1 to ``CARD_WIDTH``)."""
    return CardQuery(
        lang=parse_lang(single(params, "lang")),
        width=parse_dimension(single(params, "w"), "w", maximum=CARD_WIDTH),
    )


def parse_page_view(params: QueryParams) -> ViewOptions:
    """An event page's ``lang`` and ``theme`` (its other view parameters are unknown)."""
    return ViewOptions(
        lang=parse_lang(single(params, "lang")), theme=parse_theme(single(params, "theme"))
    )


def parse_feed_lang(params: QueryParams) -> str | None:
    """The site feeds' ``lang`` (None: each event's own language)."""
    return parse_lang(single(params, "lang"))


def parse_site(params: QueryParams) -> str | None:
    """The embedding site a click came from (``site``, given once), else None; never an
    error, whatever it holds (``widget.site_labels`` bounds what it becomes)."""
    values = params.getlist("site")
    return values[0] if len(values) == 1 else None


# --- memoized by the raw query string -----------------------------------------------------

Parsed = TypeVar("Parsed")


class QueryParser(Generic[Parsed]):
    """One route's parameters: ``parse`` applied to a raw query string, memoized by it.

    ``parse`` must return an immutable value (frozen dataclasses, tuples, str, None): every
    request with the same query string shares it.
    """

    def __init__(self, parse: Callable[[QueryParams], Parsed], *, size: int = MEMO_SIZE) -> None:
        self._parse = parse
        self._memo = lru_cache(maxsize=size)(self._outcome)

    def _outcome(self, query: str | bytes) -> Parsed | Refusal:
        try:
            return self._parse(QueryParams(query))
        except HTTPProblem as problem:
            return Refusal.of(problem)

    def parse(self, query: str | bytes) -> Parsed:
        """The parsed parameters of ``query``; raises the parameter's HTTPProblem."""
        # Longer queries are parsed each time: they would make the memo's size unbounded.
        outcome = self._memo(query) if len(query) <= MAX_MEMO_QUERY else self._outcome(query)
        if isinstance(outcome, Refusal):
            raise outcome.error()
        return outcome

    def __call__(self, request: Request) -> Parsed:
        """The parsed parameters of ``request``'s query string."""
        query: bytes = request.scope.get("query_string", b"")
        return self.parse(query)

    def memo_info(self) -> tuple[int, int, int]:
        """The memo's hits, misses and current size (for tests and profiling)."""
        info = self._memo.cache_info()
        return info.hits, info.misses, info.currsize


def _widget(params: QueryParams) -> ViewOptions:
    return parse_view(params, layout=True)


def _upcoming(params: QueryParams) -> ViewOptions:
    return parse_view(params, layout=True, limit=True)


EVENT_PAGE = QueryParser(parse_page_view)  # /events/{slug}
EVENT_CALENDAR = QueryParser(parse_view)  # /events/{slug}.ics
EVENTS_INDEX = QueryParser(parse_index)  # /events
SITE_FEED = QueryParser(parse_feed_lang)  # /events.ics, /events.atom
CARD = QueryParser(parse_card)  # /events/{slug}.png
EMBED = QueryParser(_widget)  # /embed/{slug}
UPCOMING_WIDGET = QueryParser(_upcoming)  # /embed/upcoming
OEMBED = QueryParser(parse_oembed)  # /oembed
PUBLISH = QueryParser(parse_choices)  # /
CLICK = QueryParser(parse_site)  # /go/...
