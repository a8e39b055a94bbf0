"""Responses in the shapes the Admin API uses, for every simulated route.

Errors come in two documented shapes: `{"error": {"message", "type", "code"}}` for auth,
scope, not-found and rate-limit errors (as on the other Admin API routes), and FastAPI's
`{"detail": [...]}` for query validation (422), which is the only error SPEC documents for the
analytics routes. Keeping them here lets the compliance routes answer in the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

JSON = "application/json"


@dataclass
class SimResponse:
    """What the simulator answers. `fault` asks the wire layer to misbehave:
    `"drop"` (close without answering; `status` is 0 and there is nothing to send) or
    `"truncate"` (send the headers for the whole `body`, then only part of it, then close)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    fault: str | None = None


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> SimResponse:
    return raw_json_response(status, orjson.dumps(payload), headers)


def raw_json_response(
    status: int, body: bytes, headers: dict[str, str] | None = None
) -> SimResponse:
    return SimResponse(status, {"content-type": JSON, **(headers or {})}, body)


def error_response(
    status: int, message: str, type_: str, code: str | None, headers: dict[str, str] | None = None
) -> SimResponse:
    """The Admin API error envelope: `{"error": {"message", "type", "code"}}`."""
    return json_response(
        status, {"error": {"message": message, "type": type_, "code": code}}, headers
    )


def validation_error(*details: dict[str, Any]) -> SimResponse:
    """A FastAPI 422: `{"detail": [{"type", "loc", "msg", "input", "ctx"?}, ...]}`."""
    return json_response(422, {"detail": list(details)})


def detail(
    type_: str, name: str, msg: str, value: Any, ctx: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One FastAPI validation item for query parameter `name`."""
    item: dict[str, Any] = {"type": type_, "loc": ["query", name], "msg": msg, "input": value}
    if ctx is not None:
        item["ctx"] = ctx
    return item


def not_found() -> SimResponse:
    """FastAPI's answer for a path no route matches."""
    return json_response(404, {"detail": "Not Found"})


def method_not_allowed(allowed: list[str]) -> SimResponse:
    return json_response(405, {"detail": "Method Not Allowed"}, {"allow": ", ".join(allowed)})
