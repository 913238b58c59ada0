"""Answers written by the connection itself (``widget.http_protocol``): byte for byte what
the normal stack sent, and only where no request cycle could tell the difference.

A real uvicorn server runs in a thread on the application; each test talks to it through
raw sockets on 127.0.0.1, so the bytes compared are the bytes on the wire.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn

from tests.bench import traffic_mix
from tests.bench.server_process import free_port
from widget.app import WidgetApp, create_app
from widget.fast_path import FastPath
from widget.http_protocol import HttpLimits, limited_protocol
from widget.settings import Settings

from conftest import PUBLIC_URL, SAMPLE_SLUG

pytestmark = pytest.mark.slow

EMBED = f"/embed/{SAMPLE_SLUG}?lang=en"
DATE = re.compile(rb"\r\ndate: [^\r]*")


@dataclass
class Counting:
    """The fast path, counting the answers the connection wrote itself."""

    fast_path: FastPath
    written: int = 0
    paths: list[str] = field(default_factory=list)

    def ready_for(self, path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> Any:
        found = self.fast_path.ready_for(path, query, headers)
        if found is not None:
            self.written += 1
            self.paths.append(path)
        return found

    def replayed(self, ready: Any, started: float) -> None:
        self.fast_path.replayed(ready, started)


@dataclass
class Running:
    port: int
    app: WidgetApp
    counting: Counting


@pytest.fixture
def running(settings: Settings) -> Iterator[Running]:
    """uvicorn on the application, with the connection-level replay counted."""
    app = create_app(settings)
    counting = Counting(app.fast_path)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http=limited_protocol(HttpLimits(), counting),  # type: ignore[arg-type]
        loop="uvloop",
        ws="none",
        access_log=False,
        log_config=None,  # pytest's log capture stays
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield Running(port, app, counting)
    finally:
        server.should_exit = True
        thread.join(10)


def request(target: str, headers: dict[str, str] | None = None, method: str = "GET") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: widget.example.org"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join([*lines, "", ""])).encode("latin-1")


def read_response(connection: socket.socket, head_only: bool = False) -> bytes:
    """One whole response (by its Content-Length), Date taken out."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"closed after {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = re.search(rb"\r\ncontent-length: (\d+)", head)
    size = 0 if head_only or length is None else int(length.group(1))
    while len(rest) < size:
        chunk = connection.recv(65536)
        assert chunk
        rest += chunk
    assert len(rest) == size, "more bytes than the answer"
    return DATE.sub(b"", head) + b"\r\n\r\n" + rest


def connect(running: Running) -> socket.socket:
    """A connection to the server, with uvicorn's access log off as ``serve`` has it: a
    connection decides by whether that logger has handlers, and pytest's log capture adds
    its own to it while a test runs (a connection with an access log never writes here)."""
    logging.getLogger("uvicorn.access").handlers = []
    return socket.create_connection(("127.0.0.1", running.port), timeout=10)


def test_every_answer_of_the_traffic_mix_written_by_the_connection_is_the_normal_stacks(
    running: Running,
) -> None:
    """Each distinct request of the bench's mix, asked twice on one connection: the second
    answer is written by the connection, and equals the first (the normal stack's) byte
    for byte, Date aside."""
    distinct = {(r.target, r.accept_language): r for r in traffic_mix.requests(3000, PUBLIC_URL)}
    assert {r.kind for r in distinct.values()} == set(traffic_mix.SHARES)
    with connect(running) as connection:
        for mix_request in distinct.values():
            ask = request(mix_request.target, mix_request.headers)
            connection.sendall(ask)
            first = read_response(connection)
            assert first.startswith(b"HTTP/1.1 200 "), (mix_request, first[:200])
            written = running.counting.written
            connection.sendall(ask)
            again = read_response(connection)
            assert running.counting.written == written + 1, f"not written here: {mix_request}"
            assert again == first, mix_request


def test_replayed_answers_are_counted_like_the_normal_stacks(running: Running) -> None:
    """Requests, statuses and cache hits in /metrics include the answers written here."""
    series = running.app.state.services.metrics.stats.route("embed")
    with connect(running) as connection:
        for _ in range(5):
            connection.sendall(request(EMBED))
            read_response(connection)
    assert running.counting.written == 4
    assert series.by_status[1] == 5
    assert series.hits >= 4


def test_pipelined_requests_keep_their_order_around_answers_written_here(
    running: Running,
) -> None:
    """A ready answer, a request for the normal stack, and a ready answer again, sent in
    one write: three answers, in order."""
    with connect(running) as connection:
        connection.sendall(request(EMBED))
        ready = read_response(connection)
        connection.sendall(request("/embed.js"))
        script = read_response(connection)
        running.counting.written = 0
        connection.sendall(request(EMBED) + request("/healthz") + request("/embed.js"))
        answers = [read_response(connection) for _ in range(3)]
    assert answers[0] == ready
    assert b'"status":"ok"' in answers[1] or b"ok" in answers[1].split(b"\r\n\r\n", 1)[1]
    assert answers[2] == script
    assert running.counting.written >= 1  # the first; the last one too once the cycle is done


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (request(EMBED, method="HEAD"), "HEAD"),
        (request(EMBED, {"Connection": "close"}), "Connection: close"),
        (request(EMBED).replace(b"HTTP/1.1", b"HTTP/1.0", 1), "HTTP/1.0"),
    ],
)
def test_only_kept_alive_http11_gets_go_this_way(running: Running, raw: bytes, why: str) -> None:
    """HEAD, a closing connection and HTTP/1.0 go through the request cycle."""
    with connect(running) as warm:
        warm.sendall(request(EMBED))
        read_response(warm)
    running.counting.written = 0
    with connect(running) as connection:
        connection.sendall(raw)
        answer = read_response(connection, head_only=why == "HEAD")
    assert answer.startswith((b"HTTP/1.1 200 ", b"HTTP/1.0 200 ")), why
    assert running.counting.written == 0, why
    if why == "HEAD":
        assert answer.endswith(b"\r\n\r\n")


def test_a_switched_off_fast_path_writes_nothing_here(running: Running) -> None:
    """With replay off (as tests compare), every request goes through the cycle."""
    running.app.fast_path.enabled = False
    with connect(running) as connection:
        for _ in range(3):
            connection.sendall(request(EMBED))
            assert read_response(connection).startswith(b"HTTP/1.1 200 ")
    assert running.counting.written == 0


def test_with_an_access_log_every_request_goes_through_the_cycle(running: Running) -> None:
    """uvicorn logs each request a cycle answers: with its access log on, nothing is
    written here, so no request is missing from the log."""
    with connect(running) as connection:
        connection.sendall(request(EMBED))
        read_response(connection)
    running.counting.written = 0
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler := logging.NullHandler())
    try:
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as connection:
            for _ in range(3):
                connection.sendall(request(EMBED))
                assert read_response(connection).startswith(b"HTTP/1.1 200 ")
    finally:
        access.removeHandler(handler)
    assert running.counting.written == 0
