"""Operating a real server process: graceful SIGTERM, data churn under load, SIGHUP, logs.

Each test starts ``pauseai-widget serve`` (the console script the Docker image runs) on a
free 127.0.0.1 port and stops it by itself.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from tests.bench.server_process import ServerProcess, console_script, free_port
from widget.app import create_app
from widget.documents.oembed import CARD_WIDTHS
from widget.languages import SUPPORTED_LANGUAGES
from widget.settings import SAMPLE_DATA_DIR, from_env
from widget.store import load

from conftest import SAMPLE_SLUG

pytestmark = pytest.mark.slow

NOW = "2024-05-01T12:00:00+00:00"
JSON = f"/events/{SAMPLE_SLUG}.json"
EMBED = f"/embed/{SAMPLE_SLUG}?lang=en"
EVENT_FILE = f"{SAMPLE_SLUG}/event.yaml"


@dataclass
class Answer:
    """One raw HTTP/1.1 response read to the end of the connection."""

    status: int
    complete: bool
    finished: float


def parse_response(raw: bytes, finished: float) -> Answer:
    """Status, and whether the body is as long as Content-Length says."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        return Answer(0, False, finished)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    lengths = [
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")
    ]
    return Answer(status, bool(lengths) and len(body) == lengths[0], finished)


def server_sockets(port: int) -> list[int]:
    """Unread bytes (rx_queue) of each established server-side connection on ``port``."""
    queues = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
            queues.append(int(fields[4].split(":")[1], 16))
    return queues


def http_get(port: int, target: str) -> tuple[int, bytes]:
    """One GET on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def health(port: int) -> dict[str, object]:
    """/healthz, which must answer 200 with a JSON object while data is being served."""
    status, body = http_get(port, "/healthz")
    assert status == 200, (status, body[:300])
    document = json.loads(body)
    assert isinstance(document, dict)
    return document


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def renamed_city(event_yaml: str, old: str, new: str, country: str | None = None) -> str:
    """The event file with one city renamed (and its country changed, when given)."""
    facts = yaml.safe_load(event_yaml)
    location = next(item for item in facts["locations"] if item["city"] == old)
    location["city"] = new
    if country is not None:
        location["country"] = country
    return yaml.safe_dump(facts, allow_unicode=True, sort_keys=False)


def half_written(data_dir: Path, event_yaml: str) -> str:
    """The file as a writer caught half-way leaves it: the first invalid prefix past half."""
    probe = data_dir.parent / "probe"
    shutil.copytree(data_dir, probe)
    try:
        for cut in range(len(event_yaml) // 2, len(event_yaml)):
            (probe / EVENT_FILE).write_text(event_yaml[:cut], "utf-8")
            if load(probe)[0] is None:
                return event_yaml[:cut]
    finally:
        shutil.rmtree(probe)
    raise AssertionError("no invalid prefix")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A writable copy of the sample data."""
    target = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, target)
    return target


# --- SIGTERM ---------------------------------------------------------------------------------


