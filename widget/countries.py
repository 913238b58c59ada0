"""Countries: ISO 3166-1 alpha-2 codes checked against CLDR, names localized by Babel.

``code_for_name`` serves the importer, which reads country names written in a page's
language ("Duitsland", "VK") and needs their codes.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale

from widget.languages import SUPPORTED_LANGUAGES, babel_locale_name

# CLDR territories that are not countries: groupings, unknown, pseudo regions.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})

# Abbreviations and short forms people write that CLDR's names do not cover.
_ABBREVIATIONS: dict[str, str] = {
    "usa": "US",
    "us": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "vs": "US",
    "v.s.": "US",
    "america": "US",
    "amerika": "US",
    "verenigde staten van amerika": "US",
    "uk": "GB",
    "u.k.": "GB",
    "vk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "engeland": "GB",
    "scotland": "GB",
    "schotland": "GB",
    "wales": "GB",
    "groot-brittannie": "GB",
    "grossbritannien": "GB",
    "holland": "NL",
    "the netherlands": "NL",
    "brasil": "BR",
    "deutschland": "DE",
    "sverige": "SE",
    "norge": "NO",
    "island": "IS",
    "italia": "IT",
    "espana": "ES",
    "nederland": "NL",
    "uae": "AE",
}


@cache
def _codes() -> frozenset[str]:
    territories = Locale("en").territories
    return frozenset(
        code
        for code in map(str, territories)
        if len(code) == 2 and code.isalpha() and code.isupper() and code not in _NOT_COUNTRIES
    )


def is_country(code: str) -> bool:
    """True for an upper-case ISO 3166-1 alpha-2 code that CLDR names as a country."""
    return code in _codes()


@cache
def country_name(code: str, language: str) -> str:
    """The country's name in ``language`` ('DE', 'nl' → 'Duitsland')."""
    names = Locale.parse(babel_locale_name(language)).territories
    return str(names.get(code, code))


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def _names() -> dict[str, str]:
    """Every CLDR country name in every supported language (and English variants) → code."""
    table: dict[str, str] = {}
    for language in (*SUPPORTED_LANGUAGES, "en_GB", "en_US"):
        territories = Locale.parse(babel_locale_name(language)).territories
        for code, name in territories.items():
            if code in _codes():
                table.setdefault(_fold(str(name)), code)
    for abbreviation, code in _ABBREVIATIONS.items():
        table[_fold(abbreviation)] = code
    return table


def code_for_name(name: str) -> str | None:
    """The code for a country written by name or abbreviation in any supported language."""
    folded = _fold(name)
    if folded.upper() in _codes() and len(folded) == 2 and name.isupper():
        return folded.upper()
    return _names().get(folded)
