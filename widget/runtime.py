"""How ``pauseai-widget serve`` runs: process-wide knobs, one server, or N workers.

Knobs turned once at start in every serving process, and why:

- **GIL switch interval** 0.5 ms (CPython: 5 ms): page renders run in a worker thread
  (``widget.render_pool``); when the event loop has a cached answer to send, it waits at
  most this long for the GIL.
- **``gc.freeze()``** after the app is built: the modules, templates and data loaded so
  far leave the cycle collector's reach, so a full collection walks only what requests
  created (its pauses under a flood of misses fell from 30-60 ms to under 15 ms).
- **glibc's mmap threshold** fixed at 64 KiB (glibc raises it as large blocks are freed):
  buffers of that size and more — read chunks held for a pipelining client, large
  response heads — go back to the operating system when freed, so memory taken by
  clients that flood and leave returns instead of staying in the heap.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
import multiprocessing
import multiprocessing.process
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import uvicorn

from widget import render_pool, worker_metrics
from widget.http_protocol import BACKLOG
from widget.metrics import Metrics

log = logging.getLogger("widget")

# uvicorn's own default, stated: an idle kept-alive connection is closed after 5 s.
KEEP_ALIVE_SECONDS = 5
STARTUP_FAILURE = 3  # uvicorn's exit code when the server could not start
SWITCH_INTERVAL = 0.0005
MMAP_THRESHOLD = 64 * 1024
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number


def tune() -> None:
    """Apply the knobs above (idempotent; ``mallopt`` only where glibc is the allocator)."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    gc.freeze()
    name = ctypes.util.find_library("c")
    if name and sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


# --- serving: one process, or a supervisor and N workers ---------------------------------


@dataclass(frozen=True)
class ServeOptions:
    """What ``pauseai-widget serve`` was asked for (picklable: workers receive it)."""

    host: str
    port: int
    proxy_headers: bool = False
    forwarded_allow_ips: str = "127.0.0.1"
    access_log: bool = False
    graceful_seconds: int = 20
    workers: int = 1


class WidgetServer(uvicorn.Server):
    """uvicorn's server, stopping the render workers once requests are done and, as one of
    several workers, writing its metrics snapshot once a second and when it stops."""

    def __init__(
        self,
        config: uvicorn.Config,
        metrics: Metrics,
        refresh: Callable[[], None],
        reload: Callable[[], Awaitable[bool]],
    ) -> None:
        super().__init__(config)
        self.metrics = metrics
        self.refresh = refresh  # sets the gauges /metrics sets before it renders
        self.reload = reload
        self.snapshots = worker_metrics.directory()
        # Set by a SIGHUP that came before the application's own handler was in place.
        self.reload_requested = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)  # the lifespan: the application's SIGHUP handler is set
        if self.reload_requested.is_set():
            log.info("SIGHUP during startup: reloading data")
            await self.reload()

    def snapshot(self) -> None:
        """Write this worker's samples for the others' scrapes (workers only)."""
        if self.snapshots is not None:
            self.refresh()
            worker_metrics.write_snapshot(self.metrics.registry, self.snapshots)

    async def on_tick(self, counter: int) -> bool:
        if counter % round(worker_metrics.SNAPSHOT_SECONDS * 10) == 0:
            self.snapshot()
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        render_pool.shutdown()
        self.snapshot()


def server_for(options: ServeOptions) -> WidgetServer:
    """The application built from the environment, behind a configured uvicorn server."""
    from widget.app import create_app
    from widget.http_protocol import HttpLimits, connection_cap, limited_protocol, raise_fd_limit
    from widget.logging_config import configure_logging
    from widget.settings import from_env

    settings = from_env()
    log_config = configure_logging(client_ip=settings.log_client_ip)
    app = create_app(settings)
    state = app.state.services

    def refresh() -> None:
        state.metrics.cache_entries.set(len(state.cache))
        state.metrics.cache_bytes.set(state.cache.bytes)
        state.metrics.data_events.set(len(state.data.catalog))

    tune()
    limits = HttpLimits(max_connections=connection_cap(raise_fd_limit(), BACKLOG))
    config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        http=limited_protocol(limits, app.fast_path),
        ws="none",
        backlog=BACKLOG,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        proxy_headers=options.proxy_headers,
        forwarded_allow_ips=options.forwarded_allow_ips,
        access_log=options.access_log,
        server_header=False,
        timeout_graceful_shutdown=options.graceful_seconds,
        log_level="info",
        log_config=log_config,
    )
    return WidgetServer(config, state.metrics, refresh, state.data.reload_async)


