"""The two loops both API clients share: the ordered, bounded parallel fetch and the retry loop."""

from __future__ import annotations

import threading
import time

import pytest

from codex_assets.lib.http.retry import Backoff, Failure, retry
from codex_assets.lib.parallel import Cancelled, ordered_parallel


def test_results_come_back_in_input_order_whatever_order_they_finish_in():
    def work(item: int, stopped) -> int:
        time.sleep(0.02 * (5 - item))  # the first items finish last
        return item * 10

    results = ordered_parallel(
        work, range(5), max_workers=3, max_pending=3, thread_name_prefix="test"
    )
    assert list(results) == [0, 10, 20, 30, 40]


def test_no_more_than_max_pending_units_are_started_ahead_of_the_caller():
    started: list[int] = []
    lock = threading.Lock()

    def work(item: int, stopped) -> int:
        with lock:
            started.append(item)
        return item

    results = ordered_parallel(
        work, range(100), max_workers=2, max_pending=3, thread_name_prefix="test"
    )
    assert next(results) == 0
    time.sleep(0.05)
    assert len(started) <= 4  # the three pending, plus the one refilled after the first
    results.close()


def test_a_failure_keeps_the_units_before_it_and_stops_those_after_it():
    release = threading.Event()
    stopped_seen: list[int] = []

    def work(item: int, stopped) -> int:
        if item == 0:
            release.wait(2)  # finishes after item 1 has failed
            return item
        if item == 1:
            time.sleep(0.03)  # unit 2 is in flight by then
            raise ValueError("unit 1 failed")
        for _ in range(200):  # a unit in flight sees stopped() between its steps
            if stopped():
                stopped_seen.append(item)
                raise Cancelled
            time.sleep(0.01)
        return item

    results = ordered_parallel(
        work, range(10), max_workers=3, max_pending=3, thread_name_prefix="test"
    )
    first = threading.Timer(0.1, release.set)
    first.start()
    assert next(results) == 0
    with pytest.raises(ValueError, match="unit 1 failed"):
        next(results)
    assert stopped_seen == [2]  # the one after the failure in flight; nothing later started


def test_a_slow_first_unit_does_not_idle_the_other_workers():
    """Pending room beyond the workers: a unit waiting out a 429 lets later ones proceed."""
    release = threading.Event()
    done: list[int] = []
    lock = threading.Lock()

    def work(item: int, stopped) -> int:
        if item == 0:
            release.wait(5)
        with lock:
            done.append(item)
        return item

    results = ordered_parallel(
        work, range(20), max_workers=2, max_pending=8, thread_name_prefix="test"
    )
    waiter = threading.Thread(target=lambda: list(results))
    waiter.start()
    deadline = time.monotonic() + 5
    while len(done) < 7 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(done) == list(range(1, 8))  # the other worker ran all the pending room
    release.set()
    waiter.join(5)
    assert sorted(done) == list(range(20))


def test_weights_bound_what_is_held_ahead_but_one_unit_always_starts():
    started: list[int] = []

    def work(item: int, stopped) -> int:
        started.append(item)
        return item

    weights = [30, 30, 30, 100, 10]
    results = ordered_parallel(
        work,
        range(len(weights)),
        max_workers=4,
        max_pending=10,
        weight=lambda i: weights[i],
        max_weight=60,
        thread_name_prefix="test",
    )

    def started_after_next() -> list[int]:
        next(results)
        time.sleep(0.05)
        return sorted(started)

    # Units 0 and 1 fill the budget; when 0 is handed back, 2 takes its room; the heavy 3
    # waits until it can run alone, and 4 waits for the heavy one to be handed back.
    assert started_after_next() == [0, 1, 2]
    assert started_after_next() == [0, 1, 2]
    assert started_after_next() == [0, 1, 2, 3]
    assert started_after_next() == [0, 1, 2, 3, 4]
    results.close()


def test_an_error_producing_the_next_item_comes_after_the_units_before_it():
    def items():
        yield from range(3)
        raise RuntimeError("listing day 4 failed")

    results = ordered_parallel(
        lambda item, stopped: item, items(), max_workers=2, max_pending=4, thread_name_prefix="t"
    )
    assert [next(results) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(RuntimeError, match="listing day 4 failed"):
        next(results)


def test_retry_returns_the_first_success_and_waits_before_each_retry():
    outcomes = iter([Failure("http_503", "503"), Failure("timeout", "slow"), "done"])
    waits: list[tuple[int, str]] = []
    result = retry(
        lambda attempt: next(outcomes),
        Backoff(max_retries=5, initial_s=0, max_s=0),
        before_retry=lambda attempt, failure, delay: waits.append((attempt, failure.reason)),
        give_up=lambda failures: AssertionError("gave up"),
    )
    assert result == "done"
    assert waits == [(1, "http_503"), (2, "timeout")]


def test_retry_gives_up_after_max_retries_with_every_failure():
    attempts: list[int] = []

    def attempt(number: int) -> Failure:
        attempts.append(number)
        return Failure("http_500", f"attempt {number}")

    with pytest.raises(RuntimeError) as caught:
        retry(
            attempt,
            Backoff(max_retries=2, initial_s=0, max_s=0),
            before_retry=lambda *_: None,
            give_up=lambda failures: RuntimeError([f.description for f in failures]),
        )
    assert attempts == [1, 2, 3]
    assert caught.value.args[0] == ["attempt 1", "attempt 2", "attempt 3"]


def test_retry_after_overrides_the_backoff_up_to_its_cap():
    backoff = Backoff(max_retries=1, initial_s=1, max_s=1, retry_after_max_s=30)
    assert backoff.delay(0, Failure("http_429", "", retry_after_s=12)) == 12
    assert backoff.delay(0, Failure("http_429", "", retry_after_s=900)) == 30
    assert 0 <= backoff.delay(0, Failure("http_503", "")) <= 1
