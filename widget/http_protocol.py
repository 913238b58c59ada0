"""HTTP/1.1 limits for ``pauseai-widget serve``: uvicorn's httptools protocol, bounded.

uvicorn's httptools protocol reads any number of header bytes, gives a new connection all
the time in the world to send its request, and lets every connection hold a file
descriptor until the process runs out. ``limited_protocol(limits)`` returns a subclass
that adds what is missing and keeps what uvicorn already has:

==============================  ==========  ============================================
limit                           default     where
==============================  ==========  ============================================
whole head (line and fields)    25 KiB      here, while parsing: bytes are counted as
                                            they arrive, so nothing larger is buffered
                                            (414 if the target alone is too long, else
                                            431)
request line (the target)       8 KiB       here, once the head is complete: 414
header block                    16 KiB      here, once the head is complete: 431
header fields                   100         here, once the head is complete: 431
complete headers                10 s        here: from accept (or from the end of the
                                            previous response) to the end of the headers;
                                            a trickling client is closed at the deadline
                                            (drawn in 9-10 s, so a burst of connections
                                            does not close in one burst; one timer per
                                            server checks twice a second)
idle keep-alive                 5 s         uvicorn's ``timeout_keep_alive``
connections                     fd limit    here: the soft RLIMIT_NOFILE is raised to the
                                - backlog   hard limit at start (cap at most 10,000:
                                - 128       memory bounds it then); beyond the cap the
                                            connection idle longest is closed, and only
                                            when none is idle does the newcomer get 503
pipelined requests parsed       4           here: reading pauses, the rest stays unparsed
ahead of the one answering
write buffer per connection     64 KiB      uvloop's transport high-water mark; uvicorn's
                                            flow control makes a response wait for the
                                            client to read before it writes more
listen backlog                  2048        uvicorn's ``backlog``
==============================  ==========  ============================================

Why not uvicorn's ``limit_concurrency``: it answers 503 to *every* request once that many
connections are open, so a flood of idle connections would take ``/healthz`` down with
it — exactly what the cap here prevents by closing idle connections first. Why not h11:
its ``h11_max_incomplete_event_size`` bounds the header block, but it has no field count,
no header deadline and no connection cap either, and it parses in pure Python.

The checks run in four callbacks per request (reading, the start and the end of a head,
the end of a response), never once per header field: every extra Python call per request
costs a cached answer 1-2 % of its throughput, measured against uvicorn's own protocol
with both servers sharing one core (per-field checks and a shared idle registry updated
twice per request cost 18 %; these four, 12 %).

Ready answers are written here too. When a head is complete and the connection has
nothing in flight (no response being written, none queued, the writer not paused), a GET
on a kept-alive HTTP/1.1 connection asks the application's ``FastPath.ready_for``; an
answer that holds is written at once — status line, uvicorn's default headers (Date), the
remembered header lines serialized once as uvicorn's protocol serializes them, and the
cached body as it is — and the request never becomes a request cycle, a task or ASGI
messages. That is about 1.5x the requests per second of a bare ASGI app replaying the same
bytes through uvicorn (both servers sharing one core). With an access log, a root path,
HEAD, ``Connection: close`` or HTTP/1.0 everything goes through the cycle, as does an
answer whose headers name Connection or Transfer-Encoding, or lack Content-Length.

A request refused here gets its answer, then a half-close and a short linger that reads
and drops whatever the client still sends, so the client reads the status instead of a
connection reset.

What the limits did is counted in ``CONNECTIONS`` (process-wide: one server per process),
which ``/metrics`` exposes as ``widget_connections_open``,
``widget_connections_refused_total{status}`` (400, 414, 431, 503),
``widget_connections_evicted_total`` and ``widget_connections_head_timeouts_total``.
"""

from __future__ import annotations

import asyncio
import heapq
import random
import resource
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Protocol

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from widget.ready_answers import ReadyAnswer

# Bytes fed to the parser at a time. The head budget and the pipelining bound are checked
# between slices: the parser holds at most one slice beyond the budget, and one slice
# holds at most a few dozen pipelined requests (a request is at least 18 bytes).
SLICE = 512
# Method, spaces, "HTTP/1.1" and line ends the parser does not hand to callbacks.
FRAMING_ALLOWANCE = 1024
LINGER_SECONDS = 1.0
# uvicorn's default listen backlog, stated because the connection cap reserves room for it.
BACKLOG = 2048
# Idle connections closed by one walk over all of them when the cap is reached.
EVICTION_BATCH = 32


