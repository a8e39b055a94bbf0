"""The Codex Analytics API client: one UTC day of one endpoint at a time, every page of it.

A day is the unit of landing (one lake partition), so the client's unit of work is a day too:
`fetch_day` returns a `DayFetch` only once paging reached `has_more: false`, which means a
partial day can never be landed as if it were whole. `iter_days` fetches a few days in
parallel and hands them back in order as they finish, so the caller can write each day
before the next arrives and memory holds a few days at most.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote

from codex_assets.defs.analytics.window import check_days_servable
from codex_assets.lib.http.client import ApiHttpClient, HttpSettings, RequestTally
from codex_assets.lib.http.errors import ApiSchemaError, CodexApiError
from codex_assets.lib.parallel import Cancelled, Stopped, never_stopped, ordered_parallel
from codex_assets.lib.utc import day_end, day_start, utc_now

ANALYTICS_SCOPE = "codex.enterprise.analytics.read"
"""The scope an Analytics API key needs (named in the 403 error and the setup messages)."""
ANALYTICS_KEY_VAR = "CODEX_ANALYTICS_API_KEY"
MAX_PAGE_SIZE = 30000

R = TypeVar("R")

# endpoint name -> (path segment under the workspace, fixed extra query parameters)
ENDPOINTS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "usage": ("usage", ()),
    "usage_workspace": ("usage", (("group", "workspace"),)),
    "code_reviews": ("code_reviews", ()),
    "code_review_responses": ("code_review_responses", ()),
}


def day_bounds(day: date) -> tuple[int, int]:
    """`[start, end)` of a UTC day in Unix seconds, as the API's start_time/end_time want them."""
    return int(day_start(day).timestamp()), int(day_end(day).timestamp())


def analytics_http_settings(base_url: str, api_key: str, **overrides: Any) -> HttpSettings:
    """HTTP settings for the Analytics API: its key variable and scope (for the errors)."""
    return HttpSettings(
        base_url=base_url,
        api_key=api_key,
        key_env_var=ANALYTICS_KEY_VAR,
        scope=ANALYTICS_SCOPE,
        **overrides,
    )


@dataclass
class DayFetch:
    """Every row one endpoint returned for one UTC day, exactly as the API sent them.

    It exists only when paging reached `has_more: false`. `requests` and `retries` count the
    HTTP attempts behind it (a retried page counts every attempt).
    """

    endpoint: str
    day: date
    rows: list[dict]
    pages: int
    requests: int
    retries: int


