"""A strict, in-memory Codex Analytics API behind an `httpx.MockTransport`.

It serves exactly the pages a `PagePlan` says, and checks every request against the contract
(bearer key, the documented paths and parameters, one-day spans, the same parameters on every
page, the cursor it handed out). A request it does not expect gets a 422 in the documented
`HTTPValidationError` shape, and is recorded in `violations`, so a test can say what the client
did wrong rather than only that it failed.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from typing import Any

import httpx

from codex_assets.defs.analytics.client import day_bounds
from tests.property.strategies import API_KEY, BASE_URL, WORKSPACE_ID, Dataset, PagePlan

_PREFIX = f"/v1/analytics/codex/workspaces/{WORKSPACE_ID}/"
_SEGMENTS = {"usage", "code_reviews", "code_review_responses"}


class FakeAnalyticsApi:
    """Serves a `Dataset` day by day, paged as planned; `serve()` switches to a new version."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._pages: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self._cursors: dict[tuple[str, int], dict[str, int]] = {}
        self.requests: Counter[tuple[str, int, int]] = Counter()
        """(endpoint, start_time, page index) -> times served, for the current version."""
        self.violations: list[str] = []

    def serve(
        self, dataset: Dataset, plans: dict[tuple[str, date], PagePlan], days: list[date]
    ) -> None:
        """Serve `days` of `dataset` from now on, paged by `plans` (other days: unchanged)."""
        with self._lock:
            for (endpoint, day), plan in plans.items():
                if day not in days:
                    continue
                rows = dataset.day_rows(endpoint, day)
                assert sum(plan.sizes) == len(rows)
                start, _ = day_bounds(day)
                pages, offset = [], 0
                for index, size in enumerate(plan.sizes):
                    last = index == len(plan.sizes) - 1
                    page: dict[str, Any] = {
                        "object": "page",
                        "data": rows[offset : offset + size],
                        "has_more": not last,
                        **plan.extras,
                    }
                    if not last:
                        page["next_page"] = plan.cursors[index]
                    elif not plan.last_next_page_absent:
                        page["next_page"] = None
                    pages.append(page)
                    offset += size
                self._pages[(endpoint, start)] = pages
                self._cursors[(endpoint, start)] = {
                    cursor: i + 1 for i, cursor in enumerate(plan.cursors)
                }
            self.requests.clear()

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        try:
            endpoint, start, index = self._route(request)
        except _Reject as reject:
            with self._lock:
                self.violations.append(f"{request.method} {request.url}: {reject}")
            return httpx.Response(
                422,
                json={"detail": [{"loc": reject.loc, "msg": str(reject), "type": "value_error"}]},
            )
        with self._lock:
            self.requests[(endpoint, start, index)] += 1
            page = self._pages[(endpoint, start)][index]
        return httpx.Response(200, json=page)

    def _route(self, request: httpx.Request) -> tuple[str, int, int]:
        if request.method != "GET":
            raise _Reject(["method"], f"{request.method} is not served")
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            raise _Reject(["header", "authorization"], "not the bearer key")
        if not str(request.url).startswith(BASE_URL) or not request.url.path.startswith(_PREFIX):
            raise _Reject(["path"], "not a Codex Analytics path of the workspace")
        segment = request.url.path.removeprefix(_PREFIX)
        if segment not in _SEGMENTS:
            raise _Reject(["path"], f"unknown endpoint {segment!r}")
        params = request.url.params
        allowed = {"start_time", "end_time", "limit", "page"} | (
            {"group"} if segment == "usage" else set()
        )
        for name in params:
            if name not in allowed:
                raise _Reject(["query", name], "parameter not documented for this endpoint")
            if len(params.get_list(name)) != 1:
                raise _Reject(["query", name], "sent more than once")
        endpoint = segment
        if segment == "usage" and "group" in params:
            if params["group"] != "workspace":
                raise _Reject(["query", "group"], "only 'workspace' is documented")
            endpoint = "usage_workspace"
        try:
            start, end, limit = (int(params[name]) for name in ("start_time", "end_time", "limit"))
        except (KeyError, ValueError) as error:
            raise _Reject(
                ["query"], f"start_time, end_time and limit are integers: {error}"
            ) from None
        if limit != self.limit:
            raise _Reject(["query", "limit"], f"expected the client's limit {self.limit}")
        if start % 86400 or end - start != 86400:
            raise _Reject(["query", "start_time"], "expected one UTC day")
        pages = self._pages.get((endpoint, start))
        if pages is None:
            raise _Reject(["query", "start_time"], "a day this test does not serve")
        cursor = params.get("page")
        if cursor is None:
            return endpoint, start, 0
        index = self._cursors[(endpoint, start)].get(cursor)
        if index is None:
            raise _Reject(["query", "page"], f"cursor {cursor!r} was never handed out")
        return endpoint, start, index

    def pages_of(self, endpoint: str, day: date) -> int:
        return len(self._pages[(endpoint, day_bounds(day)[0])])


class _Reject(Exception):
    def __init__(self, loc: list[str], message: str) -> None:
        super().__init__(message)
        self.loc = loc
