"""The simulator: one object that answers Codex API requests as the real API would.

`Simulator.handle` is transport-free (method, path, query, headers in; `SimResponse` out), so
the same code serves the in-process httpx transport and the real HTTP server. Around every
route it applies what the Admin API does for all routes, in the order a FastAPI app would:
route lookup (404/405), injected faults, bearer auth (401) and scope (403), the workspace in
the path (404), then the route's own handler (validation 422, data).

API modules plug in through the route table (`routing.Route`): each (the analytics API, the
compliance API) registers its routes from `Simulator.__init__`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from codex_assets.simulator import compliance
from codex_assets.simulator.analytics import ANALYTICS_SCOPE, ENDPOINTS, AnalyticsApi
from codex_assets.simulator.config import SimulatorConfig
from codex_assets.simulator.faults import (
    FaultInjector,
    Firing,
    corrupted,
    short_circuit,
    with_extra_fields,
)
from codex_assets.simulator.responses import (
    SimResponse,
    error_response,
    method_not_allowed,
    not_found,
)
from codex_assets.simulator.routing import Request, Router
from codex_assets.simulator.workspace import (
    SyntheticWorkspace,
    UserDayActivity,
    WorkspaceShape,
    derived_uuid,
    draw,
)

__all__ = ["SimResponse", "Simulator"]

log = logging.getLogger(__name__)


class Simulator:
    """A deterministic Codex API for one synthetic workspace. Thread-safe.

    Attributes other modules use: `config`, `workspace` (the `SyntheticWorkspace`),
    `workspace_id`, `router`, `faults`, `analytics` (the `AnalyticsApi`), `compliance` (the
    `ComplianceApi`).
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.workspace = SyntheticWorkspace(
            self.config.seed, self.config.users, workspace_shape(self.config)
        )
        self.workspace_id = self.config.workspace_id or derived_uuid(self.config.seed, "workspace")
        self.router = Router()
        self.faults = FaultInjector(self.config.faults)
        self._scopes: dict[str, frozenset[str]] = {
            self.config.analytics_key: frozenset({ANALYTICS_SCOPE}),
            self.config.compliance_key: frozenset({compliance.COMPLIANCE_SCOPE}),
        }
        self._revisions: dict[date, int] = {}
        self._lock = threading.Lock()
        self.analytics = AnalyticsApi(self)
        self.analytics.register()
        self.compliance = compliance.ComplianceApi(self)
        self.compliance.register()

    # -- clock, keys, restatements ----------------------------------------------------------

    def now(self) -> datetime:
        """The simulator's UTC clock (the config's, or real time)."""
        now = self.config.now() if self.config.now is not None else datetime.now(UTC)
        return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)

    def grant(self, key: str, scopes: Iterable[str]) -> None:
        """Accept another bearer key with exactly `scopes` (e.g. a key lacking a scope, for tests)."""
        with self._lock:
            self._scopes[key] = frozenset(scopes)

    def scopes_of(self, key: str) -> frozenset[str] | None:
        with self._lock:
            return self._scopes.get(key)

    def restate(self, day: date, revision: int = 1) -> None:
        """From now on serve `day` at `revision` (0 = as first published).

        The real API revises recent days; a restatement changes some users' threads, turns
        and credits deterministically, and the workspace row follows (it stays the exact sum).
        An explicit revision (0 included) overrides the profile's automatic restatements.
        """
        if revision < 0:
            raise ValueError("revision must be 0 or above")
        with self._lock:
            self._revisions[day] = revision

    def revision(self, day: date) -> int:
        """The revision `day` is currently served at: the one `restate` set, else the
        profile's automatic restatement (`restated_day_fraction`), else 0."""
        with self._lock:
            explicit = self._revisions.get(day)
        if explicit is not None:
            return explicit
        return self.auto_revision(day, self.now())

    def auto_revision(self, day: date, now: datetime) -> int:
        """1 for a day the profile restates, once `restatement_delay_days` have passed since
        it was first published (D+1 12:00 UTC); else 0. Deterministic from hash(seed, day)."""
        config = self.config
        if not config.restated_day_fraction:
            return 0
        if draw(config.seed, "restated-day", day.toordinal()) >= config.restated_day_fraction:
            return 0
        published = datetime(day.year, day.month, day.day, 12, tzinfo=UTC) + timedelta(days=1)
        return 1 if now >= published + timedelta(days=config.restatement_delay_days) else 0

    # -- data accessors (what tests compare landed data against) -----------------------------

    def activity(self, day: date) -> UserDayActivity:
        """Per-user facts for `day` at its current revision (see `UserDayActivity`)."""
        return self.analytics.activity(day)

    def day_rows(self, endpoint: str, day: date) -> list[dict[str, Any]]:
        """Exactly the rows the API serves for `day` (ignoring faults, the lag and the lookback).

        endpoint: `usage` (per user), `usage_workspace` (group=workspace), `code_reviews`,
        `code_review_responses`.
        """
        if endpoint not in ENDPOINTS:
            raise ValueError(
                f"unknown endpoint {endpoint!r}; expected one of {', '.join(ENDPOINTS)}"
            )
        return self.analytics.day_rows(endpoint, day)

    # -- requests ---------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]],
        headers: Mapping[str, str],
    ) -> SimResponse:
        """Answer one request. Never raises: a handler bug becomes a 500 JSON error."""
        try:
            return self._handle(method.upper(), path, tuple(query), headers)
        except Exception:
            log.exception("simulator handler failed for %s %s", method, path)
            return error_response(500, "The simulator failed to answer.", "server_error", None)

    def _handle(
        self,
        method: str,
        path: str,
        query: tuple[tuple[str, str], ...],
        headers: Mapping[str, str],
    ) -> SimResponse:
        found = self.router.match(method, path)
        if isinstance(found, list):
            return method_not_allowed(found) if found else not_found()
        route, params = found

        firing = self.faults.decide(route.name)
        if firing is not None:
            early = short_circuit(firing)
            if early is not None:
                return early
            if firing.rule.kind == "slow":
                time.sleep(firing.rule.delay_ms / 1000)

        lower = {name.lower(): value for name, value in headers.items()}
        if route.scope is not None:
            refused = self._authorize(lower, route.scope)
            if refused is not None:
                return self._finish(refused, firing)
        if "workspace_id" in params and params["workspace_id"] != self.workspace_id:
            return self._finish(
                error_response(
                    404,
                    f"Workspace {params['workspace_id']} not found.",
                    "invalid_request_error",
                    "workspace_not_found",
                ),
                firing,
            )
        request = Request(method, path, params, query, lower)
        return self._finish(route.handler(request), firing)

    def _authorize(self, headers: Mapping[str, str], scope: str) -> SimResponse | None:
        scheme, _, token = headers.get("authorization", "").strip().partition(" ")
        token = token.strip()
        scopes = self.scopes_of(token) if scheme.lower() == "bearer" and token else None
        if scopes is None:
            message = (
                "Missing bearer token: send 'Authorization: Bearer <key>'."
                if not token
                else "Incorrect API key provided."
            )
            return error_response(
                401,
                message,
                "invalid_request_error",
                "invalid_api_key",
                {"www-authenticate": "Bearer"},
            )
        if scope not in scopes:
            return error_response(
                403,
                f"The API key does not have the required scope: {scope}.",
                "invalid_request_error",
                "missing_scope",
            )
        return None

    @staticmethod
    def _finish(response: SimResponse, firing: Firing | None) -> SimResponse:
        """Apply faults that alter a normal answer (truncate, extra_fields, bad_checksum)."""
        if firing is None:
            return response
        if firing.rule.kind == "extra_fields":
            return with_extra_fields(response)
        if firing.rule.kind == "truncate":
            response.fault = "truncate"
        if firing.rule.kind == "bad_checksum":
            return corrupted(response)
        return response


def workspace_shape(config: SimulatorConfig) -> WorkspaceShape:
    """The part of a config's shape the synthetic workspace's facts depend on."""
    return WorkspaceShape(
        idle_weekends=config.idle_weekends,
        idle_day_fraction=config.idle_day_fraction,
        review_day_fraction=config.review_day_fraction,
        response_day_fraction=config.response_day_fraction,
        unprioritized_comment_fraction=config.unprioritized_comment_fraction,
        null_email_fraction=config.null_email_fraction,
        null_tokens_fraction=config.null_tokens_fraction,
        null_cost_fraction=config.null_cost_fraction,
    )
