"""Countries: ISO 3166-1 alpha-2 codes checked against CLDR, names localized by Babel.

The importer reads places as pages write them: a country by its CLDR name in any
supported language ("Duitsland", "Tschechien") or a short form ("VK", "EE. UU.", "DRC"),
a US state or Canadian province standing for its country ("Portland, Oregon", "Toronto,
ON"). ``country_candidates`` gives every country a name can stand for; a name that stands
for several ("Congo", "Georgia", "CA") is settled by the city (``widget.localized_names``).
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale

from widget.languages import SUPPORTED_LANGUAGES, babel_locale_name
from widget.localized_names import fold

# CLDR territories that are not countries: groupings, unknown, pseudo regions.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})

# Short forms and older names people write that CLDR's names do not cover (folded keys;
# dots and spaces do not matter: "EE. UU." = "EE.UU." = "eeuu").
_SHORT_FORMS: dict[str, str] = {
    "usa": "US",
    "us": "US",
    "vs": "US",
    "eeuu": "US",
    "eua": "US",
    "america": "US",
    "amerika": "US",
    "united states of america": "US",
    "verenigde staten van amerika": "US",
    "uk": "GB",
    "vk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "engeland": "GB",
    "scotland": "GB",
    "schotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "groot brittannie": "GB",
    "grossbritannien": "GB",
    "holland": "NL",
    "the netherlands": "NL",
    "dr congo": "CD",
    "d r congo": "CD",
    "drc": "CD",
    "rdc": "CD",
    "rd congo": "CD",
    "dr kongo": "CD",
    "democratic republic of the congo": "CD",
    "democratic republic of congo": "CD",
    "republic of the congo": "CG",
    "republic of congo": "CG",
    # …and as translations of the pages write them.
    "rd du congo": "CD",
    "rd del congo": "CD",
    "republique democratique du congo": "CD",
    "repubblica democratica del congo": "CD",
    "demokratische republik kongo": "CD",
    "democratische republiek congo": "CD",
    "demokratiska republiken kongo": "CD",
    "den demokratiske republikken kongo": "CD",
    "demokratiske republikken kongo": "CD",
    "republica democratica do congo": "CD",
    "lydstjornarlydveldid kongo": "CD",
    "republique du congo": "CG",
    "repubblica del congo": "CG",
    "republik kongo": "CG",
    "republiek congo": "CG",
    "republiken kongo": "CG",
    "republikken kongo": "CG",
    "republica del congo": "CG",
    "lydveldid kongo": "CG",
    "r u": "GB",
    "czech republic": "CZ",
    "turkey": "TR",
    "south korea": "KR",
    "north korea": "KP",
    "ivory coast": "CI",
    "uae": "AE",
    "hong kong": "HK",
    "macau": "MO",
    "palestine": "PS",
    "burma": "MM",
    "vatican": "VA",
    "bosnia": "BA",
    "swaziland": "SZ",
    "east timor": "TL",
    "cape verde": "CV",
}

# Names that stand for more than one country ("Congo" is CD in Norwegian, CG in Spanish).
_AMBIGUOUS: dict[str, frozenset[str]] = {
    "congo": frozenset({"CD", "CG"}),
    "kongo": frozenset({"CD", "CG"}),
    "kongó": frozenset({"CD", "CG"}),
    "korea": frozenset({"KR", "KP"}),
}

US_STATES = (
    "Alabama AL, Alaska AK, Arizona AZ, Arkansas AR, California CA, Colorado CO, "
    "Connecticut CT, Delaware DE, Florida FL, Georgia GA, Hawaii HI, Idaho ID, Illinois IL, "
    "Indiana IN, Iowa IA, Kansas KS, Kentucky KY, Louisiana LA, Maine ME, Maryland MD, "
    "Massachusetts MA, Michigan MI, Minnesota MN, Mississippi MS, Missouri MO, Montana MT, "
    "Nebraska NE, Nevada NV, New Hampshire NH, New Jersey NJ, New Mexico NM, New York NY, "
    "North Carolina NC, North Dakota ND, Ohio OH, Oklahoma OK, Oregon OR, Pennsylvania PA, "
    "Rhode Island RI, South Carolina SC, South Dakota SD, Tennessee TN, Texas TX, Utah UT, "
    "Vermont VT, Virginia VA, Washington WA, West Virginia WV, Wisconsin WI, Wyoming WY, "
    "District of Columbia DC, Washington DC DC, Washington D.C. DC, Puerto Rico PR"
)
CANADIAN_PROVINCES = (
    "Alberta AB, British Columbia BC, Manitoba MB, New Brunswick NB, "
    "Newfoundland and Labrador NL, Newfoundland NL, Nova Scotia NS, Ontario ON, "
    "Prince Edward Island PE, Quebec QC, Québec QC, Saskatchewan SK, Yukon YT, "
    "Northwest Territories NT, Nunavut NU"
)


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


def _key(name: str) -> str:
    """Folded, with the spaces gone: 'EE. UU.' and 'EE.UU.' are both 'eeuu'."""
    return fold(name).replace(" ", "")


@cache
def _names() -> dict[str, frozenset[str]]:
    """Every CLDR country name in every supported language, short forms → codes."""
    table: dict[str, set[str]] = {}
    for language in (*SUPPORTED_LANGUAGES, "en_GB", "en_US"):
        territories = Locale.parse(babel_locale_name(language)).territories
        for code, name in territories.items():
            if code in _codes():
                table.setdefault(_key(str(name)), set()).add(code)
    for short, code in _SHORT_FORMS.items():
        table[_key(short)] = {code}
    for name, codes in _AMBIGUOUS.items():
        table[_key(name)] = set(codes)
    return {key: frozenset(codes) for key, codes in table.items()}


@cache
def _regions() -> tuple[dict[str, str], dict[str, str]]:
    """(folded region name → country, upper-case region abbreviation → country)."""
    names: dict[str, str] = {}
    abbreviations: dict[str, str] = {}
    for country, listing in (("US", US_STATES), ("CA", CANADIAN_PROVINCES)):
        for entry in listing.split(", "):
            name, abbreviation = entry.rsplit(" ", 1)
            names[_key(name)] = country
            abbreviations[abbreviation] = country
    return names, abbreviations


def region_country(name: str) -> str | None:
    """The country of a US state or Canadian province ('Oregon', 'ON' → 'CA', 'D.C.' → 'US'),
    else None."""
    names, abbreviations = _regions()
    stripped = name.strip().rstrip(".")
    if stripped in abbreviations:
        return abbreviations[stripped]
    dotted = re.fullmatch(r"([A-Z])\.\s?([A-Z])", stripped)  # 'D.C' (a part's dot is cut)
    if dotted and "".join(dotted.groups()) in abbreviations:
        return abbreviations["".join(dotted.groups())]
    return names.get(_key(name))


def country_candidates(name: str) -> frozenset[str]:
    """Every country ``name`` can stand for: a country name or short form in any supported
    language, an upper-case ISO code, a state or province; empty when it names none."""
    stripped = name.strip()
    found = set(_names().get(_key(stripped), ()))
    if len(stripped) == 2 and stripped.isupper() and stripped in _codes():
        found.add(stripped)
    region = region_country(stripped)
    if region is not None:
        found.add(region)
    return frozenset(found)


def code_for_name(name: str) -> str | None:
    """The one country ``name`` stands for, None when it names none or several."""
    candidates = country_candidates(name)
    return next(iter(candidates)) if len(candidates) == 1 else None