def test_sigterm_lets_200_in_flight_requests_finish(data_dir: Path) -> None:
    """SIGTERM with 200 requests read and in progress: every one gets a complete 200."""
    env = {"WIDGET_DATA_DIR": str(data_dir), "WIDGET_NOW": NOW, "WIDGET_CACHE_TTL": "0"}
    # Every eighth request renders a share card in the card worker (distinct languages and
    # widths: no single-flight sharing), so requests are still in progress at the signal.
    cards = [
        f"/events/{SAMPLE_SLUG}.png?lang={lang}&w={width}"
        for width in CARD_WIDTHS[:3]
        for lang in SUPPORTED_LANGUAGES
    ]
    targets = [cards[n // 8] if n % 8 == 0 else EMBED for n in range(200)]
    with ServerProcess(env) as server:
        sent: list[str] = []

        async def request(target: str) -> Answer:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(
                f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
            )
            await writer.drain()
            sent.append(target)
            raw = await reader.read()
            writer.close()
            return parse_response(raw, time.monotonic())

        async def run() -> tuple[list[Answer], float]:
            pending = [asyncio.ensure_future(request(target)) for target in targets]

            def all_read() -> bool:
                # An empty receive queue means "read" only once the client has sent its
                # request: a connection still waiting for its request (or for accept()) also
                # shows an empty queue, and a graceful shutdown rightly closes idle
                # connections and resets those the listener never accepted. Counting those
                # as in flight was the cause of this test's ConnectionResetError.
                if len(sent) < len(targets):
                    return False
                queues = server_sockets(server.port)
                connected = len(queues) + sum(task.done() for task in pending)
                return connected >= len(targets) and not any(queues)

            deadline = time.monotonic() + 20
            while not all_read() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert all_read(), "the server did not read all 200 requests"
            signalled = time.monotonic()
            server.signal(signal.SIGTERM)
            return list(await asyncio.gather(*pending)), signalled

        answers, signalled = asyncio.run(run())
        assert server.process is not None
        # uvicorn re-raises the signal once it has shut down cleanly.
        assert server.process.wait(30) in (0, -signal.SIGTERM)
        assert "Traceback" not in server.output()
    assert [(a.status, a.complete) for a in answers] == [(200, True)] * len(targets)
    finished_after_signal = sum(answer.finished > signalled for answer in answers)
    assert finished_after_signal >= 10, "too few requests were still in flight at SIGTERM"


# --- data churn under load ---------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """One valid state of the data directory and what the service answers for it."""

    event_yaml: str
    data_version: str
    bodies: dict[str, bytes]


def expected(data_dir: Path, event_yaml: str, port: int) -> Version:
    """Write ``event_yaml`` and render the answers in process, with the server's settings."""
    (data_dir / EVENT_FILE).write_text(event_yaml, "utf-8")
    catalog, problems = load(data_dir)
    assert catalog is not None, problems
    settings = from_env(
        {
            "WIDGET_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "WIDGET_DATA_DIR": str(data_dir),
            "WIDGET_NOW": NOW,
            "WIDGET_RELOAD_SECONDS": "0",
        }
    )
    with TestClient(create_app(settings)) as client:
        bodies = {target: client.get(target).content for target in (JSON, EMBED)}
    return Version(event_yaml, catalog.version, bodies)


def test_data_churn_under_load_never_fails_a_request(data_dir: Path) -> None:
    """Rewriting the data every 100 ms (valid, invalid, half-written) under 20 s of load:
    no 5xx, every answer is one valid version's, and /healthz follows along."""
    original = (data_dir / EVENT_FILE).read_text("utf-8")
    changed = renamed_city(original, "Ottawa", "Toronto")
    invalid = renamed_city(original, "Ottawa", "Toronto", country="QQ")
    half = half_written(data_dir, changed)
    port = free_port()  # known before the server starts: the expected bodies name it
    versions = [expected(data_dir, text, port) for text in (original, changed)]
    for broken in (invalid, half):
        (data_dir / EVENT_FILE).write_text(broken, "utf-8")
        assert load(data_dir)[0] is None, "the broken states must be invalid"
    (data_dir / EVENT_FILE).write_text(original, "utf-8")
    states = [original, invalid, changed, half]
    env = {"WIDGET_DATA_DIR": str(data_dir), "WIDGET_NOW": NOW, "WIDGET_RELOAD_SECONDS": "0.05"}
    stop = threading.Event()
    answers: list[tuple[str, int, bytes]] = []

    def rewrite() -> None:
        tick = 0
        while not stop.wait(0.1):
            tick += 1
            (data_dir / EVENT_FILE).write_text(states[tick % len(states)], "utf-8")

    def load_loop() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while not stop.is_set():
                for target in (JSON, EMBED, "/healthz"):
                    connection.request("GET", target)
                    response = connection.getresponse()
                    answers.append((target, response.status, response.read()))
        except (OSError, http.client.HTTPException) as error:
            answers.append(("error", 0, repr(error).encode()))
        finally:
            connection.close()

    with ServerProcess(env, port=port) as server:
        workers = [threading.Thread(target=rewrite)] + [
            threading.Thread(target=load_loop) for _ in range(3)
        ]
        for worker in workers:
            worker.start()
        time.sleep(20)
        stop.set()
        for worker in workers:
            worker.join(30)
        (data_dir / EVENT_FILE).write_text(invalid, "utf-8")

        def degraded_by_the_bad_country() -> bool:
            now = health(port)
            problems = now["last_reload_error"]
            return (
                now["status"] == "degraded"
                and isinstance(problems, list)
                and any(EVENT_FILE in problem and "country" in problem for problem in problems)
            )

        assert wait_for(degraded_by_the_bad_country)
        assert health(port)["data_version"] in {version.data_version for version in versions}
        (data_dir / EVENT_FILE).write_text(changed, "utf-8")

        def healthy_on_changed_data() -> bool:
            now = health(port)
            return (now["status"], now["data_version"], now["last_reload_error"]) == (
                "ok",
                versions[1].data_version,
                None,
            )

        assert wait_for(healthy_on_changed_data)
        assert "Traceback" not in server.output()

    assert len(answers) > 300, "the load was too light to mean anything"
    assert not [(target, status) for target, status, _ in answers if status >= 500]
    seen_versions: set[str] = set()
    for target, status, body in answers:
        assert status == 200, (target, status)
        if target == "/healthz":
            reported = json.loads(body)
            assert reported["data_version"] in {version.data_version for version in versions}
            assert reported["status"] in ("ok", "degraded")
            seen_versions.add(reported["status"])
        else:
            matching = [v for v in versions if v.bodies[target] == body]
            assert matching, f"{target}: an answer that is no valid version's"
            seen_versions.add(matching[0].data_version)
    # The churn really happened: both versions were served and the broken states were seen.
    assert {version.data_version for version in versions} | {"ok", "degraded"} <= seen_versions


# --- SIGHUP ------------------------------------------------------------------------------------


def test_sighup_reloads_and_keeps_serving_through_a_bad_change(data_dir: Path) -> None:
    """Without polling, SIGHUP loads a valid change; an invalid one keeps the data and shows."""
    env = {"WIDGET_DATA_DIR": str(data_dir), "WIDGET_NOW": NOW, "WIDGET_RELOAD_SECONDS": "0"}
    event_file = data_dir / EVENT_FILE
    original = event_file.read_text("utf-8")

    def cities(server: ServerProcess) -> set[str]:
        status, body = http_get(server.port, JSON)
        assert status == 200
        return {location["city"] for location in json.loads(body)["locations"]}

    with ServerProcess(env) as server:
        before = health(server.port)["data_version"]
        event_file.write_text(renamed_city(original, "Ottawa", "Toronto"), "utf-8")
        time.sleep(0.3)
        assert "Ottawa" in cities(server), "no polling: the change waits for SIGHUP"
        server.signal(signal.SIGHUP)
        assert wait_for(lambda: "Toronto" in cities(server))
        after = health(server.port)
        assert after["status"] == "ok" and after["data_version"] != before

        event_file.write_text("date: [broken\n", "utf-8")
        for _ in range(2):
            server.signal(signal.SIGHUP)
            time.sleep(0.3)
        assert wait_for(lambda: health(server.port)["status"] == "degraded")
        assert "Toronto" in cities(server)
        failures = server.output().count("data reload failed")
        assert failures == 1, "an unchanged problem is logged once"


# --- logs --------------------------------------------------------------------------------------


def log_records(output: str) -> list[dict[str, object]]:
    """Every line of the server's output as a JSON object (each must be one)."""
    records = []
    for line in output.splitlines():
        if line.strip():
            record = json.loads(line)
            assert isinstance(record, dict)
            assert {"time", "level", "logger", "message"} <= set(record)
            records.append(record)
    return records


def access_log(data_dir: Path, env: dict[str, str]) -> tuple[list[dict[str, object]], int]:
    """Run a server with --access-log through three requests; its log records and port."""
    server = ServerProcess(
        {"WIDGET_DATA_DIR": str(data_dir), "WIDGET_NOW": NOW, **env},
        argv=[console_script(), "serve", "--access-log"],
    )
    with server:
        for target in (JSON, "/healthz", "/no-such-page?q=%22quoted%22"):
            http_get(server.port, target)
    return log_records(server.output()), server.port


def test_logs_are_json_lines_without_client_addresses(data_dir: Path) -> None:
    """Every log line is a JSON object; access records give method, path, status, no client."""
    records, port = access_log(data_dir, {})
    access = [record for record in records if record["logger"] == "uvicorn.access"]
    assert [(r["method"], r["path"], r["status"]) for r in access[-3:]] == [
        ("GET", JSON, 200),
        ("GET", "/healthz", 200),
        ("GET", "/no-such-page?q=%22quoted%22", 404),
    ]
    assert all("client" not in record for record in records)
    # The only address in the logs is the server's own (the "running on" line).
    text = json.dumps(records)
    assert {int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)", text)} <= {port}


def test_client_addresses_are_logged_only_when_asked(data_dir: Path) -> None:
    """WIDGET_LOG_CLIENT_IP=1 adds the client's address to access records."""
    records, _ = access_log(data_dir, {"WIDGET_LOG_CLIENT_IP": "1"})
    access = [record for record in records if record["logger"] == "uvicorn.access"]
    assert len(access) >= 3  # ours, after the start-up readiness probes
    assert all(str(record["client"]).startswith("127.0.0.1:") for record in access)
