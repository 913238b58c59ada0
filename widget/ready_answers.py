"""Ready answers: cache hits remembered by the raw request, so a repeat skips all parsing.

``widget.fast_path`` serves a body-cache hit after parsing the query, negotiating the
language and building the endpoint's cache key; that still costs 10 to 30 µs, while uvicorn
itself spends ~25 µs on a request. Browsers, oEmbed consumers and CDNs repeat the same
requests byte for byte, so the fast path also remembers, per *raw* request — path, query
string, and the three headers a cached answer depends on (Accept-Language,
Accept-Encoding, If-None-Match) — the finished answer: the response start message and
which part of the cache entry is the body.

A ready answer is used only while all of these hold, and dropped otherwise:

- its cache entry still exists: it is held by a weak reference, so an entry evicted or
  cleared from the body cache (size bound, new data) takes the answer with it, and the
  body cache's byte bound stays the only bound on bodies;
- the entry is younger than the body cache's TTL;
- the data version is the one it was built from (a reload also clears the memo);
- the clock is inside the window in which no event's phase and no ``next`` changes.

The memo is bounded in entries (oldest dropped first) and skips requests whose remembered
parts exceed ``MAX_KEY_BYTES``, so junk parameters or headers cost at most a bounded
amount of memory and never an answer the normal path would not give. One-off requests
(junk parameters, rare headers) push older answers out, but a popular answer pushed out is
put back by its next request: it costs one parsed answer per ``MAX_ANSWERS`` one-offs.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime

from starlette.types import Message, Scope

from widget.cache import CachedBody
from widget.metrics import RouteSeries

MAX_ANSWERS = 2048
MAX_KEY_BYTES = 1024

# path, query string, Accept-Language, Accept-Encoding, If-None-Match (first of each).
RequestKey = tuple[str, bytes, bytes | None, bytes | None, bytes | None]

NO_BODY, PLAIN, GZIPPED = 0, 1, 2


@dataclass(slots=True, eq=False)
class ReadyAnswer:
    """A finished answer to one raw request, and the conditions under which it holds."""

    status: int
    headers: list[tuple[bytes, bytes]]  # never sent itself: each answer sends a copy
    entry: weakref.ref[CachedBody]
    part: int  # NO_BODY (a 304), PLAIN or GZIPPED
    version: str  # the catalog's data version
    since: datetime
    until: datetime
    expires: float  # time.monotonic() deadline
    series: RouteSeries
    counts_cache_hit: bool

    def start(self) -> Message:
        """A fresh ``http.response.start`` message (servers and wrappers may edit it)."""
        return {"type": "http.response.start", "status": self.status, "headers": [*self.headers]}

    def body(self, entry: CachedBody) -> bytes:
        """The body bytes this answer sends from ``entry``."""
        if self.part == GZIPPED:
            return entry.gzipped or b""
        return entry.body if self.part == PLAIN else b""


def request_key(scope: Scope) -> RequestKey | None:
    """What a cached answer may depend on, as sent; None when too large to remember."""
    language = encoding = validator = None
    for name, value in scope["headers"]:
        if name == b"accept-language":
            language = value if language is None else language
        elif name == b"accept-encoding":
            encoding = value if encoding is None else encoding
        elif name == b"if-none-match":
            validator = value if validator is None else validator
    path: str = scope["path"]
    query: bytes = scope["query_string"]
    size = len(path) + len(query)
    size += len(language or b"") + len(encoding or b"") + len(validator or b"")
    if size > MAX_KEY_BYTES:
        return None
    return (path, query, language, encoding, validator)


class ReadyAnswers:
    """The bounded memo of ready answers by raw request (event-loop thread only)."""

    def __init__(self, max_entries: int = MAX_ANSWERS) -> None:
        self.max_entries = max_entries
        self.answers: dict[RequestKey, ReadyAnswer] = {}

    def __len__(self) -> int:
        return len(self.answers)

    def get(self, key: RequestKey) -> ReadyAnswer | None:
        """The answer remembered for ``key``, valid or not (the caller checks)."""
        return self.answers.get(key)

    def remember(self, key: RequestKey, answer: ReadyAnswer) -> None:
        """Keep ``answer`` for ``key``, dropping the oldest answers beyond the bound."""
        answers = self.answers
        answers.pop(key, None)
        while len(answers) >= self.max_entries:
            del answers[next(iter(answers))]
        answers[key] = answer

    def forget(self, key: RequestKey) -> None:
        """Drop the answer for ``key`` (no longer valid)."""
        self.answers.pop(key, None)

    def clear(self) -> None:
        """Drop every answer (the data changed)."""
        self.answers.clear()
