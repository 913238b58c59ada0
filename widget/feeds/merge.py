"""File catalog + feed events → the catalog that serves. A pure function.

Only the feed events that pass their source's filter are used at all; the others touch
nothing (a feed's reading group never fills in a protest's venue).

- A feed event whose own link (its ``URL`` property, or a link given as ``LOCATION``) is
  one of a file location's links *enriches* that location: the file wins wherever the
  location says something; the feed fills the venue, the times (in the location's own
  zone when the file gives one), the time zone, the day, the coordinates, and a
  cancellation. Links are compared without scheme, ``www.``, query, fragment or trailing
  slash (``lu.ma`` and ``luma.com`` are one host). A link found in the description says
  nothing about which event it is ("sign up for the London protest: …") and never
  enriches.
- Any other feed event becomes an event of its own, with one location, a slug derived
  from its UID alone (so ``/events/{slug}`` never moves) and its text as the feed wrote
  it: templates escape titles and summaries, and the body goes through the Markdown
  sanitizer like every file body.

What cannot become an event (no country, a slug taken by a file) is skipped with a note.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from widget.catalog import Catalog
from widget.feeds.gazetteer import estimated
from widget.feeds.parse import FeedEvent
from widget.feeds.sources import Source
from widget.model import Event, Location, LocationStatus, Organizer, Status
from widget.problems import problems_of
from widget.sanitizer import plain_text
from widget.text import slugify

MAX_SUMMARY = 600
_HOST_ALIASES = {"lu.ma": "luma.com"}
# Lines that say where the event lives rather than what it is (Luma's first line).
_BOILERPLATE = re.compile(r"^(get up-to-date information at:?\s*)?https?://\S+$", re.I)


@dataclass(frozen=True)
class Feed:
    """One source's current events."""

    source: Source
    events: tuple[FeedEvent, ...]
    calendar_name: str | None = None


def merge(files: Catalog, feeds: Sequence[Feed]) -> tuple[Catalog, tuple[str, ...]]:
    """The served catalog, and a note for every feed event that could not be used."""
    if not feeds:
        return files, ()
    notes: list[str] = []
    links = _link_index(files)
    enrichments: dict[tuple[str, str], FeedEvent] = {}
    new: list[tuple[Feed, FeedEvent]] = []
    for feed in feeds:
        for item in feed.events:
            if not feed.source.filter.accepts(f"{item.title}\n{item.description}", item.categories):
                continue
            target = links.get(link_key(item.own_url)) if item.own_url else None
            if target is None:
                new.append((feed, item))
            elif _better(files, target, item, enrichments.get(target)):
                enrichments[target] = item
    events = [_enriched(event, enrichments, notes) for event in files.events]
    taken = {event.slug for event in events}
    for feed, item in new:
        event = _new_event(feed, item, taken, notes)
        if event is not None:
            events.append(event)
            taken.add(event.slug)
    digest = hashlib.sha256(files.version.encode())
    for feed in feeds:
        digest.update(f"\0{feed.source!r}\0{feed.events!r}".encode())
    return Catalog(events=tuple(events), version=digest.hexdigest()[:16]), tuple(notes)


def link_key(url: str) -> str:
    """A link as compared: host without ``www.`` (aliases folded), path without the last
    slash; no scheme, query or fragment."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{_HOST_ALIASES.get(host, host)}{parts.path.rstrip('/')}"


def feed_slug(uid: str) -> str:
    """The slug of a feed event: readable from the UID's local part, unique by its digest."""
    local = uid.split("@")[0] + ("-" + uid.split("/")[-1] if "/" in uid else "")
    stem = slugify(local)[:50].strip("-") or "event"
    return f"{stem}-{hashlib.sha256(uid.encode()).hexdigest()[:8]}"


def _link_index(files: Catalog) -> dict[str, tuple[str, str]]:
    index: dict[str, tuple[str, str]] = {}
    for event in files.events:
        for location in event.locations:
            for link in location.links:
                if link.is_web:
                    index.setdefault(link_key(link.url), (event.slug, location.id))
    return index


def _better(
    files: Catalog, target: tuple[str, str], item: FeedEvent, current: FeedEvent | None
) -> bool:
    """True when ``item`` suits the location better than ``current`` (a series shares its
    URL across occurrences: the one on the location's own day wins, else the earliest)."""
    if current is None:
        return True
    event = files.by_slug[target[0]]
    location = event.location(target[1])
    assert location is not None
    day = event.days(location)[0]
    return item.start_date == day and current.start_date != day


