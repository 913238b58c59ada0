"""``pauseai-widget sync [--once] [DIR]`` and ``pauseai-widget import-ics FILE|URL --out DIR``.

``sync`` fetches every source of a data directory and prints what would change in what
it serves — added, updated, cancelled, dropped — against the last saved copies (or the
files alone), without serving and without writing anything. ``import-ics`` turns a feed's
events into event files.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from widget.catalog import Catalog
from widget.feeds.changes import changes
from widget.feeds.errors import FeedError
from widget.feeds.fetch import MAX_BYTES, Fetcher, FetchPolicy
from widget.feeds.ics_import import write_event
from widget.feeds.merge import build_event
from widget.feeds.parse import parse_feed
from widget.feeds.sources import FeedFilter
from widget.feeds.state import FeedState
from widget.feeds.sync import FeedSync
from widget.model import Organizer, check_country
from widget.settings import SettingsError, from_env
from widget.store import load, load_event


def sync_main(argv: Sequence[str]) -> int:
    """Run ``sync``; exit 0 when every source answered, 1 when one failed or the data has
    problems, 2 for bad settings."""
    parser = argparse.ArgumentParser(
        prog="pauseai-widget sync", description="fetch every source, print what would change"
    )
    parser.add_argument("--once", action="store_true", help="one round, then exit")
    parser.add_argument("directory", nargs="?", help="data directory (default: WIDGET_DATA_DIR)")
    args = parser.parse_args(argv)
    try:
        settings = from_env()
    except SettingsError as error:
        print(f"pauseai-widget: {error}", file=sys.stderr)
        return 2
    root = Path(args.directory) if args.directory else settings.data_dir
    files, problems = load(root)
    if files is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    fixed = settings.now
    feeds = FeedSync(
        root,
        Fetcher(FetchPolicy(allow_loopback_http=settings.sync_allow_loopback)),
        FeedState(settings.state_dir, read_only=True),
        settings.sync_seconds or 900.0,
        clock=(lambda: fixed) if fixed is not None else None,
    )
    feeds.prime()
    if feeds.sources_problems:
        print("\n".join(feeds.sources_problems), file=sys.stderr)
        return 1
    return asyncio.run(_sync_rounds(feeds, files, once=args.once))


async def _sync_rounds(feeds: FeedSync, files: Catalog, *, once: bool) -> int:
    before = feeds.compose(files)
    try:
        while True:
            await feeds.sync_once(force=once)
            after = feeds.compose(files)
            for change in changes(before, after):
                print(change)
            failed = 0
            for source in feeds.sources:
                status = feeds.status[source.key]
                state = "ok" if status.ok else f"error: {status.last_error}"
                print(f"{source.name}: {status.events} events, {state}", file=sys.stderr)
                failed += not status.ok
            for note in feeds.merge_notes:
                print(f"note: {note}", file=sys.stderr)
            if once:
                return 1 if failed else 0
            before = after
            await asyncio.sleep(max(1.0, min(feeds.interval, 60.0)))
    finally:
        await feeds.fetcher.aclose()


def import_ics_main(argv: Sequence[str]) -> int:
    """Run ``import-ics``; exit 0 when at least one event was written, else 1."""
    parser = argparse.ArgumentParser(
        prog="pauseai-widget import-ics", description="write event files from a calendar feed"
    )
    parser.add_argument("feed", help="an .ics file or an https URL")
    parser.add_argument("--out", required=True, help="data directory to write events into")
    parser.add_argument("--language", default="en", help="language of the feed's text")
    parser.add_argument("--country", help="country (ISO code) for events that name none")
    parser.add_argument("--organizer", default="PauseAI", help="organizer name")
    parser.add_argument(
        "--keyword", action="append", default=[], help="import only events with this word"
    )
    args = parser.parse_args(argv)
    try:
        settings = from_env()
        country = check_country(args.country.upper()) if args.country else None
    except (SettingsError, ValueError) as error:
        print(f"pauseai-widget import-ics: {error}", file=sys.stderr)
        return 2
    try:
        body = _read_feed(args.feed, settings.sync_allow_loopback)
        parsed = parse_feed(body, settings.now or datetime.now(UTC), country)
    except (FeedError, OSError) as error:
        print(f"{args.feed}: {error}", file=sys.stderr)
        return 1
    out = Path(args.out)
    wanted = FeedFilter(keywords=tuple(args.keyword))
    written = 0
    for item in parsed.events:
        if not wanted.accepts(f"{item.title}\n{item.description}", item.categories):
            continue
        event, problem = build_event(
            item,
            language=args.language,
            organizer=Organizer(name=args.organizer),
            fallback_title=parsed.calendar_name or "Event",
        )
        if event is None:
            print(f"{args.feed}: skipped {problem}", file=sys.stderr)
            continue
        directory = write_event(event, out)
        if directory is None:
            print(f"{out / event.slug}: exists, left as it is", file=sys.stderr)
            continue
        checked, problems, _ = load_event(directory, out)
        for found in problems:
            print(found, file=sys.stderr)
        written += checked is not None
        print(f"wrote {directory}")
    print(f"{written} events written to {out}", file=sys.stderr)
    return 0 if written else 1


def _read_feed(where: str, allow_loopback: bool) -> bytes:
    if where.startswith(("https://", "http://")):
        fetcher = Fetcher(FetchPolicy(allow_loopback_http=allow_loopback))

        async def fetch() -> bytes | None:
            try:
                return (await fetcher.fetch(where)).body
            finally:
                await fetcher.aclose()

        return asyncio.run(fetch()) or b""
    with open(where, "rb") as handle:
        body = handle.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise FeedError(f"too large: more than {MAX_BYTES} bytes")
    return body
