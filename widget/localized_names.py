"""Localized words in PauseAI pages: month and weekday names, and city names.

Everything comes from CLDR through Babel: month names in the page's language for its
date, and the time-zone exemplar cities to map a localized city ('Berlijn') to the
English name the data uses ('Berlin').
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher
from functools import cache
from zoneinfo import available_timezones

from babel.core import get_global

from widget.languages import SUPPORTED_LANGUAGES, language_for_tag, locale
from widget.text import DASHES, SOFT_HYPHEN
from widget.text import fold as fold_text

# Words between a day and its month ("13 de mayo", "13th of May") or noise in a slug.
FILLER = frozenset({"de", "del", "den", "der", "the", "of", "th", "st", "nd", "rd", "e", "er"})
_ZONE_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


_NAME_PUNCTUATION = re.compile(f"[{DASHES}'\u2019.]")


def fold(text: str) -> str:
    """Case-, accent- and hyphen-insensitive key: 'Mexico-Stad' ~ 'méxico stad'."""
    return " ".join(_NAME_PUNCTUATION.sub(" ", fold_text(text)).split())


@cache
def calendar(language: str) -> tuple[dict[str, int], frozenset[str]]:
    """Month names (wide and abbreviated, both contexts) → number, and weekday names."""
    data = locale(language)
    months: dict[str, int] = {}
    weekdays: set[str] = set()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in data.months[context][width].items():
                months.setdefault(fold(name), number)
            weekdays.update(fold(name) for name in data.days[context][width].values())
    return months, frozenset(weekdays)


def find_day_month(text: str, language: str) -> tuple[int, int] | None:
    """The first 'day month' or 'month day' in ``text`` ('13 mei', 'May 13th', '13. Mai')."""
    months, _ = calendar(language)
    words = [w for w in re.findall(r"\d+|[^\W\d_]+", fold(text))]
    for index, word in enumerate(words):
        rest = [w for w in words[index + 1 : index + 4] if w not in FILLER][:1]
        if not rest:
            continue
        if word.isdigit() and len(word) <= 2 and rest[0] in months:
            return int(word), months[rest[0]]
        if word in months and rest[0].isdigit() and len(rest[0]) <= 2:
            return int(rest[0]), months[word]
    return None


def find_year(text: str) -> int | None:
    """The first plausible year (1900-2199) written in ``text``."""
    match = re.search(r"(?<!\d)(19|20|21)\d\d(?!\d)", text)
    return int(match.group(0)) if match else None


def _derived_city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def _exemplar(language: str, zone: str) -> str | None:
    city = locale(language).time_zones.get(zone, {}).get("city")
    return str(city).replace(SOFT_HYPHEN, "") if city else None


@cache
def _zones() -> tuple[str, ...]:
    zones = set(available_timezones())
    for language in SUPPORTED_LANGUAGES:
        zones.update(locale(language).time_zones)
    return tuple(sorted(z for z in zones if z.startswith(_ZONE_AREAS)))


def _canonical(zone: str) -> str:
    """CLDR's id for a zone the tz database also knows by an old name (Europe/Kiev → Kyiv)."""
    return str(get_global("zone_aliases").get(zone, zone))


@cache
def _zone_index(language: str) -> dict[str, str]:
    """Folded city name → time zone: names from zone ids (old ids too, so historic spellings
    such as 'Kiev' or 'Calcutta' still match), then the other supported languages' names
    ('Bruxelles' on an English page), then English, then ``language``."""
    index = {
        fold(_derived_city(zone)): _canonical(zone)
        for zone in _zones()
        if _same_name(_derived_city(zone), _derived_city(_canonical(zone)))
    }
    others = [other for other in SUPPORTED_LANGUAGES if other not in ("en", language)]
    for source in (*others, "en", language):  # the page's language wins, then English
        for zone in _zones():
            city = _exemplar(source, zone)
            if city:
                index[fold(city)] = zone
    return index


def _skeleton(name: str) -> str:
    """Consonants only, 'c' as 'k', doubles collapsed: 'Calcutta' ~ 'Kolkata' ('klkt')."""
    consonants = re.sub(r"[aeiouyhw ]", "", fold(name).replace("c", "k"))
    return re.sub(r"(.)\1+", r"\1", consonants)


