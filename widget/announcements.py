"""When this service first published each event: the dates of the Atom feed's entries.

Event files carry no announcement date, and a feed whose ``updated`` moved on every request
(or every restart) would make readers show every event as new again. So the first time the
feed is built with an event in the catalog, the event is stamped with that moment, and
the stamp never changes after. With ``WIDGET_STATE_DIR`` set the stamps are kept in
``announced.json`` there (written to a temporary file, flushed and renamed over the old
one), so they survive restarts and deploys; without it they live as long as the process.
A file that cannot be read is logged and started afresh.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("widget.announcements")
FILE_NAME = "announced.json"


class Announcements:
    """The first-published moment of every event seen, by slug."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / FILE_NAME if directory is not None else None
        self._seen: dict[str, datetime] | None = None
        self._lock = threading.Lock()  # feeds render in worker threads

    def _read(self) -> dict[str, datetime]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {str(slug): datetime.fromisoformat(str(when)) for slug, when in data.items()}
        except (OSError, ValueError, AttributeError, TypeError) as error:
            log.warning("ignoring unreadable %s: %s", self.path, error)
            return {}

    def _write(self, seen: Mapping[str, datetime]) -> None:
        if self.path is None:
            return
        text = json.dumps({slug: when.isoformat() for slug, when in sorted(seen.items())})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            log.warning("cannot save %s: %s", self.path, error)
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)

    def stamp(self, slugs: Iterable[str], now: datetime) -> dict[str, datetime]:
        """Every stamp, after stamping the ``slugs`` not seen before with ``now`` (UTC,
        whole seconds)."""
        with self._lock:
            if self._seen is None:
                self._seen = self._read()
            new = [slug for slug in slugs if slug not in self._seen]
            if new:
                moment = now.astimezone(UTC).replace(microsecond=0)
                self._seen.update(dict.fromkeys(new, moment))
                self._write(self._seen)
            return dict(self._seen)
