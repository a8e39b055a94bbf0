"""Client-side rate limiting: a token bucket per route, shared by every thread of one client.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


def _capacity(rpm: float | None) -> float:
    """The burst: a minute's worth of requests, and never less than one."""
    return max(1.0, float(rpm)) if rpm else 0.0


@dataclass
class _Route:
    tokens: float
    updated: float  # the time up to which `tokens` is accounted (may be in the future: a block)
    blocked_until: float = -math.inf


class RateLimiter:
    """A thread-safe token bucket per route, plus server-imposed pauses (Retry-After).

    `requests_per_minute=None` means no pacing, but server pauses are still shared. A route
    may have its own rate in `route_rates` (e.g. 50/min for compliance downloads). The burst
    (bucket size) equals the per-minute rate, so a cold client may send a full minute's worth
    at once; the server's 429 + Retry-After covers the rare case where that is too much.

    Waiting is done by reserving a token (the count may go negative) and sleeping until it is
    due, so threads are served in arrival order without spinning. `clock` and `sleep` are
    injected so tests can drive time.
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
            state = self._routes.get(route)
            if state is not None:  # keep any pause; the bucket takes the new size
                state.tokens = min(state.tokens, _capacity(requests_per_minute))

    def _route(self, route: str, now: float) -> _Route:
        state = self._routes.get(route)
        if state is None:
            rpm = self.requests_per_minute(route)
            state = _Route(tokens=_capacity(rpm), updated=now)
            self._routes[route] = state
        return state

    def _refill(self, route: str, state: _Route, now: float) -> None:
        rpm = self.requests_per_minute(route)
        if rpm and now > state.updated:
            state.tokens = min(_capacity(rpm), state.tokens + (now - state.updated) * rpm / 60.0)
            state.updated = now

    def reserve(self, route: str) -> float:
        """Take a token for `route` and return how long to wait before using it (seconds)."""
        return self._reserve(route)[0]

    def _reserve(self, route: str) -> tuple[float, float]:
        with self._lock:
            now = self._clock()
            state = self._route(route, now)
            wait = 0.0
            rpm = self.requests_per_minute(route)
            if rpm:
                self._refill(route, state, now)
                state.tokens -= 1.0
                wait = (state.updated - now) + max(0.0, -state.tokens) * 60.0 / rpm
            return max(0.0, wait, state.blocked_until - now), state.blocked_until

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

        The bucket is drained to one token and refills only from the end of the pause, so one
        request goes at the end of the pause and the rest follow at the steady rate instead of
        all firing at once.
        """
        with self._lock:
            now = self._clock()
            state = self._route(route, now)
            until = now + max(0.0, seconds)
            state.blocked_until = max(state.blocked_until, until)
            if self.requests_per_minute(route):
                self._refill(route, state, now)
                state.tokens = min(state.tokens, 1.0)
                state.updated = max(state.updated, until)
