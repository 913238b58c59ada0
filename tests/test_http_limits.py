"""HTTP limits of a real ``pauseai-widget serve`` process, and render saturation.

Each break of issue 14 that is about HTTP becomes a test against the server process on
127.0.0.1: oversized request lines and header blocks, too many header fields, idle and
trickling connections, pipelining clients that never read, floods of connections, of
card renders and of cache misses. Timings are bounded; the load stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bench.generated_data import write_catalog
from tests.bench.server_process import ServerProcess, console_script, fetch
from widget.documents.oembed import CARD_WIDTHS, card_width
from widget.http_protocol import BACKLOG, HttpLimits, connection_cap

LIMITS = HttpLimits()
NOW = "2029-12-01T12:00:00+00:00"
REPOSITORY = Path(__file__).resolve().parent.parent


def raw_exchange(port: int, request: bytes, timeout: float = 10.0) -> bytes:
    """Send ``request`` on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        with contextlib.suppress(OSError):
            connection.sendall(request)
        received = b""
        with contextlib.suppress(OSError):
            while chunk := connection.recv(65536):
                received += chunk
        return received


def status_of(response: bytes) -> int:
    """The status code of a raw response (0 when there is none)."""
    if not response.startswith(b"HTTP/1.1 "):
        return 0
    return int(response.split(b" ", 2)[1])


def headers_of(response: bytes) -> dict[str, str]:
    """The header fields of a raw response, names lower-cased."""
    head = response.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
    return {
        name.lower(): value.strip() for name, _, value in (line.partition(":") for line in head)
    }


def scraped(port: int, name: str) -> float:
    """The value of the sample ``name`` (with its labels, as exposed) on /metrics."""
    status, _, body = fetch(port, "/metrics")
    assert status == 200
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not on /metrics")


@pytest.fixture(scope="module")
def slugs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A catalog of 30 generated events (enough distinct cards for a flood)."""
    root = tmp_path_factory.mktemp("limits") / "data"
    return root, write_catalog(root, 30, 5)


@pytest.fixture(scope="module")
def server(slugs: tuple[Path, list[str]]) -> Iterator[ServerProcess]:
    """One server for the tests that do not need a process of their own."""
    root, _ = slugs
    with ServerProcess({"WIDGET_DATA_DIR": str(root), "WIDGET_NOW": NOW}) as process:
        yield process


# --- pure parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fd_limit", "expected"),
    [
        (20_000, 10_000),  # the ceiling: memory, not descriptors, bounds it then
        (3_000, 3_000 - BACKLOG - 128),
        (1_024, 16),  # a tiny limit still serves a few connections
    ],
)
def test_connection_cap_stays_below_the_descriptor_limit(fd_limit: int, expected: int) -> None:
    """The cap leaves room for a full listen backlog and the process's own files."""
    assert connection_cap(fd_limit) == expected


@pytest.mark.parametrize(
    ("requested", "served"),
    [(1200, 1200), (1199, 600), (600, 600), (599, 300), (300, 300), (40, 37), (1, 1)],
)
def test_card_widths_are_rounded_down_to_a_few(requested: int, served: int) -> None:
    """Any requested width maps to one of CARD_WIDTHS, never wider than asked."""
    assert card_width(requested) == served
    assert served in CARD_WIDTHS


# --- request line and header block -------------------------------------------------------------


@pytest.mark.slow
def test_a_request_line_too_long_is_414(server: ServerProcess) -> None:
    """A target longer than 8 KiB is answered 414 and the connection closed."""
    target = "/embed/next?x=" + "a" * LIMITS.max_request_line
    counted = 'widget_connections_refused_total{status="414"}'
    before = scraped(server.port, counted)
    response = raw_exchange(server.port, f"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n".encode())
    assert status_of(response) == 414
    assert scraped(server.port, counted) == before + 1
    assert headers_of(response)["connection"] == "close"
    # A target longer than the whole head budget is refused while it arrives: 414 too.
    huge = "/embed/next?x=" + "a" * (LIMITS.max_head_bytes * 2)
    response = raw_exchange(server.port, f"GET {huge} HTTP/1.1\r\nHost: h\r\n\r\n".encode())
    assert status_of(response) == 414
    assert scraped(server.port, counted) == before + 2
    # Just under the limit is still served.
    ok = "/embed/next?x=" + "a" * (LIMITS.max_request_line - 100)
    assert status_of(raw_exchange(server.port, request(ok))) == 200


