"""The per-route token bucket and shared 429 pauses, with a fake clock."""

from __future__ import annotations

import threading

import pytest

from codex_assets.lib.api.ratelimit import RateLimiter, route_template
from tests.support.fault_server import FakeClock


def limiter(rpm, clock, **kwargs) -> RateLimiter:
    return RateLimiter(rpm, clock=clock.monotonic, sleep=clock.sleep, **kwargs)


def test_burst_equals_the_per_minute_rate_then_steady_pacing():
    clock = FakeClock()
    bucket = limiter(60, clock)
    assert [bucket.acquire("r") for _ in range(60)] == [0.0] * 60
    assert bucket.acquire("r") == pytest.approx(1.0)  # one token per second at 60/min
    assert bucket.acquire("r") == pytest.approx(1.0)
    assert clock.sleeps == pytest.approx([1.0, 1.0])


def test_reservations_queue_without_sleeping_in_between():
    clock = FakeClock()
    bucket = limiter(60, clock)
    for _ in range(60):
        bucket.reserve("r")
    # Clock does not move: each further reservation is one more second out.
    assert [bucket.reserve("r") for _ in range(3)] == pytest.approx([1.0, 2.0, 3.0])


def test_tokens_refill_with_time_up_to_the_burst():
    clock = FakeClock()
    bucket = limiter(30, clock)  # one token per 2s, burst 30
    for _ in range(30):
        bucket.acquire("r")
    clock.now += 10  # 5 tokens back
    assert [bucket.acquire("r") for _ in range(5)] == [0.0] * 5
    assert bucket.acquire("r") == pytest.approx(2.0)
    clock.now += 3600  # refills to the burst, not beyond
    assert [bucket.reserve("r") for _ in range(30)] == [0.0] * 30
    assert bucket.reserve("r") == pytest.approx(2.0)


def test_fractional_rates_still_allow_one_request():
    clock = FakeClock()
    bucket = limiter(0.5, clock)
    assert bucket.acquire("r") == 0.0
    assert bucket.acquire("r") == pytest.approx(120.0)


def test_routes_are_independent_and_can_have_their_own_rate():
    clock = FakeClock()
    bucket = limiter(1, clock, route_rates={"downloads": 2, "free": None})
    assert bucket.reserve("a") == 0.0
    assert bucket.reserve("a") == pytest.approx(60.0)
    assert bucket.reserve("b") == 0.0
    assert [bucket.reserve("downloads") for _ in range(3)] == pytest.approx([0, 0, 30])
    assert [bucket.reserve("free") for _ in range(100)] == [0.0] * 100


def test_no_rate_means_no_pacing_but_pauses_still_apply():
    clock = FakeClock()
    bucket = limiter(None, clock)
    assert [bucket.acquire("r") for _ in range(1000)] == [0.0] * 1000
    bucket.block("r", 5)
    assert bucket.acquire("r") == pytest.approx(5.0)
    assert bucket.acquire("r") == 0.0


def test_a_429_pause_holds_every_caller_on_the_route_then_resumes_at_the_steady_rate():
    clock = FakeClock()
    bucket = limiter(60, clock)
    bucket.block("r", 10)
    # Other callers on the route wait for the pause, then one per second (not a burst).
    assert [bucket.reserve("r") for _ in range(3)] == pytest.approx([10.0, 11.0, 12.0])
    assert bucket.reserve("other") == 0.0


def test_a_pause_set_while_waiting_extends_the_wait():
    clock = FakeClock()
    bucket = limiter(None, clock)
    bucket.block("r", 2)
    original_sleep = clock.sleep
    blocked_again = []

    def sleep(seconds: float) -> None:
        original_sleep(seconds)
        if not blocked_again:
            blocked_again.append(True)
            bucket.block("r", 5)  # another thread got a 429 meanwhile

    bucket._sleep = sleep
    assert bucket.acquire("r") == pytest.approx(7.0)


def test_concurrent_callers_each_get_a_distinct_slot():
    clock = FakeClock()
    bucket = RateLimiter(60, clock=clock.monotonic, sleep=lambda s: None)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            wait = bucket.reserve("r")
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == pytest.approx([0.0] * 60 + [float(i) for i in range(1, 41)])


def test_invalid_rates_are_rejected():
    with pytest.raises(ValueError):
        RateLimiter(0)
    with pytest.raises(ValueError):
        RateLimiter(10, route_rates={"x": -1})


@pytest.mark.parametrize(
    ("path", "template"),
    [
        (
            "/v1/analytics/codex/workspaces/3f0f5aaf-1e2b-4f10-bb50-111111111111/usage",
            "/v1/analytics/codex/workspaces/{id}/usage",
        ),
        (
            "/v1/analytics/codex/workspaces/ws_simple/code_reviews",
            "/v1/analytics/codex/workspaces/{id}/code_reviews",
        ),
        ("/v1/compliance/workspaces/abc/logs", "/v1/compliance/workspaces/{id}/logs"),
        (
            "/v1/compliance/organizations/org-123/logs/clf_01J9",
            "/v1/compliance/organizations/{id}/logs/{id}",
        ),
        ("/v1/compliance/workspaces/w/logs?after=2026", "/v1/compliance/workspaces/{id}/logs"),
    ],
)
def test_route_template_replaces_ids(path, template):
    assert route_template(path) == template
