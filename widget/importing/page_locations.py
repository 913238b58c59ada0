"""The locations of one page as event.yaml data: ids, statuses, links, times, dates.

``LocationRecords.add_location`` turns one place read from the page (``page_places``)
with its links and times into the ``locations`` entry widget.store expects: the id (a
second one in a city gets ``-2``), the localized name as a ``cities:`` override, the status
(``tba`` without a link), the links (relative ones resolved), the time zone of a time
(CLDR's when certain, else the gazetteer's), and, once the event's date is known, a date of
its own where the page names another day. Every report of the import is a
``widget.problems.Problem`` with its page line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from urllib.parse import urljoin

from markdown_it import MarkdownIt

from widget.feeds.gazetteer import gazetteer  # built on first use
from widget.importing.page_dates import Span, resolve_span
from widget.importing.page_places import Flat, Place, is_cancelled
from widget.localized_names import fold, guess_timezone
from widget.problems import Level, Problem
from widget.text import slugify

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def resolve(url: str, base_url: str) -> str:
    """``url`` made absolute against ``base_url``; absolute URLs and '#anchors' unchanged."""
    if not url or url.startswith("#") or _SCHEME.match(url):
        return url
    return urljoin(base_url, url)


@dataclass
class LocationRecords:
    """The locations read so far, their page lines, and every problem on the way."""

    language: str
    base_url: str
    markdown: MarkdownIt
    title: str = ""
    problems: list[Problem] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    _spans: dict[int, tuple[int, Span]] = field(default_factory=dict)
    _seen: dict[tuple[str, str | None, bool], int] = field(default_factory=dict)

    def problem(self, line: int | None, message: str, level: Level = "error") -> None:
        self.problems.append(Problem(line=line, message=message, level=level))

    # --- locations ---------------------------------------------------------------------

    def links_of(self, line: int, flat: Flat, place_end: int) -> list[dict[str, str]]:
        """The bullet's links, resolved; a link that is the place itself has no label."""
        found: list[dict[str, str]] = []
        for link in flat.links:
            url = resolve(link.href.strip(), self.base_url)
            if url.startswith("#") or not url:
                self.problem(line, f"link {link.href!r} skipped: not a web address", "warning")
                continue
            if any(existing["url"] == url for existing in found):
                continue
            item = {"url": url}
            if link.label and link.start >= place_end:
                item["label"] = link.label[:100]
            found.append(item)
        return found

    def add_location(
        self,
        line: int,
        place: Place,
        links: list[dict[str, str]],
        text: str,
        times: tuple[time | None, time | None] = (None, None),
        span: Span | None = None,
    ) -> None:
        """Record one location, its id and localized name, and its line."""
        city = place.english or place.city
        key = (fold(city or ""), place.country, place.online)
        self._seen.setdefault(key, line)
        location: dict[str, Any] = {}
        if city:
            location["city"] = city
        if place.country:
            location["country"] = place.country
        if place.online:
            location["online"] = True
        if is_cancelled(text):
            location["status"] = "cancelled"
        elif not links:
            location["status"] = "tba"
        if place.venue:
            location["venue"] = place.venue[:300]
        start, end = times
        if start is not None:
            zone = _zone(place, self.language)
            if zone is None:
                self.problem(
                    line,
                    f"time {start:%H:%M} dropped: no single time zone for "
                    f"{city or place.country or 'online'}; add timezone: to event.yaml",
                    "warning",
                )
            else:
                location["start_time"] = start.strftime("%H:%M")
                if end is not None:
                    location["end_time"] = end.strftime("%H:%M")
                location["timezone"] = zone
        if links:
            location["links"] = links
        default_id = slugify(city) if city else ("online" if place.online else "")
        if not city and not place.online:
            default_id = slugify(place.country or "")
        ids = {str(loc.get("id") or _default_id(loc)) for loc in self.locations}
        location_id, n = default_id or "city", 1
        while location_id in ids:
            n += 1
            location_id = f"{default_id}-{n}"
        if location_id != default_id:
            location = {"id": location_id, **location}
        if place.english and place.city and fold(place.english) != fold(place.city):
            self.overrides[location_id] = place.city  # 'Berlijn'; not 'Sao Paulo' for São
        if span is not None:
            self._spans[len(self.locations)] = (line, span)
        self.lines[f"locations.{len(self.locations)}"] = line
        self.locations.append(location)

    def date_locations(self, first: date, last: date | None) -> None:
        """Give a location its own date where its bullet names another day than the event."""
        for index, (line, span) in self._spans.items():
            try:
                day, end = resolve_span(span, first.year)
            except ValueError as error:
                self.problem(line, f"location date skipped: {error}", "warning")
                continue
            if (day, end) != (first, last) and not (end is None and day == first):
                self.locations[index]["date"] = day
                if end is not None:
                    self.locations[index]["end_date"] = end

    # --- lists ---------------------------------------------------------------------------


def _zone(place: Place, language: str) -> str | None:
    """The time zone of a place: CLDR's when certain, else the gazetteer's city of that
    name in that country ('San Jose', US → America/Los_Angeles)."""
    if place.country is None:
        return None
    zone = guess_timezone(place.city, place.country, language)
    if zone is None and place.city:
        city = gazetteer().named(place.city, place.country)
        zone = city.timezone if city else None
    return zone


def gazetteer_place(value: str) -> Place | None:
    """A Where: line naming no country: its most populous part the gazetteer knows as a
    city ('San Diego, Balboa Park' → San Diego, US)."""
    parts = [" ".join(p.split()).strip(" .") for p in value.split(",")]
    parts = [p for p in parts if p and not re.search(r"\d", p)]
    known = [(city, part) for part in parts if (city := gazetteer().named(part, None))]
    if not known:
        return None
    city, part = max(known, key=lambda found: found[0].population)
    venue = ", ".join(p for p in parts if p != part) or None
    return Place(part, city.country, venue)


def place_key(place: Place) -> tuple[str, str | None, bool]:
    return (fold(place.english or place.city or ""), place.country, place.online)


def _default_id(location: dict[str, Any]) -> str:
    if location.get("city"):
        return slugify(location["city"])
    return "online" if location.get("online") else slugify(location.get("country", ""))
