"""Query parameters: every known parameter has a type, bounds and an error message.

``parse_view`` turns a query string into a ``ViewOptions`` (the normalized, hashable form
used in cache keys and URLs). Unknown parameters are ignored; a malformed known parameter
raises ``BadRequest`` naming it and what is allowed; a repeated parameter is malformed
(two values for one setting cannot both be honoured).

Two parameters belong to widgets only and are parsed only where they apply (elsewhere
they are unknown, hence ignored, and keep their defaults in the options): ``layout``
(``full``, the default, or ``compact``: a one-event banner) on every ``/embed/...``, and
``limit`` (1 to 50 events, default ``DEFAULT_LIMIT``) on ``/embed/upcoming``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from widget.errors import BadRequest
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


def parse_theme(value: str | None) -> str:
    """light, dark or auto (the default)."""
    if value is None:
        return "auto"
    if value not in THEMES:
        raise BadRequest(f"Invalid theme (expected one of {', '.join(THEMES)}).", parameter="theme")
    return value


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
    if value is None:
        return "full"
    if value not in LAYOUTS:
        raise BadRequest(
            f"Invalid layout (expected one of {', '.join(LAYOUTS)}).", parameter="layout"
        )
    return value


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