@dataclass(frozen=True)
class HttpLimits:
    """The bounds one server applies to every connection (see the module table)."""

    max_request_line: int = 8192
    max_header_bytes: int = 16384
    max_header_fields: int = 100
    header_timeout: float = 10.0
    max_connections: int = 10_000
    max_pipelined: int = 4
    write_high_water: int = 65536
    retry_after: int = 5

    @property
    def max_head_bytes(self) -> int:
        """All bytes of one request head, with the framing callbacks do not see."""
        return self.max_request_line + self.max_header_bytes + FRAMING_ALLOWANCE


def raise_fd_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit; returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return int(soft)


def connection_cap(fd_limit: int, backlog: int = BACKLOG, ceiling: int = 10_000) -> int:
    """Connections to keep open: below the fd limit by a reserve, at most ``ceiling``.

    The reserve covers a full listen backlog accepted in one go (the event loop accepts
    before any ``connection_made`` runs), plus the files, pipes and sockets the process
    itself needs (data reloads, logs, the worker pools).
    """
    reserve = backlog + 128
    return max(16, min(ceiling, fd_limit - reserve))


@dataclass
class ConnectionStats:
    """What the connection limits did in this process (read by ``widget.metrics``)."""

    open: int = 0
    evicted: int = 0
    head_timeouts: int = 0
    refused: dict[int, int] = field(default_factory=dict)

    def refuse(self, status: int) -> None:
        """Count one connection answered ``status`` and closed by a limit."""
        self.refused[status] = self.refused.get(status, 0) + 1


CONNECTIONS = ConnectionStats()


class Replayer(Protocol):
    """Where a connection finds finished answers to write itself (``widget.fast_path``)."""

    def ready_for(
        self, path: str, query: bytes, headers: list[tuple[bytes, bytes]]
    ) -> tuple[ReadyAnswer, bytes] | None:
        """The ready answer and its body for a GET, or None."""

    def replayed(self, ready: ReadyAnswer, started: float) -> None:
        """Record one answer written from ``ready_for``."""


def serialized_head(status: int, headers: list[tuple[bytes, bytes]]) -> bytes:
    """The header lines uvicorn's protocol writes for ``headers`` after its own default
    ones, and the blank line; b"" when an answer with them is not written here (no
    Content-Length on a status that has a body, or a Connection or Transfer-Encoding field:
    uvicorn would act on those)."""
    lines: list[bytes] = []
    length = False
    for name, value in headers:
        name = name.lower()
        if name in (b"connection", b"transfer-encoding"):
            return b""
        length = length or name == b"content-length"
        lines += [name, b": ", value, b"\r\n"]
    if not length and status not in (204, 304):
        return b""
    return b"".join([*lines, b"\r\n"])


class _NoWaiters:
    def set(self) -> None:
        """Nothing waits for a request answered by the connection itself."""


class _AnsweredHere:
    """Stands in for uvicorn's request cycle once a connection has written an answer
    itself: complete, and nothing reads its body or waits on it."""

    response_complete = True
    more_body = False
    message_event = _NoWaiters()


ANSWERED_HERE = _AnsweredHere()


