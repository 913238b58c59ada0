"""Keeping the catalog current: polling the data directory and reloading on SIGHUP.

``DataSource`` owns the one live ``Catalog``. A reload reads everything into a new
catalog first and swaps it in with a single assignment, so a request sees either the old
data or the new, never a mix. An invalid change keeps the last good catalog serving; the
problems are logged once (not on every poll) and shown by ``/healthz`` until fixed.

The served catalog is ``compose(files)``: the files' catalog with whatever else joins it
(the calendar feeds, ``widget.feeds``). ``recompose_async`` rebuilds it from the last good
files when the other side changes, with the same swap and the same ``on_change``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from widget.catalog import EMPTY, Catalog
from widget.sanitizer import render_markdown
from widget.store import load

log = logging.getLogger("widget.reload")
Loaded = tuple[Catalog, Catalog]  # (the files' catalog, the served catalog)


@dataclass(frozen=True)
class ReloadState:
    """What the last reload attempt found."""

    ok: bool
    problems: tuple[str, ...]
    checked_at: datetime


def fingerprint(root: Path) -> str:
    """A cheap digest of names, sizes and modification times under ``root``."""
    digest = hashlib.sha256()
    try:
        for directory, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames) + dirnames:
                path = os.path.join(directory, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                # Names that are not UTF-8 arrive surrogate-escaped: hash their bytes.
                digest.update(
                    os.fsencode(path) + f"\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
                )
    except OSError as error:
        digest.update(str(error).encode())
    return digest.hexdigest()


class DataSource:
    """The live catalog and the last reload's outcome."""

    def __init__(
        self,
        root: Path,
        on_change: Callable[[Catalog], None] | None = None,
        on_result: Callable[[bool], None] | None = None,
        deadline: float = 30.0,
        compose: Callable[[Catalog], Catalog] | None = None,
    ) -> None:
        self.root = root
        self.compose = compose
        self.files: Catalog | None = None  # the last good catalog of the files alone
        self._on_result = on_result
        self.catalog: Catalog = EMPTY
        self.state = ReloadState(ok=False, problems=("not loaded yet",), checked_at=_now())
        self.reloads = 0
        self.reload_errors = 0
        self._fingerprint = ""
        self._on_change = on_change
        self._logged_problems: tuple[str, ...] = ()
        self._lock = asyncio.Lock()
        self.deadline = deadline
        self._stuck: asyncio.Future[tuple[Loaded | None, list[str]]] | None = None

    def reload(self) -> bool:
        """Load the directory now; swap the catalog in when valid. True when data changed."""
        loaded, problems = self._load_only()
        return self._apply(loaded, problems, self.catalog)

    def changed_on_disk(self) -> bool:
        """True when the directory's fingerprint differs from the last load's."""
        return fingerprint(self.root) != self._fingerprint

    async def reload_async(self) -> bool:
        """Reload in a worker thread (file reads and validation stay off the event loop).

        A load that does not finish within ``deadline`` seconds (a hung network mount, say)
        is abandoned and reported; the lock is released, and no second load starts while the
        abandoned one still runs, so threads cannot pile up behind it.
        """
        async with self._lock:
            if self._stuck is not None and not self._stuck.done():
                return self._fail(["reload still blocked: the previous one never finished"])
            catalog_before = self.catalog
            running = asyncio.ensure_future(asyncio.to_thread(self._load_only))
            try:
                loaded, problems = await asyncio.wait_for(asyncio.shield(running), self.deadline)
            except TimeoutError:
                self._stuck = running
                return self._fail([f"reload abandoned: not finished within {self.deadline:g} s"])
            return self._apply(loaded, problems, catalog_before)

    def _fail(self, problems: list[str]) -> bool:
        return self._apply(None, problems, self.catalog)

    async def recompose_async(self) -> bool:
        """Rebuild the served catalog from the last good files (in a worker thread), after
        what ``compose`` adds to them changed. True when the served data changed."""
        async with self._lock:
            files = self.files
            if files is None:
                return False
            before = self.catalog
            served = await asyncio.to_thread(self._served, files)
            return self._swap(served, before)

    def _served(self, files: Catalog) -> Catalog:
        """``compose(files)``, every Markdown body rendered (runs in the loading thread)."""
        catalog = self.compose(files) if self.compose is not None else files
        prerender(catalog)
        return catalog

    def _load_only(self) -> tuple[Loaded | None, list[str]]:
        self._fingerprint = fingerprint(self.root)
        files, problems = load(self.root)
        if files is None:
            return None, [str(problem) for problem in problems]
        return (files, self._served(files)), []

    def _apply(self, loaded: Loaded | None, problems: list[str], before: Catalog) -> bool:
        if self._on_result is not None:
            self._on_result(loaded is not None)
        if loaded is None:
            messages = tuple(problems)
            self.reload_errors += 1
            self.state = ReloadState(ok=False, problems=messages, checked_at=_now())
            if messages != self._logged_problems:
                self._logged_problems = messages
                log.error(
                    "data reload failed; still serving version %s:\n  %s",
                    before.version,
                    "\n  ".join(messages),
                )
            return False
        self.reloads += 1
        self._logged_problems = ()
        self.state = ReloadState(ok=True, problems=(), checked_at=_now())
        self.files = loaded[0]
        return self._swap(loaded[1], before)

    def _swap(self, catalog: Catalog, before: Catalog) -> bool:
        if catalog.version == before.version:
            return False
        self.catalog = catalog
        log.info("data version %s: %d events", catalog.version, len(catalog))
        if self._on_change is not None:
            self._on_change(catalog)
        return True

    async def poll(self, interval: float) -> None:
        """Reload whenever the directory changes, checking every ``interval`` seconds."""
        while True:
            await asyncio.sleep(interval)
            try:
                if await asyncio.to_thread(self.changed_on_disk):
                    await self.reload_async()
            except Exception:  # a poll must never die: log and keep serving
                log.exception("data poll failed")


def prerender(catalog: Catalog) -> None:
    """Render and sanitize every Markdown body now, in the loading thread, so that no request
    pays for a first render on the event loop (``render_markdown`` keeps them by text)."""
    for event in catalog.events:
        for text in event.texts.values():
            render_markdown(text.body)


def _now() -> datetime:
    return datetime.now(UTC)