def worker_main(options: ServeOptions, sockets: list[socket.socket]) -> None:
    """One worker process: the whole application, serving the supervisor's socket."""
    # A SIGHUP before the application's own handler is set (while the data is loading) is
    # remembered and acted on once the server has started: it never kills the worker, and
    # never leaves it on data older than the signal.
    early = threading.Event()
    signal.signal(signal.SIGHUP, lambda number, frame: early.set())
    server = server_for(options)
    server.reload_requested = early
    server.run(sockets=sockets)
    sys.exit(0 if server.started else STARTUP_FAILURE)


class Supervisor:
    """``serve --workers N``: one listening socket, N worker processes sharing it.

    SIGHUP is passed on to every worker (each reloads its data, as a single process does);
    SIGTERM and SIGINT are passed on as SIGTERM (each finishes its requests in flight for
    up to ``--graceful-seconds``) and the supervisor waits for all of them. A worker that
    dies is replaced; one that fails to start stops the others (exit code 3).
    """

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[multiprocessing.process.BaseProcess] = []
        self.pending: list[int] = []  # signal numbers received, handled in order
        self.stopping = False

    def _start_worker(self, sockets: list[socket.socket]) -> multiprocessing.process.BaseProcess:
        worker = self.context.Process(target=worker_main, args=(self.options, sockets))
        worker.start()
        return worker

    def _signal_all(self, signum: int) -> None:
        for worker in self.workers:
            if worker.pid is not None and worker.is_alive():
                os.kill(worker.pid, signum)

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT; the exit code."""
        listening = socket.socket(socket.AF_INET6 if ":" in self.options.host else socket.AF_INET)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listening.bind((self.options.host, self.options.port))
        except OSError as error:
            log.error("cannot bind %s:%s: %s", self.options.host, self.options.port, error)
            return STARTUP_FAILURE
        listening.listen(BACKLOG)
        listening.set_inheritable(True)
        own_directory = None
        if worker_metrics.directory() is None:
            own_directory = tempfile.mkdtemp(prefix="pauseai-widget-metrics-")
            os.environ[worker_metrics.DIRECTORY_VARIABLE] = own_directory
        for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda number, frame: self.pending.append(number))
        log.info("supervisor %s: starting %s workers", os.getpid(), self.options.workers)
        sockets = [listening]
        self.workers = [self._start_worker(sockets) for _ in range(self.options.workers)]
        code = 0
        try:
            while not self.stopping:
                time.sleep(0.2)
                while self.pending:
                    received = self.pending.pop(0)
                    if received == signal.SIGHUP:
                        log.info("SIGHUP: passed on to every worker")
                        self._signal_all(signal.SIGHUP)
                    else:
                        self.stopping = True
                for index, worker in enumerate(self.workers):
                    if self.stopping or worker.is_alive():
                        continue
                    if worker.exitcode == STARTUP_FAILURE:
                        log.error("worker %s failed to start: stopping", worker.pid)
                        self.stopping, code = True, STARTUP_FAILURE
                        break
                    log.warning("worker %s exited (%s): replaced", worker.pid, worker.exitcode)
                    self.workers[index] = self._start_worker(sockets)
        finally:
            self._signal_all(signal.SIGTERM)
            deadline = time.monotonic() + self.options.graceful_seconds + 5
            for worker in self.workers:
                worker.join(max(deadline - time.monotonic(), 0.1))
                if worker.is_alive():
                    worker.kill()
                    worker.join()
            listening.close()
            if own_directory is not None:
                shutil.rmtree(own_directory, ignore_errors=True)
        return code