class _Refused(Exception):
    """Raised from a parser callback: the request broke a limit (carries the status)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class IdleConnections:
    """Head deadlines and evictions over one server's connections.

    Nothing shared is touched per request: each connection keeps ``idle_since`` (the loop
    time it last became idle, None while a request is in progress) and its own
    ``patience`` (the header timeout, drawn up to a tenth shorter so that connections
    opened in one burst do not all close and reconnect in one burst). One timer per server
    walks the connections every ``header_timeout / 20`` (at most every half second) while
    any is open and closes those idle past their patience: a deadline is kept to within
    that. Evictions take the longest idle first, from a batch of the oldest found by one
    walk (valid until the next timer run), so a flood at the cap costs one walk per batch.
    """

    def __init__(self, header_timeout: float = HttpLimits.header_timeout) -> None:
        self.closing = 0  # evicted or refused, not yet gone
        self.header_timeout = header_timeout
        self.sweep_every = min(0.5, header_timeout / 20)
        self._sweep: asyncio.TimerHandle | None = None
        self._oldest: list[tuple[float, int, LimitedHttpToolsProtocol]] = []  # newest first

    def patience(self) -> float:
        """A new connection's time to send each request head (see the class docstring)."""
        return self.header_timeout * (1 - random.random() / 10)  # noqa: S311 - spreading

    def watch(self, connection: LimitedHttpToolsProtocol) -> None:
        """``connection`` is open: make sure the timer runs."""
        if self._sweep is None:
            loop = connection.loop
            self._sweep = loop.call_later(
                self.sweep_every, self._close_overdue, loop, connection.connections
            )

    def evict_oldest(self, connections: set[Any]) -> bool:
        """Close the connection idle longest; False when none is idle."""
        while True:
            if not self._oldest:
                idle = [(c.idle_since, id(c), c) for c in connections if c.idle_since is not None]
                self._oldest = heapq.nsmallest(EVICTION_BATCH, idle)[::-1]
                if not self._oldest:
                    return False
            since, _, connection = self._oldest.pop()
            if connection.idle_since == since and connection.evict():
                return True

    def _close_overdue(self, loop: asyncio.AbstractEventLoop, connections: set[Any]) -> None:
        self._sweep = None
        self._oldest = []
        now = loop.time()
        overdue = [
            c for c in connections if c.idle_since is not None and c.idle_since + c.patience <= now
        ]
        for connection in overdue:
            connection.head_deadline_passed()
        if connections:
            self._sweep = loop.call_later(self.sweep_every, self._close_overdue, loop, connections)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits of ``limits`` (set by the factory)."""

    limits: HttpLimits = HttpLimits()
    idle: IdleConnections = IdleConnections()
    replayer: Replayer | None = None

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.idle_since: float | None = None  # loop time; None while a request is in progress
        self.patience = self.idle.patience()
        self._head_bytes = 0
        self._reading_head = True
        self._held: bytearray | None = None
        self._max_head_bytes = self.limits.max_head_bytes
        self._max_pipelined = self.limits.max_pipelined
        self._refused = False
        self._evicted = False

    # --- connection lifetime --------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        CONNECTIONS.open += 1
        transport.set_write_buffer_limits(high=self.limits.write_high_water)
        over = len(self.connections) - self.idle.closing - self.limits.max_connections
        if over > 0 and not self.idle.evict_oldest(self.connections):
            self._refuse(503, "Too many connections, try again shortly.")
            return
        self.idle_since = self.loop.time()
        self.idle.watch(self)

    def connection_lost(self, exc: Exception | None) -> None:
        CONNECTIONS.open -= 1
        self.idle_since = None
        if self._refused or self._evicted:
            self.idle.closing -= 1
            self._refused = self._evicted = False
        self._held = None
        super().connection_lost(exc)

    def evict(self) -> bool:
        """Close this idle connection to make room; False if it is already closing."""
        if self.transport.is_closing() or self._refused or self._evicted:
            return False
        self._evicted = True
        self.idle_since = None
        CONNECTIONS.evicted += 1
        self.idle.closing += 1
        self.transport.close()
        return True

    # --- reading ---------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # lingering: read and drop
        self._unset_keepalive_if_required()
        if self._held is not None:
            # Reading is paused while bytes are held; at most one read races the pause.
            self._held.extend(data)
            self.flow.pause_reading()
            return
        self._feed(data)

    def _feed(self, data: bytes | bytearray) -> None:
        # Slicing copies only when the data is longer than a slice: a request that fits in
        # one (nearly every GET) is fed as it came.
        offset, size = 0, len(data)
        while offset < size:
            if len(self.pipeline) >= self._max_pipelined:
                self._held = bytearray(data[offset:])
                self.flow.pause_reading()
                return
            piece = data if size <= SLICE else data[offset : offset + SLICE]
            offset += len(piece)
            if self._reading_head:
                self._head_bytes += len(piece)
            try:
                self.parser.feed_data(piece)
            except httptools.HttpParserUpgrade:
                return  # uvicorn's way: the request is answered, the upgrade is not
            except httptools.HttpParserError as error:
                refused = error.__context__
                if isinstance(refused, _Refused):
                    self._refuse(refused.status, refused.message)
                else:
                    self.logger.warning("Invalid HTTP request received.")
                    self._refuse(400, "Invalid HTTP request received.")
                return
            if self.transport.is_closing() or self.parser is None:
                return
            if self._reading_head and self._head_bytes > self._max_head_bytes:
                if len(self.url) > self.limits.max_request_line:
                    self._refuse(414, "URI too long.")
                else:
                    self._refuse(431, "Request header fields too large.")
                return

    def on_message_begin(self) -> None:
        # A new head starts (the slice it starts in is not counted: the head's own bounds
        # are checked once it is complete, the count bounds what is buffered until then).
        super().on_message_begin()
        self._head_bytes = 0
        self._reading_head = True

    def on_headers_complete(self) -> None:
        # The line and the fields are checked once, here, not per field as they arrive:
        # until now the head budget bounded what the parser could buffer. A field costs
        # its name, its value, ": " and CRLF; the sum is taken only when the bytes read
        # could exceed the bound at all.
        limits = self.limits
        if len(self.url) > limits.max_request_line:
            raise _Refused(414, "URI too long.")
        headers = self.headers
        if len(headers) > limits.max_header_fields:
            raise _Refused(431, "Too many request header fields.")
        if self._head_bytes > limits.max_header_bytes and (
            sum(len(name) + len(value) + 4 for name, value in headers) > limits.max_header_bytes
        ):
            raise _Refused(431, "Request header fields too large.")
        self._reading_head = False
        self.idle_since = None
        if self.replayer is None or not self._replay():
            super().on_headers_complete()

    def _replay(self) -> bool:
        """Write the answer the normal stack gave this very request before, if it holds:
        no request cycle, no task, no ASGI messages (a GET on a kept-alive HTTP/1.1
        connection with nothing in flight before it, no access log, no root path)."""
        cycle = self.cycle
        parser = self.parser
        if (
            self.pipeline
            or (cycle is not None and not cycle.response_complete)
            or self.flow.write_paused
            or self.access_log
            or self.root_path
            or parser.get_method() != b"GET"
            or parser.get_http_version() != "1.1"
            or not parser.should_keep_alive()
            or parser.should_upgrade()
        ):
            return False
        started = time.perf_counter()
        try:  # the path as uvicorn puts it in the scope
            url = httptools.parse_url(self.url)
            path = url.path.decode("ascii")
        except (httptools.HttpParserInvalidURLError, UnicodeDecodeError):
            return False
        if "%" in path:
            path = urllib.parse.unquote(path)
        assert self.replayer is not None
        found = self.replayer.ready_for(path, url.query or b"", self.headers)
        if found is None:
            return False
        ready, body = found
        head = ready.wire
        if head is None:
            head = ready.wire = serialized_head(ready.status, ready.headers)
        if not head:
            return False
        parts = [STATUS_LINE[ready.status]]
        for name, value in self.server_state.default_headers:
            parts += [name, b": ", value, b"\r\n"]
        parts.append(head)
        # The body goes as it is: a client slow to read leaves references to the cached
        # bytes in the write buffer, not copies of them.
        self.transport.writelines([b"".join(parts), body])
        self.cycle = ANSWERED_HERE  # type: ignore[assignment]
        self.replayer.replayed(ready, started)
        self.on_response_complete()
        return True

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self._held is not None:
            self.flow.pause_reading()  # uvicorn resumed it; held bytes come first
        if not self.pipeline:
            self.idle_since = self.loop.time()
        if self._held is not None and len(self.pipeline) < self.limits.max_pipelined:
            held, self._held = self._held, None
            self._unset_keepalive_if_required()
            self._feed(held)
            if self._held is None and not self.transport.is_closing() and self.idle_now:
                self.timeout_keep_alive_task = self.loop.call_later(
                    self.timeout_keep_alive, self.timeout_keep_alive_handler
                )

    @property
    def idle_now(self) -> bool:
        """No request in progress or queued on this connection."""
        return (self.cycle is None or self.cycle.response_complete) and not self.pipeline

    # --- deadlines and refusals ------------------------------------------------------------

    def head_deadline_passed(self) -> None:
        """The head did not arrive in time (called by ``IdleConnections``): close."""
        if self.idle_now and not self.transport.is_closing():
            CONNECTIONS.head_timeouts += 1
            self.transport.close()

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with Connection: close, half-close, then linger briefly."""
        if self._refused or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A response is being written: a status line now would corrupt it.
            self.transport.close()
            return
        self._refused = True
        CONNECTIONS.refuse(status)
        self.idle.closing += 1
        self.idle_since = None
        self._unset_keepalive_if_required()
        self._held = None
        self.pipeline.clear()
        body = message.encode("ascii")
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"cache-control: no-store\r\n",
            b"connection: close\r\n",
        ]
        if status == 503:
            head.append(b"retry-after: " + str(self.limits.retry_after).encode("ascii") + b"\r\n")
        self.transport.write(b"".join([*head, b"\r\n", body]))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.flow.resume_reading()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def eof_received(self) -> None:
        if self._refused:
            self.transport.close()


def limited_protocol(
    limits: HttpLimits, replayer: Replayer | None = None
) -> type[LimitedHttpToolsProtocol]:
    """A protocol class for ``uvicorn.Config(http=...)`` applying ``limits``, with its own
    registry of idle connections (one per server), writing ``replayer``'s ready answers."""
    return type(
        "WidgetHttpProtocol",
        (LimitedHttpToolsProtocol,),
        {
            "limits": limits,
            "idle": IdleConnections(limits.header_timeout),
            "replayer": replayer,
        },
    )
