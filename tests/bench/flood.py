"""Hostile load against 127.0.0.1, run in its own process so it cannot slow the measuring one.

``python -m tests.bench.flood PORT SECONDS --idle N --misses N --cards N --slugs a,b``
keeps, for ``SECONDS``:

- ``--idle`` connections open that never send a byte (reopened when the server closes them),
- ``--misses`` clients asking, one request after another, for pages that are never cached
  (the publish page and widgets with a fresh accent each time),
- ``--cards`` clients asking for share cards of ever new (event, language, width);

then prints one JSON line: the statuses each flood got, and whether any had Retry-After
missing on a 503.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Iterator

LANGUAGES = ("en", "nl", "de", "fr", "it", "es", "sv", "nb", "is", "pt-BR")
WIDTHS = (1200, 600, 300, 150, 75, 37, 18, 9, 4, 2, 1)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def idle_connections(port: int, count: int, until: float, opened: Counter[str]) -> None:
    """Keep ``count`` silent connections open until ``until``."""

    async def one() -> None:
        while time.monotonic() < until:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                opened["refused"] += 1
                await asyncio.sleep(0.1)
                continue
            opened["opened"] += 1
            try:
                remaining = until - time.monotonic()
                await asyncio.wait_for(reader.read(65536), timeout=max(remaining, 0.01))
                opened["closed_by_server"] += 1
            except (TimeoutError, OSError):
                pass
            finally:
                writer.close()

    await asyncio.gather(*(one() for _ in range(count)))


async def client(port: int, targets: Iterator[str], until: float, statuses: Counter[str]) -> None:
    """Ask for ``next(targets)`` one after another on a kept-alive connection."""
    reader = writer = None
    while time.monotonic() < until:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert reader is not None
            target = next(targets)
            writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            status, headers, _ = await asyncio.wait_for(read_response(reader), 30)
            statuses[str(status)] += 1
            if status == 503:
                if "retry-after" not in headers:
                    statuses["503_without_retry_after"] += 1
                await asyncio.sleep(0.05)
            if headers.get("connection") == "close":
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            statuses["connection_error"] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.05)
    if writer is not None:
        writer.close()


def miss_targets(slugs: list[str]) -> Iterator[str]:
    """Publish pages and widgets, each with an accent never asked for before."""
    colours = random.Random(7).sample(range(1 << 24), 1 << 16)
    for number, colour in enumerate(itertools.cycle(colours)):
        accent = f"%23{colour:06x}"
        if number % 2:
            yield f"/?accent={accent}&event={slugs[number % len(slugs)]}"
        else:
            yield f"/embed/{slugs[number % len(slugs)]}?lang=en&accent={accent}"


def card_targets(slugs: list[str]) -> Iterator[str]:
    """Share cards of (event, language, width) never asked for before."""
    for slug, language, width in itertools.cycle(itertools.product(slugs, LANGUAGES, WIDTHS)):
        yield f"/events/{slug}.png?lang={language}&w={width}"


async def flood(args: argparse.Namespace) -> dict[str, object]:
    """Run the floods the arguments ask for; the statuses each got."""
    until = time.monotonic() + args.seconds
    slugs = args.slugs.split(",")
    idle: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    cards: Counter[str] = Counter()
    miss_source, card_source = miss_targets(slugs), card_targets(slugs)
    await asyncio.gather(
        idle_connections(args.port, args.idle, until, idle),
        *(client(args.port, miss_source, until, misses) for _ in range(args.misses)),
        *(client(args.port, card_source, until, cards) for _ in range(args.cards)),
    )
    return {"idle": dict(idle), "misses": dict(misses), "cards": dict(cards)}


def main() -> None:
    """Parse the arguments, flood, print the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("seconds", type=float)
    parser.add_argument("--idle", type=int, default=0)
    parser.add_argument("--misses", type=int, default=0)
    parser.add_argument("--cards", type=int, default=0)
    parser.add_argument("--slugs", default="next")
    print(json.dumps(asyncio.run(flood(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
