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
  link has expired or was tampered with;
- `compliance_max_event_time`: `GET /v1/compliance/{workspaces|organizations}/{id}/max_event_time
  ?event_type=..` (repeatable) answers `{"max_event_time": {"<TYPE>": "<iso>" | null}}`, the
  latest event timestamp in the files listed so far (codex-api.md "2026-12 additions",
  Freshness endpoint, since v2.5.12); `serve_max_event_time=False` leaves it out (404), as an
  older API.

Paging, and what it relies on (codex-api.md Part 2, 2.1 "List files", and "2026-12
additions", Compliance Logs Platform): `after` returns files whose `end_time` is *strictly
later*; "to page, pass the previous `last_end_time`"; only `has_more` and `last_end_time` are
promised, and a page may hold fewer files than `limit` (down to one) with `has_more` true.
So `last_end_time` is the `end_time` of the page's last file, and a page never ends inside a
run of files sharing one `end_time`: were it cut there, `after=last_end_time` would skip the
rest of the run. A page that would be cut inside a run (by `limit` or by the profile's
`max_page_files`) ends before the run, or, when the run alone is longer than the page, holds
the whole run (more files than `limit`; the contract does not say a page may not, while
losing files would break the documented paging). A client that always sends
`after=last_end_time` therefore always advances and sees every file exactly once. On a
profile with `empty_last_page_fraction`, some listings report `has_more` true on their last
files and then answer `data: []`, `has_more` false and `last_end_time` null ("date-time or
null"), so a client must keep its previous `after` when a page is empty.

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

from codex_assets.simulator.cache import LruCache
from codex_assets.simulator.compliance_events import (
    US,
    day_start_us,
    micros,
    window_bounds,
    window_index,
)
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

COMPLIANCE_SCOPE = "chatgpt.enterprise.compliance_logs_platform.read"
WORKSPACE_PREFIX = "/v1/compliance/workspaces/{workspace_id}/logs"
ORGANIZATION_PREFIX = "/v1/compliance/organizations/{organization_id}/logs"
MAX_EVENT_TIME_PATHS = (
    "/v1/compliance/workspaces/{workspace_id}/max_event_time",
    "/v1/compliance/organizations/{organization_id}/max_event_time",
)
SIGNED_PATH = "/signed/compliance/{file_name}"
RETENTION = timedelta(days=30)
RETENTION_US = RETENTION // timedelta(microseconds=1)
MAX_LIMIT = 100
SIGNED_URL_TTL = timedelta(minutes=5)
PUBLISH_DELAY_MINUTES = (5, 30)
"""A window's files appear this long after the window ends (the documented p99 is 30 min)."""


def organization_id_for(seed: int) -> str:
    digest = hashlib.sha256(f"codex-sim-org:{seed}".encode()).hexdigest()
    return "org-" + digest[:24]


class ComplianceApi:
    """Serves the compliance routes of one `Simulator`; also what tests compare landed data to."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.organization_id = sim.config.organization_id or organization_id_for(sim.config.seed)
        self.files = ComplianceFiles(sim, self.organization_id)
        self._signing_key = hashlib.sha256(f"codex-sim-signing:{self.files.key}".encode()).digest()
        self._page_files = sim.config.max_page_files
        self._empty_last_page = sim.config.empty_last_page_fraction
        self._file_max_ts: LruCache[int | None] = LruCache(50_000)

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
        if self.sim.config.serve_max_event_time:
            for path, principal in zip(
                MAX_EVENT_TIME_PATHS, (WORKSPACE, ORGANIZATION), strict=True
            ):
                add(
                    Route(
                        "compliance_max_event_time",
                        "GET",
                        path,
                        lambda request, p=principal: self.max_event_time_route(request, p),
                        COMPLIANCE_SCOPE,
                    )
                )

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
        first = window_index(day_start_us(day))
        files: list[LogFile] = []
        for window in range(first, first + 144):
            window_files = self.files.window_files(principal, event_type, window)
            files += sorted(window_files, key=lambda f: (f.end_us, f.id))  # the listing's order
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
        """The page the list endpoint answers: up to `limit` files (fewer with the profile's
        `max_page_files`), never ending inside a run of files sharing an end_time (see the
        module docstring), and whether more exist."""
        size = limit if self._page_files is None else min(limit, self._page_files)
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
            # A run of files sharing an end_time lies in one window (a file ends inside its
            # window or at its end), so after a whole window a cut at `size` can be placed.
            if len(found) > size:
                cut = _page_cut(found, size)
                if cut < len(found):
                    return found[:cut], True
            window += 1
        return found, False

    def _ends_on_an_empty_page(self, *query: object) -> bool:
        """Whether this listing reports has_more on its last files (profile; per query)."""
        if not self._empty_last_page:
            return False
        digest = hashlib.sha256(repr(("empty-last", self.sim.config.seed, *query)).encode())
        return int.from_bytes(digest.digest()[:8], "big") / 2**64 < self._empty_last_page

    def max_event_time(self, principal: int, event_type: str, now_us: int) -> int | None:
        """The latest event timestamp (Unix microseconds) in the files of `event_type` the list
        endpoint shows at `now_us` (published, in order, within retention), or None."""
        oldest = now_us - RETENTION_US
        # The listing stops at the first window not yet published; windows ending 30 minutes
        # or more ago are all published, so the first gap is among the last few.
        window = window_index(now_us - (PUBLISH_DELAY_MINUTES[1] + 10) * 60 * US)
        while self.published_at(window + 1) <= now_us:
            window += 1
        best: int | None = None
        while window_bounds(window)[1] > oldest:
            if best is not None and window_bounds(window)[1] <= best:
                break  # events in this window and before it are older than `best`
            if not self.files.window_has_events(principal, event_type, window):
                window -= 1
                continue
            for log_file in self.files.window_files(principal, event_type, window):
                if log_file.end_us <= oldest:
                    continue
                latest = self._file_max_ts.get(log_file.id, lambda f=log_file: self._latest(f))
                if latest is not None and (best is None or latest > best):
                    best = latest
            window -= 1
        return best

    def _latest(self, log_file: LogFile) -> int | None:
        stamps = [
            orjson.loads(line)["timestamp"] for line in self.files.read(log_file).splitlines()
        ]
        return micros(datetime.fromisoformat(max(stamps))) if stamps else None

    # -- routes -----------------------------------------------------------------------------

    def list_logs(self, request: Request, principal: int) -> SimResponse:
        refused = self._principal_check(request, principal)
        if refused is not None:
            return refused
        event_types = _event_types(request, principal)
        if isinstance(event_types, SimResponse):
            return event_types
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
            principal, event_types, after, before, limit, micros(self.sim.now())
        )
        if files and not has_more:
            has_more = self._ends_on_an_empty_page(principal, event_types, after, before, limit)
        return json_response(
            200,
            {
                "data": [f.listing() for f in files],
                "has_more": has_more,
                "last_end_time": iso_offset(files[-1].end_us) if files else None,
            },
        )

    def max_event_time_route(self, request: Request, principal: int) -> SimResponse:
        refused = self._principal_check(request, principal)
        if refused is not None:
            return refused
        event_types = _event_types(request, principal)
        if isinstance(event_types, SimResponse):
            return event_types
        now_us = micros(self.sim.now())
        latest = {t: self.max_event_time(principal, t, now_us) for t in event_types}
        return json_response(
            200,
            {
                "max_event_time": {
                    t: None if us is None else iso_offset(us) for t, us in latest.items()
                }
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
        now_us = micros(self.sim.now())
        if self.published_at(window) > now_us:
            return gone
        files = self.files.window_files(principal, event_type, window)
        if part >= len(files) or files[part].end_us <= now_us - RETENTION_US:
            return gone
        return files[part]

    def _signature(self, file_id: str, expires: int) -> str:
        message = f"{file_id}:{expires}".encode()
        return hmac.new(self._signing_key, message, hashlib.sha256).hexdigest()


def _page_cut(found: list[LogFile], size: int) -> int:
    """Where a page of at most `size` files ends without splitting a run of files that share
    an end_time: before the run, or after it when the run starts the page."""
    cut = size
    while 0 < cut < len(found) and found[cut].end_us == found[cut - 1].end_us:
        cut -= 1
    if cut == 0:  # the page starts with a run longer than the page: serve it whole
        cut = size
        while cut < len(found) and found[cut].end_us == found[cut - 1].end_us:
            cut += 1
    return cut


def _event_types(request: Request, principal: int) -> list[str] | SimResponse:
    """The request's `event_type` values (repeated or comma-separated), or the 400."""
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
    return event_types


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
    return micros(moment)
