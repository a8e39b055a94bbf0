"""Ordered, bounded parallel work: results in input order, a few at a time, stopping at the
first failure.

Both API clients fetch a sequence of independent units (an analytics day, a compliance file)
whose results must be handed back in order, so that the caller can write each one before the
next arrives and memory holds only a few at a time, and where one failure must not let a later
unit be landed as if nothing had happened. This is that loop, written once.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

Stopped = Callable[[], bool]
"""Asked by a unit of work between its steps: True once it must give up (raise `Cancelled`)."""


class Cancelled(Exception):
    """Raised by a unit of work that saw `stopped()`: an earlier unit failed, or the caller
    left. Never reaches the caller of `ordered_parallel`."""


def never_stopped() -> bool:
    """The `stopped` of a unit run on its own."""
    return False


def ordered_parallel(
    work: Callable[[T, Stopped], R],
    items: Iterable[T],
    *,
    max_workers: int,
    max_pending: int,
    thread_name_prefix: str,
    weight: Callable[[T], int] | None = None,
    max_weight: int | None = None,
) -> Iterator[R]:
    """Yield `work(item, stopped)` for each item, in the order of `items`, `max_workers` at once.

    At most `max_pending` units are in flight or finished but not yet yielded, so memory holds
    a few results whatever the number of items; with `weight`, their weights (e.g. the bytes a
    result will hold) also stay within `max_weight`, except that one unit always may start.
    Allowing more pending units than workers keeps the workers busy while the oldest unit is
    slow (a retry waiting out a 429): results behind it queue instead of idling the pool.
    Items are drawn lazily, in the caller's thread (an error drawing one counts as that unit's
    failure). When a unit fails, no later unit is started and
    the later ones in flight see `stopped()` turn true; the units before it still finish and
    are yielded (so the caller keeps them), then its error is raised. If the caller leaves
    early (or an error escapes), nothing new starts and every unit in flight is stopped.
    """
    if max_workers < 1 or max_pending < 1:
        raise ValueError("max_workers and max_pending must be at least 1")
    failure = _FirstFailure()
    source = iter(items)
    drawn = 0
    pending: deque[tuple[Future[R], int]] = deque()
    weigh = weight or (lambda _: 0)
    budget = max_weight if max_weight is not None else math.inf
    held: list[tuple[int, T]] = []  # an item drawn but not yet started (over the budget)

    def run(index: int, item: T) -> R:
        if failure.stops(index):
            raise Cancelled
        return work(item, partial(failure.stops, index))

    def on_done(index: int, future: Future[R]) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is not None and not isinstance(error, Cancelled):
            failure.record(index)

    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=thread_name_prefix) as pool:

        def draw() -> tuple[int, T] | None:
            """The next item and its position; a failure to produce it fails that position
            (so the units before it are still yielded first, as for a failed unit)."""
            nonlocal drawn
            if held:
                return held.pop()
            try:
                item = next(source)
            except StopIteration:
                return None
            except Exception as error:
                failed: Future[R] = Future()
                failed.set_exception(error)
                failure.record(drawn)
                pending.append((failed, 0))
                return None
            drawn += 1
            return drawn - 1, item

        def fill() -> None:
            while len(pending) < max_pending and not failure.happened:
                step = draw()
                if step is None:
                    return
                cost = weigh(step[1])
                if pending and sum(w for _, w in pending) + cost > budget:
                    held.append(step)
                    return
                future = pool.submit(run, *step)
                future.add_done_callback(partial(on_done, step[0]))
                pending.append((future, cost))

        try:
            fill()
            while pending:
                # A unit before a failed one still finishes and is yielded; the failed unit's
                # own error is raised when its turn comes.
                result = pending.popleft()[0].result()
                fill()
                yield result
        finally:
            failure.record(-1)  # stops every unit: start nothing new, stop those in flight
            for future, _ in pending:
                future.cancel()


class _FirstFailure:
    """The position of the first unit that failed: the units after it must stop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: int | None = None

    def record(self, index: int) -> None:
        with self._lock:
            if self._first is None or index < self._first:
                self._first = index

    @property
    def happened(self) -> bool:
        with self._lock:
            return self._first is not None

    def stops(self, index: int) -> bool:
        with self._lock:
            return self._first is not None and index > self._first
