"""Client-side rate limiting: a sliding window per route, shared by every thread of one client.

The Admin API limits requests "per workspace per method and route" (100/min is the figure
quoted for it), and a 429 costs a round trip plus a Retry-After wait. Pacing ourselves below
the limit is cheaper than bouncing off it.

A 429's Retry-After is not shared here: it is the refused request's own wait (RFC 9110 15.5.30,
"how long the user agent ought to wait before making a follow-up request"), taken by the
thread that got it. The contract documents it per answer ("rate limited per endpoint per api
key, with Retry-After in seconds", codex-api.md 2.1) and promises nothing about the
other requests in flight. Pausing every thread on the route for each 429 made a server that
refuses one request in five serialise a whole run (issue 15: 543 pauses of 1 s in a row);
when the route is really saturated every thread gets its own 429 and waits anyway.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Path segments after these names are ids (workspace UUIDs, `org-...`, log file ids, ...).
_COLLECTIONS = frozenset(
    {"workspaces", "organizations", "logs", "codex_tasks", "codex_environments", "users"}
)


def route_template(path: str) -> str:
    """The route a request counts against: its path with ids replaced by `{id}`.

    `/v1/analytics/codex/workspaces/3f0f.../usage` -> `/v1/analytics/codex/workspaces/{id}/usage`,
    so all days of one endpoint share a bucket whatever the workspace id looks like.
    """
    segments = urlsplit(path).path.split("/")
    out: list[str] = []
    for index, segment in enumerate(segments):
        after_collection = index > 0 and segments[index - 1] in _COLLECTIONS
        out.append("{id}" if segment and (after_collection or _UUID.match(segment)) else segment)
    return "/".join(out)


def _window(rpm: float) -> tuple[int, float]:
    """(requests, seconds): `rpm` per minute as at most `requests` in any `seconds`.

    A whole rate is itself per 60 s; a fractional one keeps a whole count (0.5/min is one
    request per 120 s, 2.5/min two per 48 s)."""
    count = max(1, math.floor(rpm))
    return count, count * 60.0 / rpm


class RateLimiter:
    """A thread-safe sliding-window limit per route.

    `requests_per_minute=None` means no pacing. A route
    may have its own rate in `route_rates` (e.g. 50/min for compliance downloads). The limit is
    kept exactly: no 60 s interval ever holds more than the rate's requests, so a cold client
    may send a minute's worth at once and then waits for the oldest to leave the window. (A
    token bucket of a minute's size would let a cold client send twice the rate in its first
    minute.)

    Waiting is done by reserving a send time and sleeping until it is due, so threads are
    served in arrival order without spinning. `clock` and `sleep` are injected so tests can
    drive time.
    """

    def __init__(
        self,
        requests_per_minute: float | None,
        *,
        route_rates: Mapping[str, float | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        for rate in [requests_per_minute, *(route_rates or {}).values()]:
            if rate is not None and rate <= 0:
                raise ValueError(f"requests per minute must be positive or None, got {rate}")
        self._default_rpm = requests_per_minute
        self._route_rpm = dict(route_rates or {})
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._granted: dict[str, deque[float]] = {}
        """Send times granted per route, oldest first (only the last `count` matter)."""

    def requests_per_minute(self, route: str) -> float | None:
        return self._route_rpm.get(route, self._default_rpm)

    def set_rate(self, route: str, requests_per_minute: float | None) -> None:
        """Give `route` its own rate (None: unpaced)."""
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise ValueError(
                f"requests per minute must be positive or None, got {requests_per_minute}"
            )
        with self._lock:
            self._route_rpm[route] = requests_per_minute

    def reserve(self, route: str) -> float:
        """Reserve the next send time on `route`; return how long to wait for it (seconds)."""
        with self._lock:
            now = self._clock()
            rpm = self.requests_per_minute(route)
            if not rpm:
                return 0.0
            count, seconds = _window(rpm)
            granted = self._granted.setdefault(route, deque())
            at = granted[-count] + seconds if len(granted) >= count else now
            at = max(at, now)
            granted.append(at)
            while len(granted) > count:
                granted.popleft()
            return at - now

    def acquire(self, route: str) -> float:
        """Block until a request on `route` may be sent; return the seconds spent waiting."""
        wait = self.reserve(route)
        if wait > 0:
            self._sleep(wait)
        return max(0.0, wait)
