"""When and how long to retry: the transient statuses, Retry-After, and backoff with jitter.

Kept apart from the HTTP client so the policy can be read (and tested) on its own.
"""

from __future__ import annotations

import email.utils
import math
import random
from datetime import UTC, datetime

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
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
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
