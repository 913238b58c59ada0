"""Translations (gettext catalogs compiled by Babel) and language negotiation.

Catalogs live in ``widget/locales/LANG/LC_MESSAGES/messages.po`` and are compiled to
``.mo`` files (``make messages``; the wheel build ships them). The resolution order of
a page's language is: the ``lang`` parameter, else ``Accept-Language``, else the event's
default language.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.support import NullTranslations, Translations

from widget.languages import SUPPORTED_LANGUAGES, babel_locale_name

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
MAX_ACCEPT_LANGUAGE = 1000
# Accept-Language headers whose negotiated language is remembered (each key is at most
# MAX_ACCEPT_LANGUAGE characters, so the memo holds at most ~4 MB of headers).
NEGOTIATED_MEMO = 4096

# Accept-Language tags → our codes; plain 'pt' and 'no'/'nn' readers get the nearest catalog.
_ALIASES = {"pt": "pt_BR", "no": "nb", "nn": "nb", "nb_NO": "nb", "no_NO": "nb"}


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog for a supported language (English needs none)."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    found = Translations.load(str(LOCALES_DIR), [babel_locale_name(language)], DOMAIN)
    return found


def parse_accept_language(header: str) -> list[str]:
    """Language tags from an Accept-Language header, best first; malformed parts skipped."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:MAX_ACCEPT_LANGUAGE].split(",")[:40]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*" or len(tag) > 35:
            continue
        if not all(piece.isalnum() and piece.isascii() for piece in tag.split("-")):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
                if not 0 <= quality <= 1 or quality != quality:  # NaN
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(header: str | None) -> str | None:
    """The best supported language for an Accept-Language header, if any matches.

    Memoized by the header as sent (bounded, least recently used dropped first): every
    visitor's browser sends its own string, but a site's visitors send few distinct ones,
    and parsing one costs more than the rest of a cached answer.
    """
    if not header:
        return None
    return _negotiated(header[:MAX_ACCEPT_LANGUAGE])


@lru_cache(maxsize=NEGOTIATED_MEMO)
def _negotiated(header: str) -> str | None:
    """``negotiate`` for a non-empty header, already cut to MAX_ACCEPT_LANGUAGE."""
    for tag in parse_accept_language(header):
        match = _supported(tag)
        if match is not None:
            return match
    return None


@lru_cache(maxsize=1024)
def _supported(tag: str) -> str | None:
    """Our language for one language tag: exact or prefix match against our catalogs.

    Memoized (bounded): browsers send few distinct tags, and Babel's matching is the
    costliest step of a cache hit that has to be parsed.
    """
    available = [babel_locale_name(language) for language in SUPPORTED_LANGUAGES]
    tag = tag.replace("-", "_")
    match = negotiate_locale([tag], available, aliases=_ALIASES)
    if match is None and "_" in tag:
        match = negotiate_locale([tag.split("_")[0]], available, aliases=_ALIASES)
    return None if match is None else str(Locale.parse(match)).replace("_", "-")
