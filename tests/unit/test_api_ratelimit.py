"""The per-route sliding window and shared 429 pauses, with a fake clock."""

from __future__ import annotations

import threading

import pytest

from codex_assets.lib.http.ratelimit import RateLimiter, route_template
from tests.support.fault_server import FakeClock


def limiter(rpm, clock, **kwargs) -> RateLimiter:
    return RateLimiter(rpm, clock=clock.monotonic, sleep=clock.sleep, **kwargs)


def _most_in_any_minute(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 60) for start in times)


def test_a_minute_s_worth_at_once_then_each_waits_for_the_oldest_to_leave_the_window():
    clock = FakeClock()
    window = limiter(60, clock)
    assert [window.acquire("r") for _ in range(60)] == [0.0] * 60
    assert window.acquire("r") == pytest.approx(60.0)  # the first of the 60 leaves at 60 s
    assert clock.sleeps == pytest.approx([60.0])


def test_no_minute_ever_holds_more_than_the_rate():
    """A token bucket the size of a minute would let a cold client send twice the rate in its
    first minute (the full bucket plus what refills): 100 downloads at a 50/min limit."""
    clock = FakeClock()
    window = limiter(50, clock)
    sent = []
    for _ in range(400):
        clock.now += 0.25  # a caller that would go four times a second
        window.acquire("r")
        sent.append(clock.now)
    assert _most_in_any_minute(sent) == 50
    # 400 at 50 a minute: the eighth minute's last send, 49 steps of 0.25 s after its first.
    assert sent[-1] - sent[0] == pytest.approx(7 * 60 + 49 * 0.25)


def test_reservations_queue_without_sleeping_in_between():
    clock = FakeClock()
    window = limiter(60, clock)
    for _ in range(60):
        window.reserve("r")
    # The clock does not move: the next 60 are due when the first 60 leave the window.
    assert [window.reserve("r") for _ in range(61)] == pytest.approx([60.0] * 60 + [120.0])


def test_the_window_slides_with_time():
    clock = FakeClock()
    window = limiter(30, clock)
    for _ in range(30):
        window.acquire("r")
    clock.now += 10
    assert window.acquire("r") == pytest.approx(50.0)  # the oldest leaves at 60 s
    clock.now += 3600  # long idle: a full minute's worth again, not more
    assert [window.reserve("r") for _ in range(30)] == [0.0] * 30
    assert window.reserve("r") == pytest.approx(60.0)


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
    assert [bucket.reserve("downloads") for _ in range(3)] == pytest.approx([0, 0, 60])
    assert [bucket.reserve("free") for _ in range(100)] == [0.0] * 100


def test_no_rate_means_no_pacing():
    clock = FakeClock()
    bucket = limiter(None, clock)
    assert [bucket.acquire("r") for _ in range(1000)] == [0.0] * 1000
    assert clock.sleeps == []


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
    assert sorted(waits) == pytest.approx([0.0] * 60 + [60.0] * 40)


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