def request(target: str, *fields: str) -> bytes:
    """A GET with ``fields`` that closes the connection after the response."""
    lines = [f"GET {target} HTTP/1.1", "Host: h", *fields, "Connection: close", "", ""]
    return "\r\n".join(lines).encode()


@pytest.mark.slow
def test_101_header_fields_are_431_and_100_are_served(server: ServerProcess) -> None:
    """At most 100 header fields (Host and Connection count too)."""
    at_limit = [f"X-{n}: y" for n in range(LIMITS.max_header_fields - 2)]
    assert status_of(raw_exchange(server.port, request("/healthz", *at_limit))) == 200
    over = raw_exchange(server.port, request("/healthz", *at_limit, "X-last: y"))
    assert status_of(over) == 431


@pytest.mark.slow
def test_a_header_block_over_16_kib_is_431(server: ServerProcess) -> None:
    """Many fields adding up to more than 16 KiB, and one giant field: both 431."""
    many = [f"X-{n}: {'b' * 400}" for n in range(45)]
    counted = 'widget_connections_refused_total{status="431"}'
    before = scraped(server.port, counted)
    assert status_of(raw_exchange(server.port, request("/healthz", *many))) == 431
    giant = f"X-giant: {'b' * 40_000}"
    assert status_of(raw_exchange(server.port, request("/healthz", giant))) == 431
    assert scraped(server.port, counted) == before + 2


@pytest.mark.slow
def test_100_mb_of_header_lines_are_431_without_memory_growth(server: ServerProcess) -> None:
    """Ten clients each sending up to 100 MB of header lines get 431; memory stays flat."""
    before = server.rss_kib()
    line = b"X-Padding: " + b"p" * 1000 + b"\r\n"
    block = line * 1000  # about 1 MB

    def attack() -> bytes:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            received: list[bytes] = []

            def read() -> None:
                with contextlib.suppress(OSError):
                    while chunk := connection.recv(65536):
                        received.append(chunk)

            reader = threading.Thread(target=read)
            reader.start()
            with contextlib.suppress(OSError):
                connection.sendall(b"GET /embed/next HTTP/1.1\r\nHost: h\r\n")
                for _ in range(100):
                    connection.sendall(block)
            reader.join(10)
            return b"".join(received)

    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(attack())) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [status_of(response) for response in results] == [431] * 10
    growth_mib = (server.rss_kib() - before) / 1024
    print(f"RSS growth after 10 x 100 MB header floods: {growth_mib:.1f} MiB")
    assert growth_mib < 20, f"memory grew by {growth_mib:.1f} MiB"
    assert fetch(server.port, "/healthz")[0] == 200