def _enriched(
    event: Event, enrichments: dict[tuple[str, str], FeedEvent], notes: list[str]
) -> Event:
    updates = {
        location.id: enrichments[(event.slug, location.id)]
        for location in event.locations
        if (event.slug, location.id) in enrichments
    }
    if not updates:
        return event
    data = event.model_dump(mode="python")
    for index, location in enumerate(event.locations):
        if location.id in updates:
            data["locations"][index].update(_filled(event, location, updates[location.id]))
    try:
        return Event.model_validate(data)
    except ValidationError as error:
        notes.append(f"{event.slug}: feed details not applied ({problems_of(error)[0]})")
        return event


def _filled(event: Event, location: Location, item: FeedEvent) -> dict[str, Any]:
    """The fields the feed fills in: only those the file's location leaves out."""
    filled: dict[str, Any] = {}
    if location.venue is None and item.venue:
        filled["venue"] = item.venue
    # The feed's point is the venue's: better than none, or than the gazetteer's city centre.
    if item.coordinates and (location.coordinates is None or estimated(location)):
        filled["coordinates"] = {"lat": item.coordinates[0], "lon": item.coordinates[1]}
    zone = location.timezone or item.timezone
    day, last = item.start_date, item.end_date
    if item.start_time is not None and item.timezone and zone:
        start = _moved(item.start_date, item.start_time, item.timezone, zone)
        day = start.date()
        if location.start_time is None:
            filled["start_time"] = start.time()
        if location.timezone is None:
            filled["timezone"] = zone
        if location.end_time is None and item.end_time is not None:
            end = _moved(item.end_date or item.start_date, item.end_time, item.timezone, zone)
            filled["end_time"] = end.time()
            last = end.date() if end.date() > day else None
    if location.date is None and day != event.date:
        filled["date"] = day
        if location.end_date is None and last is not None and last > day:
            filled["end_date"] = last
    if item.cancelled and location.status in (LocationStatus.SCHEDULED, LocationStatus.TBA):
        filled["status"] = LocationStatus.CANCELLED
    elif item.online and not location.online and location.status is LocationStatus.SCHEDULED:
        filled["status"] = LocationStatus.MOVED_ONLINE
    return filled


def _moved(day: date, clock: time, source_zone: str, target_zone: str) -> datetime:
    """A wall-clock time in one zone, as the same moment in another."""
    moment = datetime.combine(day, clock, ZoneInfo(source_zone))
    return moment.astimezone(ZoneInfo(target_zone))


def _new_event(feed: Feed, item: FeedEvent, taken: set[str], notes: list[str]) -> Event | None:
    if feed_slug(item.uid) in taken:
        return None  # the same event in two feeds, or (improbably) a file's slug
    source = feed.source
    event, problem = build_event(
        item,
        language=source.language,
        organizer=source.organizer or Organizer(name=source.name),
        fallback_title=feed.calendar_name or source.name,
    )
    if problem is not None:
        notes.append(f"{source.name}: {problem}")
    return event


def build_event(
    item: FeedEvent, *, language: str, organizer: Organizer, fallback_title: str
) -> tuple[Event | None, str | None]:
    """The single-location event of a feed event, or None and why it cannot be one."""
    slug = feed_slug(item.uid)
    online = item.online and item.country is None
    if item.country is None and not online:
        return None, f"{item.title[:60]!r}: no country in LOCATION or GEO"
    location: dict[str, Any] = {
        "city": item.city,
        "country": item.country,
        "online": online,
        "links": [{"url": item.url}] if item.url else [],
        "venue": item.venue,
        "start_time": item.start_time,
        "end_time": item.end_time,
        "timezone": item.timezone,
    }
    if item.coordinates:
        location["coordinates"] = {"lat": item.coordinates[0], "lon": item.coordinates[1]}
    if item.cancelled:
        location["status"] = LocationStatus.CANCELLED
    title = item.title or fallback_title
    data = {
        "slug": slug,
        "date": item.start_date,
        "end_date": item.end_date,
        "status": Status.CANCELLED if item.cancelled else Status.SCHEDULED,
        "default_language": language,
        "organizer": organizer,
        "locations": [{k: v for k, v in location.items() if v is not None}],
        "texts": {
            language: {
                "title": title,
                "summary": summary_of(item.description),
                "body": item.description,
            }
        },
    }
    try:
        return Event.model_validate(data), None
    except ValidationError as error:
        return None, f"{title[:60]!r}: {problems_of(error)[0]}"


def summary_of(description: str) -> str:
    """The first paragraph of a description as one line of plain text, at most 600
    characters (cut at a word), without Luma's "Get up-to-date information at: URL"."""
    lines = [line for line in description.splitlines() if not _BOILERPLATE.match(line.strip())]
    paragraph = "\n".join(lines).strip().split("\n\n")[0]
    text = plain_text(paragraph) if paragraph else ""
    if len(text) <= MAX_SUMMARY:
        return text
    return text[: MAX_SUMMARY - 1].rsplit(" ", 1)[0] + "…"
