"""Why a feed could not be used. Every error's message is shown on ``/healthz`` as it is.

::

    FeedError                 a feed could not be used; its last good events keep serving
    ├── FetchError            the HTTP side: refused URL, network failure, bad status
    │   └── FeedTooLarge      the body (or its Content-Length) exceeds the size cap
    └── FeedFormatError       the body is not an iCalendar file we can read
"""

from __future__ import annotations


class FeedError(Exception):
    """Raised when a feed cannot be fetched or read; the message says why, for people."""


class FetchError(FeedError):
    """Raised for a refused URL or redirect, a network error, a timeout or a bad status."""


class FeedTooLarge(FetchError):
    """Raised when a body is larger than the size cap (announced or while streaming)."""


class FeedFormatError(FeedError):
    """Raised when a body is not iCalendar (HTML, say) or breaks one of the parse limits."""
