"""The Compliance Logs Platform routes (reference/codex-api.md Part 2), for both principals.

Routes (registered through `routing.Route`, so auth, scopes, the workspace 404 and faults come
from the simulator):

- `compliance_logs`: `GET /v1/compliance/{workspaces|organizations}/{id}/logs` lists files
  whose `end_time` is strictly after `after` (and strictly before `before`), ordered by
  `end_time`, at most `limit` (1..100), with `has_more` and `last_end_time`;
- `compliance_download`: `GET .../logs/{log_file_id}` answers 307 with a short-lived signed
  URL in `Location`;
- `compliance_file`: `GET /signed/compliance/{id}.jsonl?expires=..&signature=..`, outside the
  API's `/v1` root and unauthenticated (a storage host), serves the bytes, and 404s when the
  link has expired or was tampered with.

Contract details it enforces, so a client cannot get them wrong unnoticed: 400 for an unknown
or missing `event_type` (per principal: the org route serves APP_LOG, APP_AUTH_LOG and COSTS
only), a missing or malformed timestamp, a `limit` outside 1..100 and a malformed file id; 404
for an unknown workspace, organization or file; 30-day retention (older files are neither
listed nor downloadable); files appear only 5 to 30 minutes after their window ends, and a
listing stops at the first window not yet published, so `end_time` order never skips a file.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from codex_assets.simulator.app import COMPLIANCE_SCOPE
from codex_assets.simulator.compliance_events import US, window_index
from codex_assets.simulator.compliance_files import (
    FILE_ID,
    ORGANIZATION,
    ORGANIZATION_EVENT_TYPES,
    WINDOW_US,
    WORKSPACE,
    WORKSPACE_EVENT_TYPES,
    ComplianceFiles,
    LogFile,
    iso_offset,
)
from codex_assets.simulator.responses import SimResponse, error_response, json_response
from codex_assets.simulator.routing import Request, Route

if TYPE_CHECKING:
    from codex_assets.simulator.app import Simulator

WORKSPACE_PREFIX = "/v1/compliance/workspaces/{workspace_id}/logs"
ORGANIZATION_PREFIX = "/v1/compliance/organizations/{organization_id}/logs"
SIGNED_PATH = "/signed/compliance/{file_name}"
RETENTION = timedelta(days=30)
RETENTION_US = RETENTION // timedelta(microseconds=1)
MAX_LIMIT = 100
SIGNED_URL_TTL = timedelta(minutes=5)
PUBLISH_DELAY_MINUTES = (5, 30)
"""A window's files appear this long after the window ends (the documented p99 is 30 min)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def register(sim: Simulator) -> None:
    """Plug the compliance routes into `sim` (called by `Simulator.__init__`)."""
    api = ComplianceApi(sim)
    sim.compliance = api  # type: ignore[attr-defined]
    api.register()


def organization_id_for(seed: int) -> str:
    digest = hashlib.sha256(f"codex-sim-org:{seed}".encode()).hexdigest()
    return "org-" + digest[:24]


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


