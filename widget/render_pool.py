"""Renders off the event loop, bounded, so cached answers never wait behind them.

A cache miss renders; a hit is a dictionary lookup. If misses rendered on the event loop,
a flood of them (distinct accents, languages, card widths) would make every hit wait.
So every render runs in a worker, through a ``RenderGate`` that admits at most
``workers + queue`` renders at once and answers the rest ``503`` with ``Retry-After``
(``widget.errors.Saturated``); the body cache's single flight means a gate counts
distinct renders, not requests.

- **Pages** (widget, publish page, event page, JSON, iCalendar, oEmbed): one worker
  thread. Jinja is pure Python, so the thread still needs the GIL; ``widget.runtime``
  shortens the switch interval so that it hands the GIL back to the event loop within
  half a millisecond whenever the loop has work. (Not at a lower CPU priority: a thread
  descheduled while it holds the GIL would stall the loop — measured, up to 300 ms.)
  Renders that queue up are paced (``Pacer``): each is followed by a rest twice as long
  as it took, so a flood of misses holds the GIL at most a third of the time.
  Under a flood of misses, card renders and 2,000 idle connections, cached widgets
  answered with p99 7.3-7.5 ms paced, 11-18 ms unpaced (``tests/test_http_limits.py``).
- **Share cards**: one worker *process*. Pillow holds the GIL through text drawing and
  PNG encoding for tens of milliseconds at a time (with a thread, the loop stalled for up
  to 150 ms); a process shares no GIL with the loop. It starts on the first card render,
  at a lower CPU priority (niceness 10) than the server.

The executors belong to the process (one server per process, and tests build many apps);
the gates belong to each application.
"""

from __future__ import annotations

import asyncio
import contextvars
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from widget.errors import Saturated

RENDER_NICENESS = 10
RETRY_AFTER = 5
PAGE_WORKERS = 1
PAGE_QUEUE = 64
# Back to back, a page render is followed by a rest twice as long as it took: a flood of
# misses gets at most a third of the GIL, the event loop the rest (see ``Pacer``).
PAGE_REST = 2.0
CARD_WORKERS = 1
CARD_QUEUE = 32

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_executors: dict[str, Executor] = {}


def _card_worker_started() -> None:
    # Ctrl+C reaches the whole process group: the server shuts the pool down itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Cards are background work: on a busy machine the event loop's process goes first.
    os.nice(RENDER_NICENESS)
    # A server killed without shutting the pool down (SIGKILL, a re-raised SIGTERM) must
    # not leave its worker behind: the worker holds its own queue's pipe open, so it
    # would never see the end of it.
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _executor(kind: str) -> Executor:
    with _lock:
        found = _executors.get(kind)
        if found is None:
            if kind == "cards":
                found = ProcessPoolExecutor(
                    CARD_WORKERS,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_card_worker_started,
                )
            else:
                found = ThreadPoolExecutor(PAGE_WORKERS, thread_name_prefix="render")
            _executors[kind] = found
        return found


def shutdown() -> None:
    """Stop this process's render workers (the server calls this as it shuts down)."""
    with _lock:
        executors = list(_executors.values())
        _executors.clear()
    for executor in executors:
        executor.shutdown(wait=False, cancel_futures=True)


class Pacer:
    """Spaces renders that queue up: after one that took ``d`` seconds, the next starts no
    sooner than ``rest * d`` later — when others are waiting. A render with none queued
    behind it (an occasional miss, one client rendering page after page) never waits;
    under a flood, renders hold the GIL at most ``1 / (1 + rest)`` of the time, and the
    event loop, which needs it for every cached answer, waits for it that much less (the
    queue fills sooner and the rest get 503 + Retry-After: cached answers first)."""

    def __init__(self, rest: float) -> None:
        self.rest = rest
        self.ready_at = 0.0

    def run(self, function: Callable[[], T], crowded: Callable[[], bool] = lambda: True) -> T:
        """``function()``, after the rest the previous render earned if ``crowded()`` says
        renders are queued (call from one thread)."""
        wait = self.ready_at - time.perf_counter()
        if wait > 0 and crowded():
            time.sleep(wait)
        started = time.perf_counter()
        try:
            return function()
        finally:
            ended = time.perf_counter()
            self.ready_at = ended + (ended - started) * self.rest


_page_pacer = Pacer(PAGE_REST)


def _forget_broken(kind: str, broken: Executor) -> None:
    with _lock:
        if _executors.get(kind) is broken:
            del _executors[kind]
    broken.shutdown(wait=False, cancel_futures=True)


@dataclass
class RenderGate:
    """At most ``workers + queue`` renders of one kind in progress; beyond, ``Saturated``."""

    kind: str
    workers: int
    queue: int
    admitted: int = 0
    refused: int = 0

    @property
    def capacity(self) -> int:
        """Renders admitted at once (running plus waiting)."""
        return self.workers + self.queue

    def _crowded(self) -> bool:
        """More than one render admitted: others wait behind the one starting."""
        return self.admitted > 1

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``function(*args)`` in this kind's worker, or Saturated when the gate is full."""
        if self.admitted >= self.capacity:
            self.refused += 1
            raise Saturated("Busy rendering; please retry shortly.", retry_after=RETRY_AFTER)
        self.admitted += 1
        try:
            executor = _executor(self.kind)
            loop = asyncio.get_running_loop()
            if isinstance(executor, ThreadPoolExecutor):
                context = contextvars.copy_context()
                call = loop.run_in_executor(
                    executor,
                    lambda: _page_pacer.run(
                        lambda: context.run(function, *args, **kwargs), self._crowded
                    ),
                )
            else:  # a process: the function and its arguments travel pickled
                call = asyncio.wrap_future(executor.submit(function, *args, **kwargs))
            try:
                return await call
            except BrokenProcessPool:
                _forget_broken(self.kind, executor)
                raise Saturated("The renderer restarted; please retry.", retry_after=1) from None
        finally:
            self.admitted -= 1


@dataclass
class Renders:
    """The render gates of one application."""

    pages: RenderGate = field(default_factory=lambda: RenderGate("pages", PAGE_WORKERS, PAGE_QUEUE))
    cards: RenderGate = field(default_factory=lambda: RenderGate("cards", CARD_WORKERS, CARD_QUEUE))
