"""Cold renders of ``/embed/upcoming`` on a catalog of 1,000 generated events (issue 17).

In process, through the whole application with the body cache off (as ``run``'s cold
render of one widget): a thousand weekly events of five cities, half of them over at the
clock, answered as the list (default limit, and limit=50), as the compact banner, and
with a filter nothing matches (the whole future scanned). The median of many renders per
target; ``make bench`` reports the default list against ``MAX_UPCOMING_MS``.

    python -m tests.bench.upcoming_render     # just these figures
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from tests.bench.generated_data import write_catalog

MAX_UPCOMING_MS = 5.0
EVENTS = 1000
TARGETS = (
    "/embed/upcoming?lang=en",
    "/embed/upcoming?lang=en&limit=50",
    "/embed/upcoming?lang=en&layout=compact",
    "/embed/upcoming?lang=en&country=ZZ",
)


def measure(renders: int = 100) -> dict[str, dict[str, float]]:
    """Median and first render, in ms, and the body's bytes, per target."""
    from tests.bench.run import _asgi_get
    from widget.app import create_app
    from widget.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench-upcoming-") as scratch:
        root = Path(scratch)
        write_catalog(root, EVENTS, 5, first_day=date(2011, 1, 1))  # weekly until 2030
        app = create_app(
            Settings(
                public_url="https://widget.example.org",
                data_dir=root,
                cache_ttl=0,
                reload_seconds=0,
                now=datetime(2020, 7, 1, tzinfo=UTC),
            )
        )

        async def run() -> dict[str, dict[str, float]]:
            figures = {}
            for target in TARGETS:
                started = time.perf_counter()
                status, body = await _asgi_get(app, target)
                first = (time.perf_counter() - started) * 1000
                assert status == 200, (target, status)
                timings = []
                for _ in range(renders):
                    started = time.perf_counter()
                    await _asgi_get(app, target)
                    timings.append((time.perf_counter() - started) * 1000)
                figures[target] = {
                    "median_ms": statistics.median(timings),
                    "first_ms": first,
                    "body_bytes": float(len(body)),
                }
            return figures

        return asyncio.run(run())


def main() -> None:
    """Print the figures."""
    for target, figures in measure().items():
        print(
            f"{target:<42} median {figures['median_ms']:6.2f} ms  first "
            f"{figures['first_ms']:6.1f} ms  {figures['body_bytes'] / 1000:5.1f} kB"
        )


if __name__ == "__main__":
    main()
