"""The last good copy of each feed, kept on disk so a restart while a feed is down still
serves its events.

One file per source under ``WIDGET_STATE_DIR/feeds/``, named by the source's key and a
digest of its URL (a changed URL never reads another URL's copy): a first line of JSON
(URL, ETag, Last-Modified, when it was fetched), then the body exactly as it came. Writes
go to a temporary file in the same directory, are flushed to disk and renamed over the
old copy, so a crash leaves the old copy or the new one, never half of one. A copy that
cannot be read is ignored (and logged): the feed is then fetched as if new.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from widget.feeds.fetch import MAX_BYTES, Validators
from widget.feeds.sources import Source

log = logging.getLogger("widget.feeds")
_MAX_HEADER = 64 * 1024


@dataclass(frozen=True)
class FeedCopy:
    """A feed body that parsed, with what its response said and when it came."""

    url: str
    body: bytes
    validators: Validators
    fetched_at: datetime


class FeedState:
    """Last good copies in ``directory`` (None: kept in memory only, by the caller);
    ``read_only`` reads them but never writes (``pauseai-widget sync``)."""

    def __init__(self, directory: Path | None, *, read_only: bool = False) -> None:
        self.directory = directory / "feeds" if directory is not None else None
        self.read_only = read_only

    def _path(self, source: Source) -> Path | None:
        if self.directory is None:
            return None
        digest = hashlib.sha256(source.url.encode()).hexdigest()[:12]
        return self.directory / f"{source.key}-{digest}.feed"

    def load(self, source: Source) -> FeedCopy | None:
        """The copy saved for ``source`` (same URL), or None."""
        path = self._path(source)
        if path is None or not path.is_file():
            return None
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + _MAX_HEADER + 1)
            header, _, body = raw.partition(b"\n")
            meta = json.loads(header)
            if meta.get("url") != source.url or len(raw) > MAX_BYTES + _MAX_HEADER:
                return None
            return FeedCopy(
                url=source.url,
                body=body,
                validators=Validators(meta.get("etag"), meta.get("last_modified")),
                fetched_at=datetime.fromisoformat(meta["fetched_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("ignoring unreadable feed copy %s: %s", path, error)
            return None

    def save(self, source: Source, copy: FeedCopy) -> None:
        """Replace the saved copy of ``source`` atomically; errors are logged, not raised
        (a full disk must not stop the feed from serving from memory)."""
        path = self._path(source)
        if path is None or self.read_only:
            return
        header = json.dumps(
            {
                "url": copy.url,
                "etag": copy.validators.etag,
                "last_modified": copy.validators.last_modified,
                "fetched_at": copy.fetched_at.isoformat(),
            }
        ).encode()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(header + b"\n" + copy.body)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as error:
            log.error("cannot save the copy of feed %s: %s", source.name, error)
