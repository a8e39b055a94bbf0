"""A small thread-safe LRU with single-flight creation and a size budget.

Why: a client paging through one day with a small `limit` asks for the same day many times,
and several client threads may ask for the same day at once. Generating a 10,000-user day
takes tens of milliseconds, so each (endpoint, day, revision) is built once, by one thread,
and kept while it is recent; the budget bounds memory when a server answers months of days.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    """`get(key, build)` returns the cached value or builds it exactly once per miss.

    `weigh(value)` gives an entry's cost (e.g. bytes); entries are evicted, least recently
    used first, while the total exceeds `budget` (the newest entry is always kept).
    """

    def __init__(self, budget: int, weigh: Callable[[V], int] = lambda _: 1) -> None:
        self._budget = budget
        self._weigh = weigh
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        with self._lock:
            found = self._lookup(key)
            if found is not None:
                return found[0]
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                found = self._lookup(key)
                if found is not None:
                    return found[0]
                self.misses += 1
            try:
                value = build()
                self._store(key, value)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._total = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _lookup(self, key: Hashable) -> tuple[V] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return (entry[0],)

    def _store(self, key: Hashable, value: V) -> None:
        weight = self._weigh(value)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._total -= old[1]
            self._entries[key] = (value, weight)
            self._total += weight
            while self._total > self._budget and len(self._entries) > 1:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._total -= dropped
