"""Hostile data directories: every text field of every event carries XSS payloads.

``plan_events(payloads)`` is pure: it lays the corpus out over as few events as the
tightest field allows, and returns each event as the documents of its files.
``write_data(root, plans)`` writes them; ``build_hostile_data(root, payloads)`` does both,
loads the directory with ``widget.store.load`` (it must be valid data) and measures, from
the loaded events, which payloads each field really carries (``HostileData.coverage``).

Layout. Each text field has a number of slots per event and a length bound from the
model (titles and city names 200 characters, venues 300, summaries 600, media fallbacks
1000). Payloads are packed into a field's slots in corpus order, several to a slot when
they fit (joined by a space), and the walk starts over once the corpus is used up, so no
slot is left harmless. The event count is set by the scarcest field — the title, two
slots of 200 characters per event (``en`` and ``nl``) — so every payload reaches every
title; the organizer's name has only one slot per event and carries what fits.

Text fields (``TEXT_FIELDS``): title, summary and Markdown body (in ``en`` and ``nl``; the
body holds each payload as a paragraph, a list item, a quote, a link label and a link
target), the city of each of the 14 locations (shown on ``nl`` pages), the ``en`` city-name
overrides (shown on ``en`` pages), venues, the labels of the links of every other location
(two links each), press titles, media fallbacks, the organizer. URL fields
(``URL_FIELDS``) get payloads too — the signup, further link, press, media and organizer
URLs, and the organize-one call to action — wherever ``check_url`` (no blanks or controls)
and the media URL rules accept them.

Variety for the templates' branches: dates before, on and after the test clock's day,
every status, every signup platform, some locations with times, time zones and
coordinates, a default language of ``nl`` on some events, and media from X, from YouTube,
from both, or none; multi-day events and locations with their own dates, every location
status (to be announced with and without a link, cancelled, moved online), an online
location, a mailto: contact link, and an organize-one link on every other event.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from widget.catalog import Catalog
from widget.model import (
    Event,
    EventText,
    Link,
    Location,
    MediaItem,
    Organizer,
    PressLink,
    check_url,
)
from widget.store import load

LANGUAGES = ("en", "nl")
LOCATIONS_PER_EVENT = 14
PRESS_PER_EVENT = 12
# The clock of the tests (conftest.BEFORE, browser_support.DEFAULT_NOW) is 2024-05-01:
# the first events are past, one is on that day, the rest are upcoming.
FIRST_DATE = date(2024, 4, 27)
STATUSES = ("scheduled", "cancelled", "scheduled", "postponed", "scheduled", "moved_online")
COUNTRIES = ("NL", "DE", "US", "GB", "FR", "IT", "SE", "NO", "AU", "CA", "IS", "BR", "BE", "ES")
# One host per signup platform; the payload (when a URL may hold it) follows the prefix.
LINK_PREFIX = "https://links.example.org/"
ORGANIZE_PREFIX = "https://organize.example.org/"
SIGNUP_PREFIXES = (
    "https://www.facebook.com/events/",
    "https://www.eventbrite.com/e/",
    "https://partiful.com/e/",
    "https://chat.whatsapp.com/",
    "https://www.meetup.com/group/events/",
    "https://lu.ma/",
    "https://www.mobilize.us/pauseai/event/",
    "https://actionnetwork.org/events/",
    "https://discord.gg/",
    "https://protest.example.org/",
)
PRESS_PREFIX = "https://news.example.org/"
ORGANIZER_PREFIX = "https://pauseai.example.org/"
X_POST = "https://x.com/PauseAI/status/1790248685659447496"
YOUTUBE_VIDEO = "https://www.youtube.com/watch?v=PWyQRFlZa9c"
SAFE_URL = "https://example.org/"

TEXT_FIELDS = (
    "title",
    "summary",
    "body",
    "city",
    "city_override",
    "venue",
    "link_label",
    "press_title",
    "media_fallback",
    "organizer",
)
URL_FIELDS = ("signup_url", "link_url", "press_url", "media_url", "organizer_url")
# Fields of which every payload the model accepts must be carried somewhere.
COMPLETE_FIELDS = frozenset(TEXT_FIELDS) - {"organizer"}


# --- which values a field accepts -------------------------------------------------------


def _valid(build: Callable[[], object]) -> bool:
    try:
        build()
    except (ValidationError, ValueError):
        return False
    return True


def _location(**fields: Any) -> Location:
    return Location(**{"id": "x", "city": "x", "country": "NL", "signup_url": SAFE_URL, **fields})


# The statuses and shapes of some locations (by index; index 13 also loses its link).
LOCATION_STATES: dict[int, dict[str, Any]] = {
    5: {"status": "moved_online"},
    7: {"status": "cancelled"},
    9: {"status": "tba"},  # with a link (a group chat) but no details yet
    11: {"online": True},
    12: {"signup_url": "mailto:city-12@pauseai.example.org"},
    13: {"status": "tba"},
}

_ACCEPTS: dict[str, Callable[[str], bool]] = {
    "title": lambda v: _valid(lambda: EventText(title=v)),
    "summary": lambda v: _valid(lambda: EventText(title="t", summary=v)),
    "body": lambda v: _valid(lambda: EventText(title="t", body=v)),
    "city": lambda v: _valid(lambda: _location(city=v)),
    "city_override": lambda v: _valid(lambda: EventText(title="t", cities={"x": v})),
    "venue": lambda v: _valid(lambda: _location(venue=v)),
    "link_label": lambda v: _valid(lambda: Link(url=SAFE_URL, label=v)),
    "press_title": lambda v: _valid(lambda: PressLink(title=v, url=SAFE_URL)),
    "media_fallback": lambda v: _valid(lambda: MediaItem(url=X_POST, fallback=v)),
    "organizer": lambda v: _valid(lambda: Organizer(name=v)),
}


def url_variant(prefix: str, payload: str) -> str | None:
    """``prefix + payload`` when that is a URL the model accepts, else None."""
    candidate = prefix + payload
    return candidate if _valid(lambda: check_url(candidate)) else None


def media_url_variant(base: str, payload: str) -> str | None:
    """A media URL carrying ``payload`` in its query, when the media rules accept it."""
    candidate = f"{base}{'&' if '?' in base else '?'}ref={payload}"
    return candidate if _valid(lambda: MediaItem(url=candidate)) else None


# --- packing ----------------------------------------------------------------------------


def pack(
    payloads: Sequence[str], accepted: Sequence[int], slots: int, capacity: int
) -> list[list[int]]:
    """Fill ``slots`` slots of ``capacity`` characters with payload indices, in order.

    Payloads are joined by one space; a slot takes the next payloads while they fit. After
    the last accepted payload the walk starts over, until every slot holds at least one.
    """
    filled: list[list[int]] = []
    if not accepted:
        return [[] for _ in range(slots)]
    order = itertools.cycle(accepted)
    pending = next(order)
    first_pass = len(accepted)
    taken = 0
    while len(filled) < slots:
        slot: list[int] = []
        used = 0
        while True:
            size = len(payloads[pending]) + (1 if slot else 0)
            if slot and used + size > capacity:
                break
            slot.append(pending)
            used += size
            taken += 1
            pending = next(order)
            # A slot never wraps within itself into the corpus's start after a full pass
            # (keeps slots readable); the next slot starts the new pass.
            if taken % first_pass == 0:
                break
        filled.append(slot)
    return filled


def joined(payloads: Sequence[str], indices: Sequence[int]) -> str:
    """The payloads at ``indices`` joined by spaces."""
    return " ".join(payloads[index] for index in indices)


def slots_needed(payloads: Sequence[str], accepted: Sequence[int], capacity: int) -> int:
    """How many slots one pass over the accepted payloads needs."""
    count, used = 0, 0
    for index in accepted:
        size = len(payloads[index])
        if count and used + 1 + size <= capacity:
            used += 1 + size
        else:
            count, used = count + 1, size
    return count


# --- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EventPlan:
    """One event: its slug and the documents of its files (event.yaml, LANG.md)."""

    slug: str
    facts: dict[str, Any]
    texts: dict[str, tuple[dict[str, Any], str]]  # language → (front matter, Markdown body)


def markdown_body(payloads: Sequence[str], indices: Sequence[int]) -> str:
    """A Markdown body: each payload as paragraph, list item, quote, link label and target."""
    parts = []
    for index in indices:
        payload = payloads[index]
        parts.append(
            f"{payload}\n\n- {payload}\n\n> {payload}\n\n"
            f"[{payload}](https://example.org/label) and [a link]({payload})"
        )
    return "\n\n".join(parts)


def plan_events(payloads: Sequence[str]) -> list[EventPlan]:
    """Events whose every text field carries the payloads (see the module docstring)."""
    accepted = {
        field: [i for i, payload in enumerate(payloads) if _ACCEPTS[field](payload)]
        for field in TEXT_FIELDS
    }
    event_count = -(-slots_needed(payloads, accepted["title"], 200) // len(LANGUAGES))

    def field_slots(field: str, per_event: int, capacity: int) -> list[list[list[int]]]:
        """Per event, ``per_event`` slots of the field."""
        flat = pack(payloads, accepted[field], event_count * per_event, capacity)
        return [flat[i * per_event : (i + 1) * per_event] for i in range(event_count)]

    titles = field_slots("title", len(LANGUAGES), 200)
    summaries = field_slots("summary", len(LANGUAGES), 600)
    bodies = field_slots("body", len(LANGUAGES), 2_000)
    cities = field_slots("city", LOCATIONS_PER_EVENT, 200)
    overrides = field_slots("city_override", LOCATIONS_PER_EVENT, 200)
    venues = field_slots("venue", LOCATIONS_PER_EVENT, 300)
    labels = field_slots("link_label", LOCATIONS_PER_EVENT, 100)
    press = field_slots("press_title", PRESS_PER_EVENT, 200)
    organizers = field_slots("organizer", 1, 200)
    # Media: every fourth event holds none, so pages without third-party hosts are tested.
    media_events = [i for i in range(event_count) if i % 4 != 3]
    media_flat = pack(payloads, accepted["media_fallback"], len(media_events) * 2, 1000)
    fallbacks = {event: media_flat[n * 2 : (n + 1) * 2] for n, event in enumerate(media_events)}

    url_payloads = itertools.cycle([p for p in payloads if url_variant(SAFE_URL, p)])
    # The further links and the call to action draw from their own cycle, so the other
    # URL fields carry the same payloads as before they existed.
    link_payloads = itertools.cycle([p for p in payloads if url_variant(SAFE_URL, p)])
    plans = []
    for i in range(event_count):
        slug = f"xss-{i:02d}"
        locations = []
        for j in range(LOCATIONS_PER_EVENT):
            prefix = SIGNUP_PREFIXES[(i + j) % len(SIGNUP_PREFIXES)]
            location: dict[str, Any] = {
                "id": f"city-{j:02d}",
                "city": joined(payloads, cities[i][j]),
                "country": COUNTRIES[j],
                "signup_url": url_variant(prefix, next(url_payloads)) or prefix + "1",
                "venue": joined(payloads, venues[i][j]),
            }
            if j % 3 == 0:
                location.update(start_time="14:00", end_time="16:00", timezone="Europe/Amsterdam")
            if j % 4 == 0:
                location["coordinates"] = {"lat": 52.08, "lon": 4.31}
            if j % 2 == 1:
                # Two links, both labelled: the signup link and a further one.
                further = url_variant(LINK_PREFIX, next(link_payloads)) or LINK_PREFIX
                location["links"] = [
                    {"url": location.pop("signup_url"), "label": joined(payloads, labels[i][j])},
                    {"url": further, "label": joined(payloads, labels[i][j - 1])},
                ]
            if j in LOCATION_STATES:
                location.update(LOCATION_STATES[j])
            if j == 13:
                location.pop("links")  # to be announced, no link yet
            locations.append(location)
        media = []
        for n, slot in enumerate(fallbacks.get(i, [])):
            providers = (
                (X_POST, YOUTUBE_VIDEO)
                if i % 4 == 0
                else ((X_POST, X_POST) if i % 4 == 1 else (YOUTUBE_VIDEO, YOUTUBE_VIDEO))
            )
            base = providers[n]
            url = media_url_variant(base, next(url_payloads)) or base
            media.append({"url": url, "fallback": joined(payloads, slot)})
        day = FIRST_DATE + timedelta(days=i)
        if i % 3 == 1:
            locations[3].update(date=(day + timedelta(days=1)).isoformat())
        facts: dict[str, Any] = {
            "date": day.isoformat(),
            "status": STATUSES[i % len(STATUSES)],
            "default_language": "nl" if i % 6 == 5 else "en",
            "organizer": {
                "name": joined(payloads, organizers[i][0]),
                "url": url_variant(ORGANIZER_PREFIX, next(url_payloads)) or ORGANIZER_PREFIX,
            },
            "locations": locations,
            "press": [
                {
                    "title": joined(payloads, slot),
                    "url": url_variant(PRESS_PREFIX, next(url_payloads)) or PRESS_PREFIX,
                }
                for slot in press[i]
            ],
            "media": media,
        }
        if i % 3 == 2:
            facts["end_date"] = (day + timedelta(days=2)).isoformat()
        if i % 2 == 0:
            facts["organize_url"] = url_variant(ORGANIZE_PREFIX, next(link_payloads)) or (
                "mailto:organize@pauseai.example.org"
            )
        texts: dict[str, tuple[dict[str, Any], str]] = {}
        for k, language in enumerate(LANGUAGES):
            front: dict[str, Any] = {
                "title": joined(payloads, titles[i][k]),
                "summary": joined(payloads, summaries[i][k]),
            }
            if language == "en":
                # nl pages show the locations' own city names, en pages these overrides.
                front["cities"] = {
                    f"city-{j:02d}": joined(payloads, overrides[i][j])
                    for j in range(LOCATIONS_PER_EVENT)
                }
            texts[language] = (front, markdown_body(payloads, bodies[i][k]))
        plans.append(EventPlan(slug, facts, texts))
    return plans


# --- files ------------------------------------------------------------------------------


def _yaml(document: Mapping[str, Any]) -> str:
    # Every scalar double-quoted on one line: escapes keep controls, line breaks and a
    # leading '#' or '---' from changing the YAML (or the front matter's end).
    text: str = yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, default_style='"', width=1 << 30
    )
    return text


def write_data(root: Path, plans: Sequence[EventPlan]) -> None:
    """Write each planned event as ``root/SLUG/event.yaml`` and ``root/SLUG/LANG.md``."""
    for plan in plans:
        directory = root / plan.slug
        directory.mkdir(parents=True)
        (directory / "event.yaml").write_bytes(_yaml(plan.facts).encode("utf-8"))
        for language, (front, body) in plan.texts.items():
            text = f"---\n{_yaml(front)}---\n{body}\n"
            (directory / f"{language}.md").write_bytes(text.encode("utf-8"))


# --- what the loaded data carries -------------------------------------------------------


def field_values(event: Event) -> dict[str, list[str]]:
    """Every value of each text and URL field of a loaded event."""
    texts = list(event.texts.values())
    return {
        "title": [text.title for text in texts],
        "summary": [text.summary for text in texts],
        "body": [text.body for text in texts],
        "city": [location.city for location in event.locations],
        "city_override": [name for text in texts for name in text.cities.values()],
        "venue": [location.venue or "" for location in event.locations],
        "link_label": [link.label or "" for location in event.locations for link in location.links],
        "press_title": [link.title for link in event.press],
        "media_fallback": [item.fallback or "" for item in event.media],
        "organizer": [event.organizer.name],
        "signup_url": [location.signup_url or "" for location in event.locations],
        "link_url": [link.url for location in event.locations for link in location.links[1:]],
        "press_url": [link.url for link in event.press],
        "media_url": [item.url for item in event.media],
        "organizer_url": [event.organizer.url],
    }


def carried(payloads: Sequence[str], catalog: Catalog) -> dict[str, frozenset[int]]:
    """For each field, the payloads (indices) found whole in some value of it."""
    found: dict[str, set[int]] = {field: set() for field in (*TEXT_FIELDS, *URL_FIELDS)}
    for event in catalog.events:
        for field, values in field_values(event).items():
            for index, payload in enumerate(payloads):
                needle = payload.strip()
                if needle and any(needle in value for value in values):
                    found[field].add(index)
    return {field: frozenset(indices) for field, indices in found.items()}


@dataclass(frozen=True)
class HostileData:
    """A written, valid hostile data directory and what each field of it carries."""

    root: Path
    payloads: tuple[str, ...]
    catalog: Catalog
    coverage: Mapping[str, frozenset[int]]

    @property
    def slugs(self) -> tuple[str, ...]:
        """The events' slugs, in date order."""
        return tuple(event.slug for event in self.catalog.events)

    def accepted(self, field: str) -> frozenset[int]:
        """The payloads the model accepts as a value of ``field`` on their own."""
        return frozenset(i for i, p in enumerate(self.payloads) if _ACCEPTS[field](p))


def build_hostile_data(root: Path, payloads: Sequence[str]) -> HostileData:
    """Plan, write and load a hostile data directory under ``root`` (which must not exist)."""
    write_data(root, plan_events(payloads))
    catalog, problems = load(root)
    if catalog is None:
        raise AssertionError("hostile data is not valid data:\n" + "\n".join(map(str, problems)))
    return HostileData(root, tuple(payloads), catalog, carried(payloads, catalog))
