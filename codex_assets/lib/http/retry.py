"""When and how long to retry: the transient statuses, Retry-After, backoff with jitter, and
the retry loop itself.

Kept apart from the HTTP client so the policy can be read (and tested) on its own. The loop is
the one both APIs use: the HTTP client's for every request, and the compliance client's for a
download that arrived but failed verification (a fresh download may fix it).
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from codex_assets.lib.utc import as_utc, utc_now

T = TypeVar("T")

# 429 and the 5xx that gateways and overloaded servers answer; anything else is permanent.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
"""Request Timeout, Too Many Requests and the transient server errors: a retry may succeed."""


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = (as_utc(when) - (now or utc_now())).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def backoff_delay(
    retry_number: int, initial_s: float, max_s: float, rng: random.Random | None = None
) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(max_s, initial_s * 2**retry_number)].

    Full jitter spreads the retries of many threads (or workers) that failed together, so they
    do not hit the recovering server in lockstep.
    """
    cap = min(max_s, initial_s * (2 ** min(retry_number, 62)))
    return (rng or random).uniform(0.0, cap)


@dataclass(frozen=True)
class Failure:
    """One attempt failed in a way another attempt may fix: why (a stats key), what to log,
    and what the answer said (its status, Retry-After and body, when there was an answer)."""

    reason: str
    description: str
    status: int | None = None
    retry_after_s: float | None = None
    body_excerpt: str = ""


DEFAULT_BUDGET_S = 300.0
"""Five minutes: a minute of throttling (the download route allows 50 a minute) waited out
several times over, and an outage of a few minutes ridden through, before a run fails."""


@dataclass(frozen=True)
class Backoff:
    """How long to wait before each retry, and for how long in all to keep trying.

    The bound is time, not a count: a burst of twenty 429s with `Retry-After: 1` costs twenty
    seconds and is waited out, where a fixed count of retries would give up after a few.
    `budget_s` is the time from the first attempt after which no retry starts: a wait that
    would end past it is not begun, and the loop gives up at once. `max_retries` is an extra
    cap on the count, off (None) unless a caller wants to fail fast (the tests).
    """

    initial_s: float
    max_s: float
    retry_after_max_s: float = 300
    budget_s: float = DEFAULT_BUDGET_S
    max_retries: int | None = None

    def delay(self, retry_number: int, failure: Failure, rng: random.Random | None = None) -> float:
        """The jittered backoff for retry `retry_number` (0 first), or the server's Retry-After
        (capped at `retry_after_max_s`) when it sent one."""
        delay = backoff_delay(retry_number, self.initial_s, self.max_s, rng)
        if failure.retry_after_s is not None:
            delay = min(failure.retry_after_s, self.retry_after_max_s)
        return delay


def retry(
    attempt: Callable[[int], T | Failure],
    backoff: Backoff,
    *,
    before_retry: Callable[[int, Failure, float], None],
    give_up: Callable[[Sequence[Failure]], Exception],
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """`attempt(n)` for n = 1, 2, ... until it returns something other than a `Failure`.

    After a failed attempt n, `before_retry(n, failure, delay)` counts, logs and waits (it does
    the waiting, so a caller can share a 429's pause with other threads). When the wait would
    end past `backoff.budget_s` from the start (or `max_retries` is reached),
    `give_up(failures)` is raised instead. An attempt that raises is not retried: that is how a
    permanent error stops the loop.
    """
    failures: list[Failure] = []
    started = clock()
    while True:
        outcome = attempt(len(failures) + 1)
        if not isinstance(outcome, Failure):
            return outcome
        failures.append(outcome)
        if backoff.max_retries is not None and len(failures) > backoff.max_retries:
            raise give_up(failures)
        delay = backoff.delay(len(failures) - 1, outcome, rng)
        if clock() - started + delay > backoff.budget_s:
            raise give_up(failures)
        before_retry(len(failures), outcome, delay)
