"""The background sync: every source fetched on its own schedule, never inside a request.

``FeedSync`` keeps, per source, the last good feed (events and body) and its status. A
round (``sync_once``) re-reads ``sources.yaml`` when it changed, fetches the sources that
are due — a few at a time, each within the fetch limits — and parses each body in a worker
thread. When a feed's events changed, ``republish`` (``DataSource.recompose_async``)
rebuilds the served catalog, swapping it and clearing the caches like a file reload.

A failure (network, status, size, format) changes nothing that serves: the source keeps
its last good events, its status records the error, and it is retried with exponential
backoff and jitter. A good body is saved to disk (``state``); ``prime`` reads those copies
at start, so a restart while a feed is down still serves it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from widget.catalog import Catalog
from widget.feeds.errors import FeedError
from widget.feeds.fetch import Fetcher, Validators
from widget.feeds.merge import Feed, merge
from widget.feeds.parse import parse_feed
from widget.feeds.sources import Source, load_sources
from widget.feeds.state import FeedCopy, FeedState
from widget.store import SOURCES_FILE

log = logging.getLogger("widget.feeds")
CONCURRENT_FETCHES = 4
# How often sources.yaml is looked at for changes between rounds.
SOURCES_CHECK_SECONDS = 10.0
FIRST_RETRY_SECONDS = 60.0


@dataclass
class SourceStatus:
    """What /healthz says about one source."""

    name: str
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failures: int = 0  # in a row
    events: int = 0
    notes: tuple[str, ...] = ()
    due: float = 0.0  # monotonic time of the next fetch

    @property
    def ok(self) -> bool:
        """True when the last attempt succeeded."""
        return self.failures == 0 and self.last_success is not None

    def public(self) -> dict[str, object]:
        """The JSON /healthz shows."""
        return {
            "name": self.name,
            "ok": self.ok,
            "events": self.events,
            "last_success": _iso(self.last_success),
            "last_error": self.last_error,
            "last_error_at": _iso(self.last_error_at),
            "failures": self.failures,
            "notes": list(self.notes[:10]),
        }


Observer = Callable[[str, str, SourceStatus], None]


class FeedSync:
    """The feeds of one data directory, kept in step in the background."""

    def __init__(
        self,
        root: Path,
        fetcher: Fetcher,
        state: FeedState,
        interval: float,
        *,
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        observer: Observer | None = None,
        seed: int | None = None,
    ) -> None:
        self.root = root
        self.fetcher = fetcher
        self.state = state
        self.interval = interval
        self.republish: Callable[[], Awaitable[bool]] | None = None
        self.sources: tuple[Source, ...] = ()
        self.sources_problems: tuple[str, ...] = ()
        self.status: dict[str, SourceStatus] = {}
        self.merge_notes: tuple[str, ...] = ()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        self._observer = observer
        self._random = random.Random(seed)  # noqa: S311 - jitter, not cryptography
        self._feeds: dict[str, Feed] = {}
        self._copies: dict[str, FeedCopy] = {}
        self._parsed_on: dict[str, date] = {}
        self._published: tuple[Feed, ...] = ()
        self._sources_stamp: tuple[int, int] | None = None

    # --- what serves ------------------------------------------------------------------

    def compose(self, files: Catalog) -> Catalog:
        """The served catalog for ``files``: merged with the published feeds (called from
        the data loading thread; reads one tuple, replaced whole on the event loop)."""
        catalog, notes = merge(files, self._published)
        self.merge_notes = notes
        return catalog

    @property
    def healthy(self) -> bool:
        """True when sources.yaml is valid and every source's last attempt succeeded."""
        return not self.sources_problems and all(
            self.status[s.key].ok for s in self.sources if s.key in self.status
        )

    # --- start ------------------------------------------------------------------------

    def prime(self) -> None:
        """Read sources.yaml and the saved copies, before the first load (blocking)."""
        self._reload_sources()
        for source in self.sources:
            copy = self.state.load(source)
            if copy is None:
                continue
            try:
                parsed = parse_feed(copy.body, self._clock(), source.country)
            except Exception as error:  # a bad copy must not stop the service from starting
                log.warning("saved copy of feed %s is unusable: %s", source.name, error)
                continue
            self._copies[source.key] = copy
            self._feeds[source.key] = Feed(source, parsed.events, parsed.calendar_name)
            self._parsed_on[source.key] = self._clock().date()
            status = self.status[source.key]
            status.last_success, status.events = copy.fetched_at, len(parsed.events)
            status.notes = parsed.notes
        self._publish()

    # --- the loop ---------------------------------------------------------------------

    async def run(self) -> None:
        """Sync until cancelled; a round that fails is logged and the loop goes on."""
        while True:
            try:
                await self.sync_once()
            except Exception:  # the loop must never die
                log.exception("feed sync round failed")
            delay = min(self._seconds_to_next(), SOURCES_CHECK_SECONDS)
            await asyncio.sleep(max(delay, 0.05))

    async def sync_once(self, *, force: bool = False) -> bool:
        """One round: re-read the sources, fetch those due (all with ``force``); True when
        the published feeds changed (and the served catalog was rebuilt)."""
        changed = await asyncio.to_thread(self._sources_changed) and self._reload_sources()
        now = self._monotonic()
        due = [s for s in self.sources if force or self.status[s.key].due <= now]
        gate = asyncio.Semaphore(CONCURRENT_FETCHES)

        async def refresh(source: Source) -> bool:
            async with gate:
                return await self._refresh(source)

        results = await asyncio.gather(*(refresh(source) for source in due))
        if any(results) or changed:
            self._publish()
            if self.republish is not None:
                await self.republish()
            return True
        return False

    # --- one source -------------------------------------------------------------------

    async def _refresh(self, source: Source) -> bool:
        """Fetch and parse one source; True when its events changed."""
        key, status = source.key, self.status[source.key]
        copy = self._copies.get(key)
        validators = copy.validators if copy is not None else Validators()
        try:
            fetched = await self.fetcher.fetch(source.url, validators)
            now = self._clock()
            if fetched.body is None:
                outcome = "not_modified"
                if copy is None:
                    raise FeedError("304 Not Modified without a copy to reuse")
                changed = await self._reparse_if_stale(source, copy)
                copy = dataclasses.replace(copy, fetched_at=now)
                self._copies[key] = copy
            else:
                parsed = await asyncio.to_thread(parse_feed, fetched.body, now, source.country)
                outcome = "ok"
                copy = FeedCopy(source.url, fetched.body, fetched.validators, now)
                self._copies[key] = copy
                await asyncio.to_thread(self.state.save, source, copy)
                changed = self._store(source, Feed(source, parsed.events, parsed.calendar_name))
                self._parsed_on[key] = now.date()
                status.notes = parsed.notes
        except Exception as error:  # one source's failure, of whatever kind, is its own
            if isinstance(error, FeedError):
                self._failed(source, str(error))
            else:
                log.exception("feed %s: unexpected error", source.name)
                self._failed(source, f"unexpected error: {type(error).__name__}")
            self._observe(source, "error")
            # The last good copy stays; past events still drop out of it as days pass.
            return copy is not None and await self._reparse_if_stale(source, copy)
        status.last_success, status.failures, status.last_error = now, 0, None
        status.events = len(self._feeds[key].events) if key in self._feeds else 0
        status.due = self._monotonic() + self.interval * self._random.uniform(0.9, 1.1)
        self._observe(source, outcome)
        return changed

    async def _reparse_if_stale(self, source: Source, copy: FeedCopy) -> bool:
        """Parse the copy again when the day moved on (the window moves with it)."""
        now = self._clock()
        if self._parsed_on.get(source.key) == now.date():
            return False
        try:
            parsed = await asyncio.to_thread(parse_feed, copy.body, now, source.country)
        except Exception:  # it parsed before; if it no longer does, keep what we have
            log.exception("feed %s: the saved copy no longer parses", source.name)
            return False
        self._parsed_on[source.key] = now.date()
        return self._store(source, Feed(source, parsed.events, parsed.calendar_name))

    def _store(self, source: Source, feed: Feed) -> bool:
        before = self._feeds.get(source.key)
        self._feeds[source.key] = feed
        return before != feed

    def _failed(self, source: Source, message: str) -> None:
        status = self.status[source.key]
        status.failures += 1
        status.last_error, status.last_error_at = message, self._clock()
        base = min(FIRST_RETRY_SECONDS, self.interval)
        backoff = min(base * 2 ** (status.failures - 1), 4 * self.interval)
        status.due = self._monotonic() + backoff * self._random.uniform(0.8, 1.2)
        if status.failures == 1:
            log.warning("feed %s failed (keeping its last good events): %s", source.name, message)

    def _observe(self, source: Source, outcome: str) -> None:
        if self._observer is not None:
            self._observer(source.key, outcome, self.status[source.key])

    # --- sources ----------------------------------------------------------------------

    def _stamp(self) -> tuple[int, int]:
        try:
            stat = os.stat(self.root / SOURCES_FILE)
        except OSError:
            return (0, 0)
        return (stat.st_mtime_ns, stat.st_size)

    def _sources_changed(self) -> bool:
        return self._stamp() != self._sources_stamp

    def _reload_sources(self) -> bool:
        """Read sources.yaml; keep the last good list when it is invalid. True when the
        sources changed."""
        self._sources_stamp = self._stamp()
        sources, problems = load_sources(self.root)
        self.sources_problems = tuple(map(str, problems))
        if sources is None:
            log.error(
                "sources.yaml invalid; keeping the last good sources:\n  %s",
                "\n  ".join(self.sources_problems),
            )
            return False
        if sources == self.sources:
            return False
        by_key = {source.key: source for source in sources}
        for key in list(self._feeds):
            source = by_key.get(key)
            if source is None or source.url != self._feeds[key].source.url:
                self._feeds.pop(key)
                self._copies.pop(key, None)
                self._parsed_on.pop(key, None)
            else:
                self._feeds[key] = dataclasses.replace(self._feeds[key], source=source)
        self.status = {
            source.key: self.status.get(source.key) or SourceStatus(source.name)
            for source in sources
        }
        for source in sources:
            self.status[source.key].name = source.name
        self.sources = sources
        return True

    # --- publishing -------------------------------------------------------------------

    def _publish(self) -> None:
        self._published = tuple(
            self._feeds[source.key] for source in self.sources if source.key in self._feeds
        )

    def _seconds_to_next(self) -> float:
        dues = [self.status[s.key].due for s in self.sources if s.key in self.status]
        return min(dues) - self._monotonic() if dues else self.interval


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None
