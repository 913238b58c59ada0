"""Sample data with coordinates, as the gazetteer gives them (for the map's tests).

Until locations get their coordinates at load, tests that need a located city write them
into a copy of the data: ``locate(data_dir)`` fills every location of every event that
has a city with the coordinates of the gazetteer's largest city of that name in that
country (``widget.feeds.gazetteer``, offline).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from widget.feeds.gazetteer import gazetteer


def locate(data_dir: Path) -> Path:
    """Give every city in ``data_dir`` its gazetteer coordinates; returns ``data_dir``."""
    for path in sorted(data_dir.glob("*/event.yaml")):
        event = yaml.safe_load(path.read_text(encoding="utf-8"))
        for location in event["locations"]:
            if location.get("city") and "coordinates" not in location:
                city = gazetteer().named(location["city"], location.get("country"))
                assert city is not None, f"the gazetteer does not know {location['city']}"
                location["coordinates"] = {"lat": city.lat, "lon": city.lon}
        path.write_text(
            yaml.safe_dump(event, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return data_dir
