"""Client-side rate limiting: a sliding window per route, shared by every thread of one client.

The Admin API limits requests "per workspace per method and route" (100/min is the figure
quoted for it), and a 429 costs a round trip plus a Retry-After wait. Pacing ourselves below
the limit is cheaper than bouncing off it, and when the server does say "wait", every thread
hitting that route has to wait, not only the one that got the 429, or the others keep
burning the server's patience.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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


@dataclass
class _Route:
    granted: deque[float] = field(default_factory=deque)
    """Send times granted on the route, oldest first (only the last `count` matter)."""
    blocked_until: float = -math.inf


class RateLimiter:
    """A thread-safe sliding-window limit per route, plus server-imposed pauses (Retry-After).

    `requests_per_minute=None` means no pacing, but server pauses are still shared. A route
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
        self._routes: dict[str, _Route] = {}

    def requests_per_minute(self, route: str) -> float | None:
        return self._route_rpm.get(route, self._default_rpm)

    def set_rate(self, route: str, requests_per_minute: float | None) -> None:
        """Give `route` its own rate (None: unpaced, but 429 pauses still apply)."""
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise ValueError(
                f"requests per minute must be positive or None, got {requests_per_minute}"
            )
        with self._lock:
            self._route_rpm[route] = requests_per_minute

    def reserve(self, route: str) -> float:
        """Reserve the next send time on `route`; return how long to wait for it (seconds)."""
        return self._reserve(route)[0]

    def _reserve(self, route: str) -> tuple[float, float]:
        with self._lock:
            now = self._clock()
            state = self._routes.setdefault(route, _Route())
            at = max(now, state.blocked_until)
            rpm = self.requests_per_minute(route)
            if rpm:
                count, seconds = _window(rpm)
                granted = state.granted
                if len(granted) >= count:
                    at = max(at, granted[-count] + seconds)
                granted.append(at)
                while len(granted) > count:
                    granted.popleft()
            return at - now, state.blocked_until

    def acquire(self, route: str) -> float:
        """Block until a request on `route` may be sent; return the seconds spent waiting."""
        wait, deadline = self._reserve(route)
        waited = 0.0
        while wait > 0:
            self._sleep(wait)
            waited += wait
            with self._lock:
                blocked_until = self._routes[route].blocked_until
                if blocked_until > deadline:
                    # Another thread got a 429 while we slept: honour the newer pause too.
                    deadline = blocked_until
                    wait = blocked_until - self._clock()
                else:
                    wait = 0.0
        return waited

    def block(self, route: str, seconds: float) -> None:
        """Pause `route` for every thread for `seconds` (a 429's Retry-After).

        After the pause one request goes, and the rest follow at the steady rate (one every
        60/rpm seconds) instead of all firing at once: the window is filled as if that pace
        had been kept up to the end of the pause.
        """
        with self._lock:
            now = self._clock()
            state = self._routes.setdefault(route, _Route())
            until = now + max(0.0, seconds)
            state.blocked_until = max(state.blocked_until, until)
            rpm = self.requests_per_minute(route)
            if rpm:
                count, window = _window(rpm)
                # The i-th send after the pause waits for paced[i] to leave the window.
                paced = [until - window + i * window / count for i in range(count)]
                kept = [-math.inf] * count + list(state.granted)
                state.granted = deque(
                    max(old, new) for old, new in zip(kept[-count:], paced, strict=True)
                )
