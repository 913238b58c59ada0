"""Cold renders in process: the whole application (routing, middleware, the render
worker) answering one target again and again with the body cache off.

``asgi_scope`` and ``asgi_get`` drive the ASGI app without a server (``traffic_mix``'s
profile uses the scope too); ``measure`` times ``renders`` requests of each target after a
first one (whose time is reported apart: it fills the memos of a new catalog version);
``cold_app`` builds an application over a data directory with the body cache off.
``make bench`` reports the /events and /embed/upcoming figures over 1,000 generated events
beside the single-event widget's, as a ratio: on a busy machine the absolute times move
together, the ratio much less.

Measured on one CPU (``on_one_cpu``: a child process that pins itself to it), as the deploy target
runs (fly.toml: shared-cpu-1x, one core) and as the load scenarios pin their servers: the
event loop and the render thread then share one core's caches. Left to migrate across
this machine's two cores, the same renders took 40-70 % longer, the render thread
fetching the loop's freshly touched objects from the other core's cache.

    python -m tests.bench.cold_render     # just these figures (about a minute)
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tests.bench.generated_data import write_event, write_varied_catalog

PUBLIC_URL = "https://widget.example.org"
CATALOG_EVENTS = 1000
# The weekly varied catalog runs from 2011 to 2030: at this clock some 500 events are
# past and 500 ahead, one of them running (multi-day).
CATALOG_NOW = datetime(2020, 7, 1, tzinfo=UTC)
WIDGET_TARGET = "/embed/fifty-cities?lang=en"
# Figures over the 1,000-event catalog, each compared with the 50-city widget's.
CATALOG_TARGETS = (
    "/events?lang=en",
    "/events?lang=de&page=15",
    "/embed/upcoming?lang=en",
    "/embed/upcoming?lang=en&limit=50",
    "/embed/upcoming?lang=nl&layout=compact",
    "/embed/upcoming?lang=en&country=ZZ",
)


def asgi_scope(target: str, headers: Sequence[tuple[bytes, bytes]] = ()) -> dict[str, Any]:
    """An HTTP GET scope for ``target`` (path and query), Host 127.0.0.1 plus ``headers``."""
    path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }


async def asgi_get(app: Any, target: str) -> tuple[int, bytes]:
    """The status and body of GET ``target``."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({**asgi_scope(target), "state": {}}, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


