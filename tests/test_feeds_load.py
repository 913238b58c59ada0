"""The sync under load: a real server process keeps answering while its feed changes.

One uvicorn process (the ``pauseai-widget serve`` console script) syncs every half second
from the local feed server, whose answer rotates between versions of the calendar, a 500
and an HTML page; four client threads request the event's pages and the feed event's
meanwhile. Every request must succeed, and the served data must really have changed.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.bench.server_process import ServerProcess
from widget.feeds.merge import feed_slug

from feed_scenario import NOW, SLUG, luma_calendar, write_data
from feed_server import FeedServer, Reply

AMSTERDAM = feed_slug("evt-amsterdam@events.lu.ma")
PATHS = (
    f"/events/{SLUG}",
    f"/embed/{SLUG}?lang=en",
    f"/events/{SLUG}.json",
    f"/events/{SLUG}.ics",
    f"/events/{AMSTERDAM}.json",
    f"/embed/{AMSTERDAM}",
    "/healthz",
)
ROTATION = (
    Reply(luma_calendar()),
    Reply(luma_calendar(london_cancelled=True)),
    Reply(b"down", 500),
    Reply(luma_calendar().replace(b"20270320T140000", b"20270320T150000")),
    Reply(b"<html>login</html>", content_type="text/html"),
)
LOAD_SECONDS = 6.0


def hammer(port: int, stop: threading.Event, failures: list[str], counts: list[int]) -> None:
    """Request PATHS in turn on one kept-alive connection until ``stop``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    done = 0
    try:
        while not stop.is_set():
            for path in PATHS:
                try:
                    connection.request("GET", path)
                    response = connection.getresponse()
                    response.read()
                    if response.status != 200:
                        failures.append(f"{path}: {response.status}")
                except (OSError, http.client.HTTPException) as error:
                    failures.append(f"{path}: {type(error).__name__}: {error}")
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                done += 1
    finally:
        connection.close()
        counts.append(done)


@pytest.mark.slow
def test_zero_failed_requests_while_feeds_change(tmp_path: Path) -> None:
    """Thousands of requests, none failed, while the feed flips every 0.4 s."""
    with FeedServer() as feed:
        feed.serve("/ics", ROTATION[0])
        root = write_data(tmp_path / "data", feed.url("/ics"))
        env = {
            "WIDGET_DATA_DIR": str(root),
            "WIDGET_SYNC_SECONDS": "0.5",
            "WIDGET_SYNC_ALLOW_LOOPBACK": "1",
            "WIDGET_STATE_DIR": str(tmp_path / "state"),
            "WIDGET_NOW": NOW.isoformat(),
        }
        with ServerProcess(env=env) as server:
            deadline = time.monotonic() + 30
            while server.get(f"/events/{AMSTERDAM}.json")[0] != 200:  # the first sync
                assert time.monotonic() < deadline, server.output()
                time.sleep(0.1)
            stop, failures, counts = threading.Event(), list[str](), list[int]()
            threads = [
                threading.Thread(
                    target=hammer, args=(server.port, stop, failures, counts), daemon=True
                )
                for _ in range(4)
            ]
            for thread in threads:
                thread.start()
            versions: set[str] = set()
            started = time.monotonic()
            turn = 0
            try:
                # At least LOAD_SECONDS, and until the served data changed twice (a busy
                # machine syncs more slowly), within a bound.
                while time.monotonic() - started < LOAD_SECONDS or (
                    len(versions) < 3 and time.monotonic() - started < 4 * LOAD_SECONDS
                ):
                    turn += 1
                    feed.serve("/ics", ROTATION[turn % len(ROTATION)])
                    time.sleep(0.4)
                    status, _, body = server.get("/healthz")
                    assert status == 200
                    versions.add(json.loads(body)["data_version"])
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=30)
            metrics = server.get("/metrics")[2].decode()
            log = server.output()
        assert failures == [], (failures[:20], log[-3000:])
        assert sum(counts) > 500, counts
        assert len(versions) >= 3, log[-3000:]  # the served data really changed, twice
        fetches = {
            sample.labels["outcome"]
            for family in text_string_to_metric_families(metrics)
            for sample in family.samples
            if sample.name == "widget_feed_fetches_total" and sample.value > 0
        }
        assert {"ok", "error"} <= fetches
