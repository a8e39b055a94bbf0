"""The Codex Analytics API routes: query validation, the time window, paging and caching.

Why it is strict: the client is written to the documented contract (reference/codex-api.md
Part 1), and the simulator is the test double every test uses, so anything a real server may
refuse is refused here too, in FastAPI's 422 shape: a `limit` outside 1..30000, non-integer
times, an unknown `group`, an empty window, a cursor that is malformed or was issued for other
parameters, and a `start_time` beyond the 90-day lookback. Days still inside the 12-hour lag
are not an error; their rows are simply not there yet.

Why payloads are cached as per-row JSON bytes: a page is then a join of byte strings, so
paging through a 10,000-user day with a small `limit` costs almost nothing after the first
page, and `day_rows` can return exactly what was served by parsing the same bytes.

Profile shapes served here (see `SimulatorConfig`), all within the envelope the contract
promises (codex-api.md Part 1 "Page envelope", and "2026-12 additions": only
`has_more`/`next_page` are promised, inactive days are omitted, no zero rows are promised):
idle days and empty feeds have no rows at all; `max_page_rows` caps a page below `limit`
with `has_more` true; `empty_last_page_fraction` ends some queries with `has_more` true and
then an empty page; `cursor_style="standard"` issues cursors containing `+`, `/` and `=`,
which a client must URL-encode (a `+` sent raw arrives as a space and the cursor is refused).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from codex_assets.simulator import rows as render
from codex_assets.simulator.cache import LruCache
from codex_assets.simulator.responses import (
    SimResponse,
    detail,
    raw_json_response,
    validation_error,
)
from codex_assets.simulator.routing import Request, Route
from codex_assets.simulator.workspace import UserDayActivity

if TYPE_CHECKING:
    from codex_assets.simulator.app import Simulator

ANALYTICS_SCOPE = "codex.enterprise.analytics.read"
PREFIX = "/v1/analytics/codex/workspaces/{workspace_id}"
ENDPOINTS: tuple[str, ...] = ("usage", "usage_workspace", "code_reviews", "code_review_responses")
"""What `day_rows` serves: per-user usage, workspace usage, and the two Code Review feeds."""

DEFAULT_LIMIT = 1000
MAX_LIMIT = 30_000
LOOKBACK_DAYS = 90
DEFAULT_WINDOW_DAYS = 30
LAG = timedelta(hours=12)
DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")

PAYLOAD_CACHE_BYTES = 96 * 1024 * 1024  # ~20 days of a 10,000-user workspace
ACTIVITY_CACHE_DAYS = 16


def latest_served_day(now: datetime) -> date:
    """The newest day whose rows exist at `now`: day D appears once now >= D+1 12:00 UTC."""
    return (now - LAG).date() - timedelta(days=1)


def oldest_served_day(now: datetime) -> date:
    """The oldest day a `start_time` may ask for: today (UTC) minus 90 days."""
    return now.date() - timedelta(days=LOOKBACK_DAYS)


@dataclass(frozen=True)
class Window:
    """A validated query: rows with start_time in [start, end), `limit` rows from `offset`."""

    start: int
    end: int
    limit: int
    offset: int
    digest: str
    now: datetime


class AnalyticsApi:
    """Serves the three analytics routes of one `Simulator`."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.workspace = sim.workspace
        self._activity: LruCache[UserDayActivity] = LruCache(ACTIVITY_CACHE_DAYS)
        self._counts: dict[tuple[date, int], int] = {}  # tiny, kept for good: paging walks days
        self._payloads: LruCache[tuple[bytes, ...]] = LruCache(
            PAYLOAD_CACHE_BYTES, weigh=lambda rows: sum(map(len, rows)) + 64 * len(rows)
        )
        config = sim.config
        self._one_row_a_day = not (
            config.omit_empty_rows or config.idle_weekends or config.idle_day_fraction
        )
        self._page_rows = config.max_page_rows
        self._empty_last_page = config.empty_last_page_fraction
        self._standard_cursors = config.cursor_style == "standard"

    def register(self) -> None:
        add = self.sim.router.add
        add(Route("usage", "GET", f"{PREFIX}/usage", self.usage, ANALYTICS_SCOPE))
        add(
            Route(
                "code_reviews", "GET", f"{PREFIX}/code_reviews", self.code_reviews, ANALYTICS_SCOPE
            )
        )
        add(
            Route(
                "code_review_responses",
                "GET",
                f"{PREFIX}/code_review_responses",
                self.code_review_responses,
                ANALYTICS_SCOPE,
            )
        )

    # -- data -------------------------------------------------------------------------------

    def activity(self, day: date, revision: int | None = None) -> UserDayActivity:
        """The day's per-user facts at `revision` (default: the day's current revision)."""
        rev = self.sim.revision(day) if revision is None else revision
        return self._activity.get((day, rev), lambda: self.workspace.user_day_activity(day, rev))

    def day_payload(self, endpoint: str, day: date) -> tuple[bytes, ...]:
        """The day's rows for `endpoint`, each serialised exactly as served."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; expected one of {ENDPOINTS}")
        rev = self.sim.revision(day) if endpoint.startswith("usage") else 0
        return self._payloads.get((endpoint, day, rev), lambda: self._render(endpoint, day, rev))

    def day_rows(self, endpoint: str, day: date) -> list[dict[str, Any]]:
        return [orjson.loads(row) for row in self.day_payload(endpoint, day)]

    def cache_stats(self) -> dict[str, int]:
        """Payload renders (misses) and reuses (hits), to show paging does not re-render."""
        return {"payload_hits": self._payloads.hits, "payload_misses": self._payloads.misses}

    def _render(self, endpoint: str, day: date, rev: int) -> tuple[bytes, ...]:
        dumps = orjson.dumps
        config = self.sim.config
        if self.workspace.is_idle(day):
            return ()  # an idle day has no rows on any feed (not zero rows)
        omit = config.omit_empty_rows
        if endpoint in ("usage", "usage_workspace"):
            act = self.activity(day, rev)
            quirks = render.row_quirks(config.seed, act, config)
            if endpoint == "usage":
                rows = render.user_rows(self.workspace, act, quirks, config.billing_unit)
                return tuple(dumps(row) for row in rows)
            if omit and not len(act):
                return ()
            return (dumps(render.workspace_row(act, quirks, config.billing_unit)),)
        extra = render.day_has_extra_fields(
            config.seed, endpoint, day, config.extra_fields_fraction
        )
        if endpoint == "code_reviews":
            reviews = self.workspace.code_reviews(day)
            if omit and not (reviews.pull_request_reviews or reviews.comments):
                return ()
            return (dumps(render.code_reviews_row(day, reviews, extra)),)
        facts = self.workspace.code_review_responses(day)
        if omit and not (facts.pull_request_reviews or facts.comments or facts.reactions):
            return ()
        return (dumps(render.code_review_responses_row(day, facts, extra)),)

    def _count(self, endpoint: str, day: date) -> int:
        if endpoint != "usage":
            if self._one_row_a_day:
                return 1  # the workspace and review feeds have one row for every served day
            return len(self.day_payload(endpoint, day))
        key = (day, self.sim.revision(day))
        count = self._counts.get(key)
        if count is None:
            count = self._counts[key] = len(self.activity(day, key[1]))
        return count

    # -- routes -----------------------------------------------------------------------------

    def usage(self, request: Request) -> SimResponse:
        group = request.arg("group")
        problems = []
        if group is not None and group != "workspace":
            problems.append(
                detail(
                    "literal_error",
                    "group",
                    "Input should be 'workspace'",
                    group,
                    {"expected": "'workspace'"},
                )
            )
        endpoint = "usage_workspace" if group == "workspace" else "usage"
        return self._serve(request, endpoint, problems)

    def code_reviews(self, request: Request) -> SimResponse:
        return self._serve(request, "code_reviews", [])

    def code_review_responses(self, request: Request) -> SimResponse:
        return self._serve(request, "code_review_responses", [])

    def _serve(
        self, request: Request, endpoint: str, problems: list[dict[str, Any]]
    ) -> SimResponse:
        window = self._window(request, endpoint, problems)
        if isinstance(window, SimResponse):
            return window
        return self._page(endpoint, window)

    # -- query validation -------------------------------------------------------------------

    def _window(
        self, request: Request, endpoint: str, problems: list[dict[str, Any]]
    ) -> Window | SimResponse:
        raw_start, raw_end = request.arg("start_time"), request.arg("end_time")
        raw_limit, raw_page = request.arg("limit"), request.arg("page")
        start = _integer("start_time", raw_start, problems)
        end = _integer("end_time", raw_end, problems)
        limit = _integer("limit", raw_limit, problems)
        if limit is not None and limit < 1:
            problems.append(
                detail(
                    "greater_than_equal",
                    "limit",
                    "Input should be greater than or equal to 1",
                    raw_limit,
                    {"ge": 1},
                )
            )
        elif limit is not None and limit > MAX_LIMIT:
            problems.append(
                detail(
                    "less_than_equal",
                    "limit",
                    f"Input should be less than or equal to {MAX_LIMIT}",
                    raw_limit,
                    {"le": MAX_LIMIT},
                )
            )
        if problems:
            return validation_error(*_fastapi_order(problems))

        now = self.sim.now()
        bounds = _resolve_bounds(start, end, raw_start, raw_end, now)
        if isinstance(bounds, SimResponse):
            return bounds
        start, end = bounds
        limit = DEFAULT_LIMIT if limit is None else limit
        digest = _digest(self.sim.workspace_id, endpoint, start, end, limit)
        offset = 0
        if raw_page is not None:
            offset_or_error = _decode_cursor(raw_page, digest, self._standard_cursors)
            if isinstance(offset_or_error, SimResponse):
                return offset_or_error
            offset = offset_or_error
        return Window(start, end, limit, offset, digest, now)

    # -- paging -----------------------------------------------------------------------------

    def _served_days(self, window: Window) -> list[date]:
        """Days whose rows are in the window: start_time in [start, end), within the lookback,
        and complete (past the lag). Computed on ordinals so any integer bound is safe."""
        now = window.now
        first = max(_EPOCH_ORDINAL - (-window.start // DAY), oldest_served_day(now).toordinal())
        last = min(_EPOCH_ORDINAL + (window.end - 1) // DAY, latest_served_day(now).toordinal())
        return [date.fromordinal(o) for o in range(first, last + 1)]

    def _page(self, endpoint: str, window: Window) -> SimResponse:
        size = window.limit if self._page_rows is None else min(window.limit, self._page_rows)
        lo, hi = window.offset, window.offset + size
        data: list[bytes] = []
        has_more = False
        position = 0
        for day in self._served_days(window):
            count = self._count(endpoint, day)
            if position + count <= lo:
                position += count
                continue
            if position >= hi:
                has_more = count > 0
                if has_more:
                    break
                continue
            rows = self.day_payload(endpoint, day)
            data.extend(rows[max(0, lo - position) : min(count, hi - position)])
            position += count
            if position > hi:
                has_more = True
                break
        if not has_more and data and self._empty_last_page:
            # Some queries end on an empty page: the rows are all here, yet has_more is true,
            # and the page after it has `data: []` and has_more false (chosen per query).
            has_more = int(window.digest[:8], 16) / 16**8 < self._empty_last_page
        next_page = _encode_cursor(hi, window.digest, self._standard_cursors) if has_more else None
        body = b"".join(
            (
                b'{"object":"page","data":[',
                b",".join(data),
                b'],"has_more":',
                b"true" if has_more else b"false",
                b',"next_page":',
                orjson.dumps(next_page),
                b"}",
            )
        )
        return raw_json_response(200, body)


def _resolve_bounds(
    start: int | None, end: int | None, raw_start: str | None, raw_end: str | None, now: datetime
) -> tuple[int, int] | SimResponse:
    """Apply the documented defaults (no bounds: the last 30 calendar days ending today; no
    end: up to the end of today), then refuse an empty window and a start beyond the lookback."""
    today = _day_start(now.date())
    oldest = today - LOOKBACK_DAYS * DAY
    if start is not None and end is not None and end <= start:
        return validation_error(
            detail(
                "value_error",
                "end_time",
                "Value error, end_time must be greater than start_time",
                raw_end,
                {"error": {}},
            )
        )
    if start is not None and start < oldest:
        oldest_day = date.fromordinal(_EPOCH_ORDINAL + oldest // DAY)
        return validation_error(
            detail(
                "value_error",
                "start_time",
                "Value error, start_time is outside the lookback window: the API looks back "
                f"at most {LOOKBACK_DAYS} days, so the earliest start_time is {oldest} "
                f"({oldest_day.isoformat()}T00:00:00Z)",
                raw_start,
                {"error": {}},
            )
        )
    if start is None and end is None:
        return today - (DEFAULT_WINDOW_DAYS - 1) * DAY, today + DAY
    if start is None:
        assert end is not None
        return max(end - DEFAULT_WINDOW_DAYS * DAY, oldest), end  # may be empty: no rows
    if end is None:
        return start, max(today + DAY, start + DAY)
    return start, end


def _day_start(day: date) -> int:
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY


def _integer(name: str, raw: str | None, problems: list[dict[str, Any]]) -> int | None:
    if raw is None:
        return None
    if _INTEGER.match(raw):
        return int(raw)
    problems.append(
        detail(
            "int_parsing",
            name,
            "Input should be a valid integer, unable to parse string as an integer",
            raw,
        )
    )
    return None


_ORDER = {"start_time": 0, "end_time": 1, "limit": 2, "page": 3, "group": 4}


def _fastapi_order(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """FastAPI reports errors in parameter declaration order."""
    return sorted(problems, key=lambda item: _ORDER.get(item["loc"][-1], 99))


def _digest(workspace_id: str, endpoint: str, start: int, end: int, limit: int) -> str:
    """What a cursor is bound to: every parameter except `page` (window resolved)."""
    text = f"{workspace_id}|{endpoint}|{start}|{end}|{limit}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_STANDARD_PREFIX = b"\xfb\xff\xbf"
"""Three bytes whose standard base64 is `+/+/`: every standard-style cursor starts with it."""


def _encode_cursor(offset: int, digest: str, standard: bool = False) -> str:
    raw = orjson.dumps({"o": offset, "q": digest})
    if standard:
        # Standard base64 (`+`, `/`), and padded to end in `==`: the cursor round-trips only
        # when the client URL-encodes it (`%2B`, `%2F`, `%3D`), as any opaque value must be.
        raw = _STANDARD_PREFIX + raw + b" " * ((1 - len(raw)) % 3)
        return base64.b64encode(raw).decode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_cursor(cursor: str, digest: str, standard: bool = False) -> int | SimResponse:
    try:
        if standard:
            raw = base64.b64decode(cursor.encode("ascii"), validate=True)
            if not raw.startswith(_STANDARD_PREFIX):
                raise ValueError("not a cursor of this server")
            payload = orjson.loads(raw[len(_STANDARD_PREFIX) :])
        else:
            padded = cursor + "=" * (-len(cursor) % 4)
            payload = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        offset, bound_to = payload["o"], payload["q"]
        if not isinstance(offset, int) or offset < 0 or not isinstance(bound_to, str):
            raise ValueError("bad cursor fields")
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError):
        return validation_error(
            detail("value_error", "page", "Value error, invalid page cursor", cursor, {"error": {}})
        )
    if bound_to != digest:
        return validation_error(
            detail(
                "value_error",
                "page",
                "Value error, the page cursor was issued for different parameters; send the "
                "same start_time, end_time, group and limit as the request that returned it",
                cursor,
                {"error": {}},
            )
        )
    return offset
