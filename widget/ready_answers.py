"""Ready answers: finished answers remembered by what the request said, to send again.

``widget.fast_path`` remembers, for each request the normal stack answered from a
``CachedBody`` on a route whose ``RoutePolicy`` allows replay, the answer exactly as the
normal stack sent it — status line and finished headers — and which part of the cache
entry was the body. The key is what such an answer may depend on, reduced to its meaning
where that is cheap and memoized:

- the path and the query string as sent (unknown or junk parameters make new keys, at most
  ``MAX_ANSWERS`` of them, never new cache entries: the endpoint's own key ignores them);
- the language negotiated from ``Accept-Language`` (``widget.i18n.negotiate``, memoized by
  the raw header), not the header itself: hundreds of browser strings map to ten languages;
- whether ``Accept-Encoding`` takes gzip (memoized by the raw header);
- ``If-None-Match`` as sent.

A ready answer is used only while all of these hold, and dropped otherwise:

- its cache entry still exists: it is held by a weak reference, so an entry evicted or
  cleared from the body cache (size bound, new data) takes the answer with it, and the
  body cache's byte bound stays the only bound on bodies;
- the entry is younger than the body cache's TTL;
- the data version is the one it was built from (a reload also clears the memo);
- for a route whose answers follow the clock, the clock is inside the window in which no
  event's phase and no ``next`` changes.

The memo is bounded in entries (oldest dropped first) and skips requests whose path, query
and validator exceed ``MAX_KEY_BYTES``. One-off requests (junk parameters) push older
answers out, but a popular answer pushed out is put back by its next request.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from starlette.datastructures import Headers
from starlette.types import Message, Scope

from widget.cache import CachedBody
from widget.conditional import accepts_gzip
from widget.i18n import negotiate
from widget.metrics import RouteSeries

MAX_ANSWERS = 2048
MAX_KEY_BYTES = 1024
# Distinct Accept-Encoding headers whose gzip verdict is remembered.
ENCODING_MEMO = 256

# path, query string, negotiated language, gzip accepted, If-None-Match (first of each).
RequestKey = tuple[str, bytes, str | None, bool, bytes | None]

NO_BODY, PLAIN, GZIPPED = 0, 1, 2


@dataclass(slots=True, eq=False)
class ReadyAnswer:
    """A finished answer, and the conditions under which it holds."""

    status: int
    headers: list[tuple[bytes, bytes]]  # never sent itself: each answer sends a copy
    entry: weakref.ref[CachedBody]
    part: int  # NO_BODY (a 304), PLAIN or GZIPPED
    version: str  # the catalog's data version
    since: datetime | None  # the validity window; None when the route ignores the clock
    until: datetime | None
    expires: float  # time.monotonic() deadline
    series: RouteSeries
    counts_cache_hit: bool
    # The header lines as the HTTP protocol writes them (``widget.http_protocol``), made
    # on the first answer written there; b"" when this answer is not written there.
    wire: bytes | None = None

    def start(self) -> Message:
        """A fresh ``http.response.start`` message (servers and wrappers may edit it)."""
        return {"type": "http.response.start", "status": self.status, "headers": [*self.headers]}

    def body(self, entry: CachedBody) -> bytes:
        """The body bytes this answer sends from ``entry``."""
        if self.part == GZIPPED:
            return entry.gzipped or b""
        return entry.body if self.part == PLAIN else b""


def part_sent(status: int, body: bytes, entry: CachedBody) -> int | None:
    """Which part of ``entry`` an answer sent as ``body``; None when it sent something else."""
    if status == 304:
        return NO_BODY if body == b"" else None
    if body is entry.body or body == entry.body:
        return PLAIN
    if entry.gzipped is not None and (body is entry.gzipped or body == entry.gzipped):
        return GZIPPED
    return None


@lru_cache(maxsize=ENCODING_MEMO)
def _takes_gzip(header: bytes) -> bool:
    return accepts_gzip(Headers(raw=[(b"accept-encoding", header)]))


def request_key(scope: Scope) -> RequestKey | None:
    """What a replayable answer may depend on; None when too large to remember."""
    return key_of(scope["path"], scope["query_string"], scope["headers"])


def key_of(path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> RequestKey | None:
    """``request_key`` from the parts of a request: its (unquoted) path, its query string
    as sent and its header fields (names in lower case, as servers give them)."""
    language = encoding = validator = None
    for name, value in headers:
        if name == b"accept-language":
            language = value if language is None else language
        elif name == b"accept-encoding":
            encoding = value if encoding is None else encoding
        elif name == b"if-none-match":
            validator = value if validator is None else validator
    if len(path) + len(query) + len(validator or b"") > MAX_KEY_BYTES:
        return None
    return (
        path,
        query,
        negotiate(language.decode("latin-1")) if language else None,
        _takes_gzip(encoding) if encoding else False,
        validator,
    )


class ReadyAnswers:
    """The bounded memo of ready answers by request key (event-loop thread only)."""

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
