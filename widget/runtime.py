"""Process-wide knobs ``pauseai-widget serve`` turns once at start, and why.

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
import sys

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
