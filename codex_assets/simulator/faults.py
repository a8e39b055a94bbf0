"""Fault injection: decide which request misbehaves, and what the misbehaviour looks like.

Why counters per rule: `first=N` and `every=N` are defined over the requests a rule matches,
so a rule limited to `usage` is not advanced by `code_reviews` calls. Counting happens under a
lock because the HTTP server and the in-process transport both serve concurrent clients, and
a test that says "the 3rd request fails" must see exactly that.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import orjson

from codex_assets.simulator.config import FaultRule
from codex_assets.simulator.responses import SimResponse, error_response

FUTURE_CLIENT = "CODEX_FUTURE_SURFACE"

_HTML_503 = (
    b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
    b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
    b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_HTML_PROXY_ERROR = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>"
    b"<h1>Bad Gateway</h1><p>The proxy server received an invalid response from an upstream "
    b"server.</p><hr><address>corporate-proxy</address></body></html>\n"
)


@dataclass(frozen=True)
class Firing:
    """A rule that fires on this request; `count` is its 1-based matching-request number."""

    rule: FaultRule
    count: int


class FaultInjector:
    """Counts matching requests per rule and picks the first rule that fires."""

    def __init__(self, rules: tuple[FaultRule, ...]) -> None:
        self.rules = rules
        self._counts = [0] * len(rules)
        self._lock = threading.Lock()

    def decide(self, endpoint: str) -> Firing | None:
        """Advance every rule matching `endpoint`; return the first that fires, if any."""
        if not self.rules:
            return None
        firing = None
        with self._lock:
            for i, rule in enumerate(self.rules):
                if not rule.applies_to(endpoint):
                    continue
                self._counts[i] += 1
                if firing is None and rule.fires_on(self._counts[i]):
                    firing = Firing(rule, self._counts[i])
        return firing

    @property
    def counts(self) -> tuple[int, ...]:
        """Matching requests seen so far, per rule (for tests and diagnostics)."""
        with self._lock:
            return tuple(self._counts)


def short_circuit(firing: Firing) -> SimResponse | None:
    """The response for faults that replace normal handling, else None."""
    rule = firing.rule
    if rule.kind == "rate_limit":
        seconds = f"{rule.retry_after_s:g}"
        return error_response(
            429,
            f"Rate limit reached for this route. Retry after {seconds} seconds.",
            "rate_limit_error",
            "rate_limit_exceeded",
            {"retry-after": seconds, "retry-after-ms": str(round(rule.retry_after_s * 1000))},
        )
    if rule.kind == "server_error":
        if firing.count % 2:
            return error_response(
                503, "The server is temporarily unavailable.", "server_error", "service_unavailable"
            )
        return SimResponse(503, {"content-type": "text/html"}, _HTML_503)
    if rule.kind == "drop":
        return SimResponse(0, {}, b"", fault="drop")
    if rule.kind == "malformed":
        return SimResponse(200, {"content-type": "text/html; charset=utf-8"}, _HTML_PROXY_ERROR)
    if rule.kind == "expired":
        return error_response(
            404,
            "The requested log file was not found or has expired.",
            "invalid_request_error",
            "not_found",
        )
    return None


def corrupted(response: SimResponse) -> SimResponse:
    """A `bad_checksum` fault: the same answer with one byte of the body flipped.

    The size is unchanged, so only a checksum catches it (what a bit flip in storage or a
    broken proxy looks like). Non-200 answers and empty bodies are left alone.
    """
    if response.status != 200 or not response.body:
        return response
    body = bytearray(response.body)
    middle = len(body) // 2
    body[middle] = body[middle] ^ 0x20 if body[middle] not in (0x0A, 0x0D) else 0x20
    return SimResponse(response.status, dict(response.headers), bytes(body), response.fault)


def truncated(body: bytes) -> bytes:
    """The part of a body a `truncate` fault delivers: roughly the first half."""
    return body[: len(body) // 2]


def with_extra_fields(response: SimResponse) -> SimResponse:
    """Add fields no client knows: top-level ones on every row, a future client in the
    `clients` breakdown (with zero usage, so sums still hold) and a new metric in `totals`."""
    if response.status != 200 or not response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        return response
    payload = orjson.loads(response.body)
    rows = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(rows, list):
        return response
    for row in rows:
        if isinstance(row, dict):
            _extend_row(row)
    return SimResponse(
        response.status, dict(response.headers), orjson.dumps(payload), response.fault
    )


def _extend_row(row: dict[str, Any]) -> None:
    row["sim_schema_version"] = "2099-01-01"
    row["sim_annotations"] = {"source": "fault:extra_fields", "tags": ["future"]}
    totals = row.get("totals")
    if isinstance(totals, dict):
        totals["sim_future_metric"] = 0
    clients = row.get("clients")
    if isinstance(clients, list):
        clients.append(
            {
                "client_id": FUTURE_CLIENT,
                "threads": 0,
                "turns": 0,
                "credits": 0.0,
                "estimated_cost_usd": None,
                "sim_future_metric": 0,
            }
        )