class AnalyticsClient:
    """Fetches days of the three Analytics endpoints for one workspace.

    `now` is injectable so the window checks (90-day lookback, 12-hour lag) can be pinned.
    """

    def __init__(
        self,
        http: ApiHttpClient,
        workspace_id: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        max_concurrency: int = 4,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        if not workspace_id or not workspace_id.strip():
            raise ValueError(
                f"No workspace id: set {http.settings.workspace_env_var} to the workspace UUID "
                "shown under Workspace details at chatgpt.com/admin."
            )
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        self.http = http
        self.workspace_id = workspace_id.strip()
        self.page_size = page_size
        self.max_concurrency = max_concurrency
        self._now = now

    def path(self, endpoint: str) -> str:
        """The endpoint's path relative to the API base URL."""
        segment, _ = self._endpoint(endpoint)
        workspace = quote(self.workspace_id, safe="")
        return f"/analytics/codex/workspaces/{workspace}/{segment}"

    def day_params(self, endpoint: str, day: date) -> list[tuple[str, str | int]]:
        """The query of a day's first page; later pages add `page` and change nothing else."""
        _, extra = self._endpoint(endpoint)
        start, end = day_bounds(day)
        return [("start_time", start), ("end_time", end), ("limit", self.page_size), *extra]

    def fetch_day(self, endpoint: str, day: date) -> DayFetch:
        """All rows of `endpoint` for `day` (checked against the API's window first)."""
        self._endpoint(endpoint)
        check_days_servable([day], self._now())
        return self._fetch_day(endpoint, day, never_stopped)

    def iter_days(self, endpoint: str, days: Sequence[date]) -> Iterator[DayFetch]:
        """Yield a `DayFetch` per day, in day order, fetching up to `max_concurrency` at once.

        The window is checked here, before anything is sent: if any day is outside it, this
        raises `OutsideApiWindowError` and no request is made. If a day fails, no further day
        is started, the days before it are still yielded (so the caller keeps them), and the
        day's error is raised.
        """
        return self.map_days(endpoint, days, _same)

    def map_days(
        self, endpoint: str, days: Sequence[date], then: Callable[[DayFetch], R]
    ) -> Iterator[R]:
        """`iter_days`, with `then(fetch)` run on each day in the thread that fetched it.

        Why: landing a day (DuckDB typing it, writing and syncing its Parquet file) takes as
        long as fetching it; done in the fetching threads, it overlaps with the other days'
        requests instead of following them one at a time. The results come back in day order
        with the same stopping rules as `iter_days`: a day fetched after a failed one may
        already have been handed to `then`, and nothing new starts.
        """
        self._endpoint(endpoint)
        ordered = sorted(set(days))
        check_days_servable(ordered, self._now())
        return self._iter_days(endpoint, ordered, then)

    # -- internals ----------------------------------------------------------------------------

    def _endpoint(self, endpoint: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        try:
            return ENDPOINTS[endpoint]
        except KeyError:
            raise ValueError(
                f"Unknown analytics endpoint {endpoint!r}; expected one of {sorted(ENDPOINTS)}"
            ) from None

    def _iter_days(
        self, endpoint: str, days: list[date], then: Callable[[DayFetch], R]
    ) -> Iterator[R]:
        # At most max_concurrency days are in flight or finished-but-not-yielded; a failed day
        # stops the days after it (between pages), the days before it are still yielded.
        def work(day: date, stopped: Stopped) -> R:
            fetch = self._fetch_day(endpoint, day, stopped)
            if stopped():
                raise Cancelled
            return then(fetch)

        return ordered_parallel(
            work,
            days,
            max_workers=self.max_concurrency,
            max_pending=self.max_concurrency,
            thread_name_prefix=f"codex-{endpoint}",
        )

    def _fetch_day(self, endpoint: str, day: date, stopped: Stopped) -> DayFetch:
        path = self.path(endpoint)
        params = self.day_params(endpoint, day)
        tally = RequestTally()
        rows: list[dict] = []
        seen: dict[str, int] = {}
        cursor: str | None = None
        page = 0
        try:
            while True:
                if stopped():
                    raise Cancelled
                page += 1
                page_params = [*params, ("page", cursor)] if cursor is not None else params
                body = self.http.get_json(path, page_params, tally=tally)
                data, has_more, next_page = _read_page(body, self.http.describe(path, page_params))
                rows.extend(data)
                if not has_more or next_page is None:
                    break
                if next_page in seen:
                    raise ApiSchemaError.build(
                        url=self.http.describe(path, page_params),
                        field="next_page",
                        problem=(
                            f"repeats the cursor {next_page[:80]!r} already returned by page "
                            f"{seen[next_page]}, so paging would never end; the day is not "
                            "landed"
                        ),
                    )
                seen[next_page] = page
                cursor = next_page
        except CodexApiError as error:
            error.add_context(f"Fetching {endpoint} for {day} (page {page})")
            raise
        return DayFetch(
            endpoint=endpoint,
            day=day,
            rows=rows,
            pages=page,
            requests=tally.requests,
            retries=tally.retries,
        )


def _same(fetch: DayFetch) -> DayFetch:
    return fetch


def _describe_type(value: Any) -> str:
    return "null" if value is None else f"a JSON {type(value).__name__}"


def _read_page(body: dict, url: str) -> tuple[list[dict], bool, str | None]:
    """`(data, has_more, next_page)` from a page envelope, or `ApiSchemaError` naming the field."""

    def fail(field: str, problem: str) -> ApiSchemaError:
        keys = ", ".join(sorted(body)) or "none"
        return ApiSchemaError.build(url=url, field=field, problem=f"{problem} (body keys: {keys})")

    if "data" not in body:
        raise fail("data", "is missing")
    data = body["data"]
    if not isinstance(data, list):
        raise fail("data", f"is {_describe_type(data)}, expected a list of rows")
    for index, row in enumerate(data):
        if not isinstance(row, dict):
            raise fail(f"data[{index}]", f"is {_describe_type(row)}, expected an object")
    if "has_more" not in body:
        raise fail("has_more", "is missing")
    has_more = body["has_more"]
    if not isinstance(has_more, bool):
        raise fail("has_more", f"is {_describe_type(has_more)}, expected true or false")
    next_page = body.get("next_page")
    if has_more and (not isinstance(next_page, str) or not next_page):
        raise fail(
            "next_page",
            f"is {_describe_type(next_page) if next_page != '' else 'an empty string'} although "
            "has_more is true, so the rest of the day cannot be fetched; the day is not landed",
        )
    return data, has_more, next_page if has_more else None
