"""``pauseai-widget serve --workers N``: real worker processes sharing one port.

Metrics summed over the workers, SIGHUP reaching every worker, graceful SIGTERM for all.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from tests.bench.server_process import ServerProcess, console_script, fetch
from widget.cli import main
from widget.worker_metrics import Combined, write_snapshot

from conftest import SAMPLE_SLUG

NOW = "2024-05-01T12:00:00+00:00"
JSON = f"/events/{SAMPLE_SLUG}.json"


def workers(count: int) -> list[str]:
    return [console_script(), "serve", "--workers", str(count)]


def snapshot_counts(directory: Path, route: str) -> dict[int, float]:
    """Per worker pid, the 2xx requests of ``route`` in its last snapshot."""
    counts = {}
    for path in directory.glob("worker-*.json"):
        total = 0.0
        for name, _, _, samples in json.loads(path.read_text("utf-8")):
            if name == "widget_requests":
                for sample, labels, value in samples:
                    if sample == "widget_requests_total" and labels["route"] == route:
                        total += value
        counts[int(path.stem.removeprefix("worker-"))] = total
    return counts


def scraped(port: int, route: str) -> float:
    _, _, body = fetch(port, "/metrics")
    pattern = rf'^widget_requests_total\{{route="{route}",status="2xx"\}} ([\d.e+]+)$'
    found = re.search(pattern, body.decode(), re.M)
    return float(found.group(1)) if found else 0.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_metrics_are_summed_over_workers_and_sigterm_stops_them_all(
    data_dir: Path, tmp_path: Path
) -> None:
    """Every scrape, whichever worker answers it, counts the requests of both workers."""
    env = {"WIDGET_DATA_DIR": str(data_dir), "WIDGET_NOW": NOW, "WIDGET_METRICS_DIR": str(tmp_path)}
    with ServerProcess(env, argv=workers(2)) as server:
        sent = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until both workers have answered some
            for _ in range(20):
                assert fetch(server.port, "/embed.js")[0] == 200  # a new connection each
                sent += 1
            time.sleep(1.5)  # a snapshot a second
            counts = snapshot_counts(tmp_path, "embed_js")
            if len(counts) == 2 and all(counts.values()):
                break
        counts = snapshot_counts(tmp_path, "embed_js")
        assert len(counts) == 2 and all(counts.values()), counts
        assert sum(counts.values()) == sent
        for _ in range(10):  # scrapes land on either worker: every one sees the sum
            assert scraped(server.port, "embed_js") == sent
        pids = list(counts)
        assert server.stop() == 0
    assert not any(alive(pid) for pid in pids)
    assert server.output().count("Application shutdown complete.") == 2


@pytest.mark.slow
def test_sighup_reloads_every_worker(data_dir: Path) -> None:
    """SIGHUP to the supervisor reloads the data in each worker."""
    env = {"WIDGET_DATA_DIR": str(data_dir), "WIDGET_NOW": NOW, "WIDGET_RELOAD_SECONDS": "0"}
    event_file = data_dir / SAMPLE_SLUG / "event.yaml"

    def cities(server: ServerProcess) -> set[str]:
        status, _, body = fetch(server.port, JSON)
        assert status == 200
        return {location["city"] for location in json.loads(body)["locations"]}

    with ServerProcess(env, argv=workers(2)) as server:
        event_file.write_text(
            event_file.read_text("utf-8").replace("city: Ottawa", "city: Toronto"), "utf-8"
        )
        assert all("Ottawa" in cities(server) for _ in range(10)), "no polling: waits for SIGHUP"
        server.signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while server.output().count("reloading data") < 2:  # one per worker
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.1)
        # A worker answers with the new data once its reload is done (a new city means a
        # gazetteer read: seconds on a busy machine). Without polling (reload_seconds=0),
        # only SIGHUP can bring it there: forty new connections in a row, shared by both
        # workers, all serving the new data, within the deadline.
        while not all("Toronto" in cities(server) for _ in range(40)):
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.2)


def test_workers_must_be_a_positive_number(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--workers and WEB_CONCURRENCY are checked before anything starts."""
    for value in ("0", "-1", "two"):
        assert main(["serve", "--workers", value]) == 2
        assert "--workers" in capsys.readouterr().err
    monkeypatch.setenv("WEB_CONCURRENCY", "many")
    assert main(["serve"]) == 2
    assert "WEB_CONCURRENCY" in capsys.readouterr().err


def test_combined_metrics_sum_counters_and_keep_live_gauges(tmp_path: Path) -> None:
    """Counters add up over workers (exited ones too); gauges only from live workers."""
    from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

    def registry(requests: int, events: int, cache_bytes: int) -> CollectorRegistry:
        made = CollectorRegistry()
        Counter("widget_data_reloads", "reloads", registry=made).inc(requests)
        Gauge("widget_data_events", "events", registry=made).set(events)
        Gauge("widget_cache_bytes", "bytes", registry=made).set(cache_bytes)
        return made

    own = registry(3, 5, 100)
    write_snapshot(registry(4, 5, 200), tmp_path, pid=os.getppid())  # a live worker
    write_snapshot(registry(10, 9, 400), tmp_path, pid=2**22 + 7)  # exited (no such pid)
    text = generate_latest(Combined(own, tmp_path, pid=os.getpid())).decode()  # type: ignore[arg-type]
    assert "widget_data_reloads_total 17.0" in text
    assert "widget_data_events 5.0" in text  # the largest live value, not a sum
    assert "widget_cache_bytes 300.0" in text  # per-process: summed over live workers
    assert text.count("# TYPE widget_data_reloads_total counter") == 1
    alone = tmp_path / "alone"
    alone.mkdir()
    assert generate_latest(Combined(own, alone)) == generate_latest(own)  # type: ignore[arg-type]