def _same_name(old: str, new: str) -> bool:
    """True when an old zone id's city is a spelling of its new one ('Kiev' → 'Kyiv'), not
    a city merged into another's zone ('Belfast' → London, 'Montreal' → Toronto)."""
    return SequenceMatcher(None, _skeleton(old), _skeleton(new)).ratio() >= 0.6


def city_zone(name: str, language: str) -> str | None:
    """The time zone CLDR names after the city (``name`` written in ``language`` or English),
    or the one of a big city CLDR does not name (``KNOWN_CITIES``); None for others."""
    zone = _zone_index(language).get(fold(name))
    return zone or _known_cities().get(fold(name), (None, None))[1]


def zone_country(zone: str) -> str | None:
    """The country a time zone belongs to ('Africa/Kinshasa' → 'CD')."""
    territory = get_global("zone_territories").get(zone)
    return str(territory) if territory else None


def city_country(name: str, language: str) -> str | None:
    """The country of a city CLDR or ``KNOWN_CITIES`` names ('Kinshasa' → 'CD')."""
    known = _known_cities().get(fold(name))
    if known is not None:
        return known[0]
    zone = _zone_index(language).get(fold(name))
    return zone_country(zone) if zone else None


def guess_timezone(city: str | None, country: str, language: str) -> str | None:
    """The IANA zone of a place, when one is certain: the city's own zone (in the right
    country), else the country's only zone; None when the country spans several."""
    if city:
        zone = city_zone(city, language)
        if zone and zone_country(zone) == country:
            return zone
    zones = get_global("territory_zones").get(country, [])
    return str(zones[0]) if len(zones) == 1 else None


def english_city(name: str, language: str, country: str | None = None) -> str:
    """The English name CLDR gives a city written in ``language``, else ``name`` itself.

    With ``country``, only a zone of that country counts ('Victoria', Canada is not the
    Australian zone once named Victoria).

    CLDR's English names only the cities whose name differs from their zone id; for the
    others the name is the id's last part, which is ASCII ('Sao Paulo'). An accented
    spelling that only adds accents wins when most supported languages use it, counting
    a language without its own name as using the id's ('São Paulo', 'Reykjavík', but
    'Oslo' although Icelandic writes 'Osló').
    """
    zone = _zone_index(language).get(fold(name))
    if zone is None or (country is not None and zone_country(zone) != country):
        return name
    explicit = _exemplar("en", zone)
    if explicit:
        return explicit
    derived = _derived_city(zone)
    votes = Counter(
        spelling
        for lang in SUPPORTED_LANGUAGES
        if fold(spelling := _exemplar(lang, zone) or derived) == fold(derived)
    )
    return max(votes, key=lambda spelling: (votes[spelling], spelling == derived))


# Big cities that name no CLDR time zone, with their country and zone: they settle a
# country a page leaves out ("Where: San Francisco") and the zone of a time given there.
KNOWN_CITIES = (
    "San Francisco US America/Los_Angeles, Oakland US America/Los_Angeles, "
    "Berkeley US America/Los_Angeles, San Diego US America/Los_Angeles, "
    "San Jose US America/Los_Angeles, Seattle US America/Los_Angeles, "
    "Washington DC US America/New_York, Washington D.C. US America/New_York, "
    "Boston US America/New_York, Philadelphia US America/New_York, "
    "Atlanta US America/New_York, Miami US America/New_York, "
    "Pittsburgh US America/New_York, Austin US America/Chicago, "
    "Houston US America/Chicago, Dallas US America/Chicago, "
    "Minneapolis US America/Chicago, Salt Lake City US America/Denver, "
    "Ottawa CA America/Toronto, Montreal CA America/Toronto, "
    "Montréal CA America/Toronto, Quebec City CA America/Toronto, "
    "Calgary CA America/Edmonton, Canberra AU Australia/Sydney"
)


@cache
def _known_cities() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for entry in KNOWN_CITIES.split(", "):
        name, country, zone = entry.rsplit(" ", 2)
        table[fold(name)] = (country, zone)
    return table


def language_from_filename(name: str) -> str | None:
    """'protest.nl.md' → 'nl', 'x.pt-br.md' → 'pt-BR'; None without a supported suffix."""
    parts = name.split(".")
    if len(parts) < 3:
        return None
    return language_for_tag(parts[-2])
