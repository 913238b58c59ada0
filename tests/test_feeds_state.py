"""Last good copies on disk: written whole, read back only for the same URL."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from widget.feeds.fetch import Validators
from widget.feeds.sources import Source
from widget.feeds.state import FeedCopy, FeedState

SOURCE = Source(name="PauseAI London", url="https://api.lu.ma/ics/get?entity=calendar&id=cal-1")
COPY = FeedCopy(
    SOURCE.url,
    b"BEGIN:VCALENDAR\r\nX-WR-CALNAME:Caf\xc3\xa9\r\nEND:VCALENDAR\r\n",
    Validators('"v1"', "Mon, 01 Mar 2027 12:00:00 GMT"),
    datetime(2027, 3, 1, 12, 0, tzinfo=UTC),
)


def test_a_copy_comes_back_as_saved(tmp_path: Path) -> None:
    """Body bytes, validators and time survive; no temporary file is left behind."""
    state = FeedState(tmp_path)
    state.save(SOURCE, COPY)
    assert FeedState(tmp_path).load(SOURCE) == COPY
    assert [p.suffix for p in (tmp_path / "feeds").iterdir()] == [".feed"]


def test_another_url_never_reads_the_copy(tmp_path: Path) -> None:
    """A source whose URL changed starts without a copy."""
    FeedState(tmp_path).save(SOURCE, COPY)
    moved = SOURCE.model_copy(update={"url": "https://api.lu.ma/ics/get?entity=calendar&id=cal-2"})
    assert FeedState(tmp_path).load(moved) is None


def test_unreadable_copies_are_ignored(tmp_path: Path) -> None:
    """A truncated or garbled file reads as no copy (and is logged), never as an error."""
    state = FeedState(tmp_path)
    state.save(SOURCE, COPY)
    [path] = (tmp_path / "feeds").iterdir()
    path.write_bytes(b'{"url": ')
    assert state.load(SOURCE) is None
    path.write_bytes(b"\xff\xfe garbage")
    assert state.load(SOURCE) is None


def test_read_only_and_memory_only_states_write_nothing(tmp_path: Path) -> None:
    """``read_only`` (the sync command) and no directory leave the disk alone."""
    FeedState(tmp_path, read_only=True).save(SOURCE, COPY)
    FeedState(None).save(SOURCE, COPY)
    assert not (tmp_path / "feeds").exists()
    assert FeedState(None).load(SOURCE) is None


def test_an_unwritable_directory_is_logged_not_raised(tmp_path: Path) -> None:
    """A full or read-only disk must not stop a feed from serving from memory."""
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the directory should be")
    FeedState(blocked).save(SOURCE, COPY)
    assert blocked.is_file() and not os.path.isdir(blocked)