# --- deadlines ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_silent_and_trickling_connections_are_closed_at_the_header_deadline(
    server: ServerProcess,
) -> None:
    """A connection that sends nothing, and one that trickles a header byte every 0.5 s,
    are both closed within the 10 s header deadline (plus scheduling slack)."""
    deadline = LIMITS.header_timeout
    before = scraped(server.port, "widget_connections_head_timeouts_total")

    def lifetime(trickle: bool) -> float:
        with socket.create_connection(("127.0.0.1", server.port), timeout=1) as connection:
            started = time.monotonic()
            if trickle:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
            while time.monotonic() - started < deadline + 5:
                try:
                    if connection.recv(1) == b"":
                        return time.monotonic() - started
                except TimeoutError:
                    pass
                except OSError:
                    return time.monotonic() - started
                if trickle:
                    with contextlib.suppress(OSError):
                        connection.send(b"a")
            return float("inf")

    lifetimes: dict[bool, float] = {}
    threads = [
        threading.Thread(target=lambda t=trickle: lifetimes.__setitem__(t, lifetime(t)))
        for trickle in (False, True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(deadline + 10)
    print(f"closed after {lifetimes[False]:.1f} s (silent), {lifetimes[True]:.1f} s (trickling)")
    for trickle in (False, True):
        assert deadline * 0.85 <= lifetimes[trickle] <= deadline + 2, (trickle, lifetimes)
    assert scraped(server.port, "widget_connections_head_timeouts_total") >= before + 2


# --- pipelining clients that never read ---------------------------------------------------------


@pytest.mark.slow
def test_pipelined_requests_are_all_answered_in_order(server: ServerProcess) -> None:
    """200 requests sent in one go (more than are parsed ahead) get 200 answers, in order,
    and the connection then stays usable."""
    targets = [f"/healthz?n={n}" if n % 2 else "/embed.js" for n in range(200)]
    burst = "".join(f"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n" for target in targets)

    async def exchange() -> list[tuple[int, str]]:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(burst.encode())
        answers = []
        for _ in targets:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            length = int(headers_of(head)["content-length"])
            await reader.readexactly(length)
            answers.append((status_of(head), headers_of(head)["content-type"]))
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        last = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        answers.append((status_of(last), headers_of(last)["content-type"]))
        return answers

    answers = asyncio.run(exchange())
    kinds = ["application/json" if "healthz" in t else "text/javascript" for t in targets]
    assert [status for status, _ in answers] == [200] * 201
    assert [kind.split(";")[0] for _, kind in answers[:-1]] == kinds


@pytest.mark.slow
def test_pipelining_clients_that_never_read_leave_no_memory_behind(
    server: ServerProcess, slugs: tuple[Path, list[str]]
) -> None:
    """300 clients each pipelining 2,000 widget requests without reading: memory stays
    bounded while they wait and returns once they leave."""
    _, names = slugs
    target = f"/embed/{names[0]}?lang=en"
    fetch(server.port, target)  # cached: the flood measures buffering, not rendering
    before = server.rss_kib()
    burst = f"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n".encode() * 2000
    clients = []
    for _ in range(300):
        connection = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        connection.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            connection.send(burst)
        clients.append(connection)
    time.sleep(3)
    during_mib = (server.rss_kib() - before) / 1024
    assert fetch(server.port, "/healthz")[0] == 200
    for connection in clients:
        connection.close()
    time.sleep(3)
    after_mib = (server.rss_kib() - before) / 1024
    print(f"RSS growth with 300 stuck pipeliners: {during_mib:.1f} MiB, after: {after_mib:.1f}")
    assert during_mib < 50
    assert after_mib < 20


# --- connection floods ---------------------------------------------------------------------------


@pytest.mark.slow
def test_2000_idle_connections_do_not_stop_healthz(slugs: tuple[Path, list[str]]) -> None:
    """With descriptors for only ~800 connections, 2,000 idle ones are opened: the oldest
    idle ones are closed to make room, /healthz answers every probe, no EMFILE."""
    root, _ = slugs
    fd_limit = 3000
    cap = connection_cap(fd_limit)
    argv = ["prlimit", f"--nofile={fd_limit}:{fd_limit}", console_script(), "serve"]
    env = {"WIDGET_DATA_DIR": str(root), "WIDGET_NOW": NOW}
    with ServerProcess(env, argv=argv) as server:
        idle: list[socket.socket] = []
        probes: list[int] = []
        for batch in range(20):
            for _ in range(100):
                with contextlib.suppress(OSError):
                    idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
            probes.append(fetch(server.port, "/healthz", timeout=5)[0])
            assert batch < 19 or len(idle) == 2000
        open_on_server = len(list(Path(f"/proc/{server.pid}/fd").iterdir()))
        evicted = scraped(server.port, "widget_connections_evicted_total")
        open_counted = scraped(server.port, "widget_connections_open")
        for connection in idle:
            connection.close()
        output = server.output()
    print(f"cap {cap}, server descriptors at 2,000 idle clients: {open_on_server}")
    assert probes == [200] * 20
    assert open_on_server < fd_limit - BACKLOG
    # The cap is enforced by closing the idle connections longest open: /metrics says so.
    assert evicted >= 2000 - cap
    assert open_counted <= cap + 1
    assert "Too many open files" not in output and "EMFILE" not in output


# --- renders -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_card_flood_gets_503_with_retry_after_and_no_other_5xx(
    server: ServerProcess, slugs: tuple[Path, list[str]]
) -> None:
    """120 distinct card misses at once: each is a 200 or a 503 with Retry-After."""
    _, names = slugs
    targets = [
        f"/events/{slug}.png?lang={lang}&w={width}"
        for slug in names[-4:]
        for lang in ("en", "nl", "de")
        for width in CARD_WIDTHS[:10]
    ]

    async def one(target: str) -> tuple[int, dict[str, str]]:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(request(target))
        raw = await asyncio.wait_for(reader.read(), 60)
        writer.close()
        return status_of(raw), headers_of(raw)

    async def flood() -> list[tuple[int, dict[str, str]]]:
        return list(await asyncio.gather(*(one(target) for target in targets)))

    answers = asyncio.run(flood())
    statuses = [status for status, _ in answers]
    print(f"card flood: {statuses.count(200)} x 200, {statuses.count(503)} x 503")
    assert set(statuses) <= {200, 503}
    assert 503 in statuses and 200 in statuses
    assert all(headers["retry-after"].isdigit() for status, headers in answers if status == 503)
    assert fetch(server.port, "/healthz")[0] == 200
    refused = scraped(server.port, 'widget_renders_refused_total{kind="cards"}')
    assert refused >= statuses.count(503)
    assert scraped(server.port, 'widget_renders_in_progress{kind="cards"}') == 0


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


@pytest.mark.slow
def test_cached_widgets_stay_fast_under_a_combined_flood(slugs: tuple[Path, list[str]]) -> None:
    """Misses, card renders and 2,000 idle connections for 20 s at once: every /healthz probe
    is answered and cached widgets stay fast (p99 printed; bound below), measured from
    another process."""
    root, names = slugs
    env = {"WIDGET_DATA_DIR": str(root), "WIDGET_NOW": NOW}
    with ServerProcess(env) as server:
        target = f"/embed/{names[0]}?lang=en"
        fetch(server.port, target)
        fetch(server.port, f"/events/{names[0]}.png")  # the card worker is up
        flood = subprocess.Popen(
            [
                *("nice", "-n", "10", sys.executable, "-m", "tests.bench.flood"),
                *(str(server.port), "20", "--idle", "2000", "--misses", "4", "--cards", "4"),
                *("--slugs", ",".join(names)),
            ],
            cwd=REPOSITORY,
            stdout=subprocess.PIPE,
        )
        try:
            time.sleep(2)  # the flood is up
            latencies: list[float] = []
            probes: list[int | str] = []
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            next_probe = 0.0
            finish = time.monotonic() + 16
            while time.monotonic() < finish:
                started = time.perf_counter()
                connection.request("GET", target)
                answer = connection.getresponse()
                answer.read()
                latencies.append((time.perf_counter() - started) * 1000)
                assert answer.status == 200
                if time.monotonic() >= next_probe:
                    next_probe = time.monotonic() + 0.25
                    try:
                        probes.append(fetch(server.port, "/healthz", timeout=5)[0])
                    except OSError as error:
                        probes.append(repr(error))
                time.sleep(0.01)
            connection.close()
            report = json.loads(flood.communicate(timeout=60)[0])
        finally:
            flood.kill()
            flood.wait()
        output = server.output()
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    print(
        f"cached widget under the combined flood: n={len(latencies)} p50={p50:.2f} ms "
        f"p99={p99:.2f} ms max={max(latencies):.1f} ms; /healthz {len(probes)} probes; "
        f"flood {report}"
    )
    assert probes == [200] * len(probes)
    assert set(report["misses"]) <= {"200", "503"}, report
    assert set(report["cards"]) <= {"200", "503"}, report
    assert "Traceback" not in output
    # Measured 7.3-7.5 ms on this 2-core machine (the flood, the card worker and this client
    # share the cores with the server): back-to-back page renders rest twice as long as they
    # took (widget.render_pool.Pacer), so the event loop holds the GIL most of the time.
    # Without the rest, 11-18 ms; with renders on the event loop, 130-206 ms.
    assert p99 <= 10, f"cached widget p99 {p99:.2f} ms"
