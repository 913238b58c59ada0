"""A bounded memo: the last ``size`` results of a pure computation, least recently used out.

The catalog is immutable per data version, so what is derived from one event for one
language (an index line, a JSON-LD node, an upcoming item and its rendered HTML) can be
computed once and reused by every page that shows it, as long as the key names everything
the result depends on (the catalog's version among it). Every memo is bounded: a flood of
distinct keys evicts old entries instead of growing memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """Up to ``size`` results by key, least recently used evicted first (thread safe)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a memo holds at least 1 entry, not {size}")
        self.size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The result for ``key``, from ``make()`` the first time (or after eviction)."""
        with self._lock:
            found = self._entries.get(key, _MISSING)
            if found is not _MISSING:
                self._entries.move_to_end(key)
                return found  # type: ignore[return-value]
        made = make()
        with self._lock:
            self._entries[key] = made
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return made

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._entries.clear()


_MISSING = object()