@dataclass(frozen=True)
class Figures:
    """One target's cold renders: median, 90th percentile and first, in ms; body bytes."""

    target: str
    status: int
    renders: int
    median_ms: float | None = None
    p90_ms: float | None = None
    first_ms: float | None = None
    body_bytes: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready data."""
        return asdict(self)


def measure(app: Any, targets: Sequence[str], renders: int) -> dict[str, Figures]:
    """Time a first request of each target, then ``renders`` more (none if it fails)."""

    async def run() -> dict[str, Figures]:
        found = {}
        for target in targets:
            started = time.perf_counter()
            status, body = await asgi_get(app, target)
            first = (time.perf_counter() - started) * 1000
            if status != 200:
                found[target] = Figures(target, status, 0)
                continue
            timings = []
            for _ in range(renders):
                started = time.perf_counter()
                await asgi_get(app, target)
                timings.append((time.perf_counter() - started) * 1000)
            found[target] = Figures(
                target,
                status,
                renders,
                median_ms=statistics.median(timings),
                p90_ms=statistics.quantiles(timings, n=10)[-1],
                first_ms=first,
                body_bytes=len(body),
            )
        return found

    return asyncio.run(run())


def cold_app(root: Path, now: datetime) -> Any:
    """The application over ``root`` at the fixed clock ``now``, body cache off."""
    from widget.app import create_app
    from widget.settings import Settings

    return create_app(
        Settings(public_url=PUBLIC_URL, data_dir=root, cache_ttl=0, reload_seconds=0, now=now)
    )


def widget_figures(renders: int) -> Figures:
    """The widget of a generated 50-city event."""
    with tempfile.TemporaryDirectory(prefix="bench-50-") as scratch:
        root = Path(scratch)
        write_event(root, "fifty-cities", 50, date(2030, 5, 13))
        app = cold_app(root, datetime(2030, 5, 1, tzinfo=UTC))
        return measure(app, [WIDGET_TARGET], renders)[WIDGET_TARGET]


def catalog_figures(renders: int, targets: Sequence[str] = CATALOG_TARGETS) -> dict[str, Figures]:
    """``targets`` over ``CATALOG_EVENTS`` varied generated events (many cities per event,
    several languages, cities to be announced and cancelled, multi-day events)."""
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as scratch:
        root = Path(scratch)
        write_varied_catalog(root, CATALOG_EVENTS)
        return measure(cold_app(root, CATALOG_NOW), targets, renders)


def compared(renders: int) -> tuple[Figures, dict[str, Figures]]:
    """The widget's figures and the catalog targets', measured in the same run (the
    widget again after the catalog, its two medians averaged, so a machine growing busier
    through the run skews the ratios less)."""
    before = widget_figures(renders)
    catalog = catalog_figures(renders)
    after = widget_figures(renders)
    medians = [f.median_ms for f in (before, after) if f.median_ms is not None]
    widget = before
    if medians:
        widget = Figures(
            before.target,
            before.status,
            before.renders + after.renders,
            median_ms=statistics.fmean(medians),
            p90_ms=max(f.p90_ms or 0.0 for f in (before, after)),
            first_ms=before.first_ms,
            body_bytes=before.body_bytes,
        )
    return widget, catalog


def ratio(figures: Figures, widget: Figures) -> float | None:
    """``figures``' median over the widget's, None when either is missing."""
    if figures.median_ms is None or not widget.median_ms:
        return None
    return figures.median_ms / widget.median_ms


def lines(widget: Figures, catalog: dict[str, Figures]) -> list[str]:
    """The figures as report lines."""
    found = [
        f"  cold render {widget.target:<40} median {widget.median_ms or 0:6.2f} ms  "
        f"(the single-event widget, 50 cities: 1.0x)"
    ]
    for figures in catalog.values():
        if figures.median_ms is None:
            found.append(f"  cold render {figures.target:<40} answers {figures.status}: SKIP")
            continue
        found.append(
            f"  cold render {figures.target:<40} median {figures.median_ms:6.2f} ms  "
            f"{ratio(figures, widget) or 0:4.2f}x the widget  first {figures.first_ms or 0:6.1f} "
            f"ms  {figures.body_bytes / 1000:5.1f} kB  ({CATALOG_EVENTS} events)"
        )
    return found


def one_cpu() -> int:
    """The CPU the figures are measured on: the first this process may use."""
    return min(os.sched_getaffinity(0))


def on_one_cpu(renders: int, cpu: int | None = None) -> tuple[Figures, dict[str, Figures]]:
    """``compared(renders)`` in a child process that pins itself to ``cpu`` (else
    ``one_cpu()``) before it starts any thread, so the render worker shares the CPU too."""
    chosen = one_cpu() if cpu is None else cpu
    command = [sys.executable, "-m", "tests.bench.cold_render", "--json", str(renders), str(chosen)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    found = json.loads(done.stdout)
    catalog = {target: Figures(**figures) for target, figures in found["catalog"].items()}
    return Figures(**found["widget"]), catalog


def main(arguments: Sequence[str] | None = None) -> None:
    """Print the figures measured on one CPU; ``--json N CPU``: pin this process to
    ``CPU``, measure ``N`` renders of each target and print them as JSON."""
    arguments = list(sys.argv[1:] if arguments is None else arguments)
    if arguments[:1] == ["--json"]:
        os.sched_setaffinity(0, {int(arguments[2])})  # before the render worker starts
        widget, catalog = compared(int(arguments[1]))
        data = {"widget": widget.as_dict(), "catalog": {t: f.as_dict() for t, f in catalog.items()}}
        print(json.dumps(data))
        return
    widget, catalog = on_one_cpu(100)
    print(f"  (on CPU {one_cpu()} alone)")
    print("\n".join(lines(widget, catalog)))


if __name__ == "__main__":
    main()
