"""``/metrics`` across ``serve --workers N``: per-worker series, summed at scrape.

Why not prometheus_client's multiprocess mode: it keeps every sample in an mmap file
written on each update, which would put a file write behind every counter increment,
and it has no place for a custom collector such as ``widget.metrics.RequestStats``
(the plain counters that keep a cached answer cheap). Here each worker keeps its own
registry as before, and once a second (and when it stops) writes a snapshot of every
sample to ``worker-PID.json`` in the directory named by ``WIDGET_METRICS_DIR`` (the
supervisor creates one when it is not set). A scrape, answered by whichever worker the
connection reached, combines its own live samples with the other workers' snapshots:

- counters and histograms (``_total``, ``_bucket``, ``_count``, ``_sum``) are summed, and
  ``_created`` is the earliest; the snapshots of workers that have exited stay, so totals
  never go backwards when a worker is replaced;
- gauges of per-process resources (``SUMMED_GAUGES``: body cache entries and bytes, open
  connections, renders in progress) are summed over the live workers; every other gauge
  (events in the catalog, feed figures: the same in every worker) is the largest live
  value.

So other workers' counts reach a scrape at most ``SNAPSHOT_SECONDS`` late.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from prometheus_client.core import Metric

DIRECTORY_VARIABLE = "WIDGET_METRICS_DIR"
SNAPSHOT_SECONDS = 1.0
# Gauges of what each process holds: the service's value is the sum over its workers.
SUMMED_GAUGES = frozenset(
    {
        "widget_cache_entries",
        "widget_cache_bytes",
        "widget_connections_open",
        "widget_renders_in_progress",
    }
)

# (name, documentation, type, [(sample name, labels, value), ...])
Family = tuple[str, str, str, list[tuple[str, dict[str, str], float]]]


class Collector(Protocol):
    """What ``generate_latest`` reads: a registry, or the combination below."""

    def collect(self) -> Iterable[Metric]: ...


def directory() -> Path | None:
    """The shared snapshot directory, when this process is one of several workers."""
    named = os.environ.get(DIRECTORY_VARIABLE)
    return Path(named) if named else None


def families(registry: Collector) -> list[Family]:
    """Every sample of ``registry``, as plain data."""
    return [
        (
            metric.name,
            metric.documentation,
            metric.type,
            [(sample.name, dict(sample.labels), float(sample.value)) for sample in metric.samples],
        )
        for metric in registry.collect()
    ]


def write_snapshot(registry: Collector, into: Path, pid: int | None = None) -> None:
    """Write this worker's samples to ``into/worker-PID.json`` (atomically, by rename)."""
    pid = os.getpid() if pid is None else pid
    target = into / f"worker-{pid}.json"
    scratch = into / f".worker-{pid}.json.tmp"
    scratch.write_text(json.dumps(families(registry)), encoding="utf-8")
    scratch.replace(target)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def snapshots(into: Path, but: int) -> Iterator[tuple[bool, list[Family]]]:
    """(worker alive, its families) for every snapshot in ``into`` except worker ``but``'s."""
    for path in sorted(into.glob("worker-*.json")):
        pid = int(path.stem.removeprefix("worker-"))
        if pid == but:
            continue
        with contextlib.suppress(FileNotFoundError):
            yield _alive(pid), json.loads(path.read_text(encoding="utf-8"))


def _combine(value: float, seen: float | None, sample: str, kind: str, family: str) -> float:
    if seen is None:
        return value
    if sample.endswith("_created"):
        return min(seen, value)
    if kind == "gauge" and family not in SUMMED_GAUGES:
        return max(seen, value)
    return seen + value


class Combined:
    """This worker's registry and the other workers' snapshots, as one collector."""

    def __init__(self, registry: Collector, into: Path, pid: int | None = None) -> None:
        self.registry = registry
        self.into = into
        self.pid = os.getpid() if pid is None else pid

    def collect(self) -> Iterator[Metric]:
        """One family per name, each sample combined over the workers."""
        order: dict[str, tuple[str, str]] = {}
        values: dict[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]] = {}
        sources: list[tuple[bool, list[Family]]] = [(True, families(self.registry))]
        sources += list(snapshots(self.into, self.pid))
        for alive, found in sources:
            for name, documentation, kind, samples in found:
                order.setdefault(name, (documentation, kind))
                if kind == "gauge" and not alive:
                    continue  # a gauge of a worker that is gone no longer holds
                combined = values.setdefault(name, {})
                for sample, sample_labels, value in samples:
                    key = (sample, tuple(sorted(sample_labels.items())))
                    combined[key] = _combine(value, combined.get(key), sample, kind, name)
        for name, (documentation, kind) in order.items():
            metric = Metric(name, documentation, kind)
            for (sample, labels), value in values.get(name, {}).items():
                metric.add_sample(sample, dict(labels), value)
            yield metric


def exposed(registry: Any) -> Collector:
    """What ``/metrics`` renders: ``registry``, combined with the other workers' if any."""
    into = directory()
    found: Collector = Combined(registry, into) if into is not None else registry
    return found