class ComplianceApi:
    """Serves the compliance routes of one `Simulator`; also what tests compare landed data to."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.organization_id = sim.config.organization_id or organization_id_for(sim.config.seed)
        self.files = ComplianceFiles(sim, self.organization_id)
        self._signing_key = hashlib.sha256(f"codex-sim-signing:{self.files.key}".encode()).digest()

    def register(self) -> None:
        add = self.sim.router.add
        for prefix, principal in (
            (WORKSPACE_PREFIX, WORKSPACE),
            (ORGANIZATION_PREFIX, ORGANIZATION),
        ):
            add(
                Route(
                    "compliance_logs",
                    "GET",
                    prefix,
                    lambda request, p=principal: self.list_logs(request, p),
                    COMPLIANCE_SCOPE,
                )
            )
            add(
                Route(
                    "compliance_download",
                    "GET",
                    prefix + "/{log_file_id}",
                    lambda request, p=principal: self.download(request, p),
                    COMPLIANCE_SCOPE,
                )
            )
        add(Route("compliance_file", "GET", SIGNED_PATH, self.signed_file, None))

    # -- what was served (for tests and benchmarks) -------------------------------------------

    def published_at(self, window: int) -> int:
        """When `window`'s files appear (Unix microseconds)."""
        low, high = PUBLISH_DELAY_MINUTES
        spread = (window * 2_654_435_761 + self.sim.config.seed) % (high - low + 1)
        return (window + 1) * WINDOW_US + (low + spread) * 60 * US

    def day_files(
        self, day: date, event_type: str = "CODEX_LOG", principal: int = WORKSPACE
    ) -> list[LogFile]:
        """Every file of `day` by the day rule (end_time in (D 00:00, D+1 00:00]), ignoring the
        clock and retention."""
        first = window_index(_micros(datetime(day.year, day.month, day.day, tzinfo=UTC)))
        files: list[LogFile] = []
        for window in range(first, first + 144):
            files += self.files.window_files(principal, event_type, window)
        return files

    def read(self, log_file: LogFile) -> bytes:
        return self.files.read(log_file)

    def served_events(self, day: date, event_type: str = "CODEX_LOG") -> list[dict[str, Any]]:
        """Every event line in `day`'s files, parsed, duplicates included, in file order."""
        return [
            orjson.loads(line)
            for log_file in self.day_files(day, event_type)
            for line in self.read(log_file).splitlines()
        ]

    def list_files(
        self,
        principal: int,
        event_types: list[str],
        after_us: int,
        before_us: int | None,
        limit: int,
        now_us: int,
    ) -> tuple[list[LogFile], bool]:
        """The page the list endpoint answers: up to `limit` files, and whether more exist."""
        lower = max(after_us, now_us - RETENTION_US)
        found: list[LogFile] = []
        window = lower // WINDOW_US
        while self.published_at(window) <= now_us:
            start = window * WINDOW_US
            if before_us is not None and start >= before_us:
                break
            files = [
                f
                for event_type in event_types
                for f in self.files.window_files(principal, event_type, window)
                if f.end_us > lower and (before_us is None or f.end_us < before_us)
            ]
            found += sorted(files, key=lambda f: (f.end_us, f.id))
            if len(found) > limit:
                return found[:limit], True
            window += 1
        return found, False

    # -- routes -----------------------------------------------------------------------------

    def list_logs(self, request: Request, principal: int) -> SimResponse:
        refused = self._principal_check(request, principal)
        if refused is not None:
            return refused
        allowed = WORKSPACE_EVENT_TYPES if principal == WORKSPACE else ORGANIZATION_EVENT_TYPES
        event_types = [
            part.strip() for value in request.args("event_type") for part in value.split(",")
        ]
        event_types = list(dict.fromkeys(t for t in event_types if t))
        if not event_types:
            return _bad_request("Missing required query parameter 'event_type'.", "missing_param")
        for event_type in event_types:
            if event_type not in allowed:
                return _bad_request(
                    f"Invalid event_type '{event_type}' for this principal. Expected one of: "
                    f"{', '.join(allowed)}.",
                    "invalid_event_type",
                )
        after = _timestamp(request.arg("after"), "after", required=True)
        if isinstance(after, SimResponse):
            return after
        before = _timestamp(request.arg("before"), "before", required=False)
        if isinstance(before, SimResponse):
            return before
        raw_limit = request.arg("limit")
        try:
            limit = MAX_LIMIT if raw_limit is None else int(raw_limit)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            return _bad_request(
                f"Invalid limit '{raw_limit}': expected an integer from 1 to {MAX_LIMIT}.",
                "invalid_limit",
            )
        assert after is not None
        files, has_more = self.list_files(
            principal, event_types, after, before, limit, _micros(self.sim.now())
        )
        return json_response(
            200,
            {
                "data": [f.listing() for f in files],
                "has_more": has_more,
                "last_end_time": iso_offset(files[-1].end_us) if files else None,
            },
        )

    def download(self, request: Request, principal: int) -> SimResponse:
        refused = self._principal_check(request, principal)
        if refused is not None:
            return refused
        file_id = request.path_params["log_file_id"]
        log_file = self._lookup(file_id, principal)
        if isinstance(log_file, SimResponse):
            return log_file
        expires = int(self.sim.now().timestamp() + SIGNED_URL_TTL.total_seconds())
        query = f"expires={expires}&signature={self._signature(file_id, expires)}"
        path = SIGNED_PATH.format(file_name=f"{file_id}.jsonl") + "?" + query
        host = request.headers.get("host")
        location = f"http://{host}{path}" if host else path
        return SimResponse(307, {"location": location, "cache-control": "no-store"}, b"")

    def signed_file(self, request: Request) -> SimResponse:
        name = request.path_params["file_name"]
        file_id = name.removesuffix(".jsonl")
        expires_raw, signature = request.arg("expires"), request.arg("signature") or ""
        try:
            expires = int(expires_raw or "")
        except ValueError:
            return _link_not_found()
        if (
            not name.endswith(".jsonl")
            or not FILE_ID.match(file_id)
            or not hmac.compare_digest(signature, self._signature(file_id, expires))
            or self.sim.now().timestamp() > expires
        ):
            return _link_not_found()
        decoded = self.files.decode_id(file_id)
        if decoded is None:
            return _link_not_found()
        principal, event_type, window, part = decoded
        files = self.files.window_files(principal, event_type, window)
        if part >= len(files):
            return _link_not_found()
        body = self.files.read(files[part])
        return SimResponse(200, {"content-type": "application/jsonl"}, body)

    # -- helpers ----------------------------------------------------------------------------

    def _principal_check(self, request: Request, principal: int) -> SimResponse | None:
        """The org route's 404 (the workspace route's is the simulator's own check)."""
        if principal == ORGANIZATION:
            org = request.path_params["organization_id"]
            if org != self.organization_id:
                return error_response(
                    404,
                    f"Organization {org} not found.",
                    "invalid_request_error",
                    "organization_not_found",
                )
        return None

    def _lookup(self, file_id: str, principal: int) -> LogFile | SimResponse:
        if not FILE_ID.match(file_id):
            return _bad_request(f"Malformed log file id '{file_id}'.", "invalid_log_file_id")
        decoded = self.files.decode_id(file_id)
        gone = error_response(
            404,
            f"Log file {file_id} not found or expired.",
            "invalid_request_error",
            "not_found",
        )
        if decoded is None or decoded[0] != principal:
            return gone
        _, event_type, window, part = decoded
        now_us = _micros(self.sim.now())
        if self.published_at(window) > now_us:
            return gone
        files = self.files.window_files(principal, event_type, window)
        if part >= len(files) or files[part].end_us <= now_us - RETENTION_US:
            return gone
        return files[part]

    def _signature(self, file_id: str, expires: int) -> str:
        message = f"{file_id}:{expires}".encode()
        return hmac.new(self._signing_key, message, hashlib.sha256).hexdigest()


def _bad_request(message: str, code: str) -> SimResponse:
    return error_response(400, message, "invalid_request_error", code)


def _link_not_found() -> SimResponse:
    return error_response(
        404,
        "The signed URL is invalid or has expired; request the log file again for a new one.",
        "invalid_request_error",
        "signed_url_invalid",
    )


def _timestamp(raw: str | None, name: str, *, required: bool) -> int | SimResponse | None:
    """Unix microseconds of an ISO 8601 query value (naive means UTC), or a 400."""
    if raw is None or not raw.strip():
        if required:
            return _bad_request(f"Missing required query parameter '{name}'.", "missing_param")
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return _bad_request(
            f"Invalid timestamp for '{name}': {raw!r} is not ISO 8601 (e.g. 2026-05-01T00:00:00Z).",
            "invalid_timestamp",
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _micros(moment)
