"""The Compliance Logs Platform client: a day's log files, listed, downloaded and verified.

Its files expire after 30 days, so what this client lands is often the only lasting copy.
Everything here is about never landing a wrong or partial file and never losing one:

- **Which files are day D's.** A file belongs to the UTC day its `end_time` falls in, with the
  window end inclusive: D 00:00 < end_time <= D+1 00:00. A 10-minute file covering
  23:50-24:00 ends at D+1 00:00 and is D's; one covering 00:00-00:10 ends at D 00:10 and is
  D's too. Every file belongs to exactly one day, so landing days one by one never skips or
  repeats a file. (Events inside keep their own timestamps: a late event delivered in a file of
  D+1 belongs to partition D+1; dedup on `event_id` happens downstream.)
- **Listing** (codex-api.md 2.1 and "2026-12 additions"). `after` is exclusive ("files whose
  `end_time` is strictly later than this"), so day D asks for `after=D 00:00`; `before` is
  exclusive too, so it asks for `before=D+1 00:00:01` and keeps only files ending at or before
  midnight. Paging is the documented one: "To page, pass the previous `last_end_time`", while
  `has_more`, whatever the page holds ("a page may hold fewer files than `limit` (down to one)
  with `has_more` true"; an empty page that moves `last_end_time` on is followed too). On top
  of it, one optimisation: after a *full* page whose last file ends at `last_end_time`, the
  next request starts one second early, because a page boundary may fall inside a group of
  files sharing that end time (a window split at the 15 MB cap) and the documented cursor
  would skip the rest of the group; files are deduplicated by id. When the overlapped page
  brings nothing new, the next request is the documented `after=last_end_time`, so the
  overlap can cost a request but never stop a listing. Only when even the documented request
  brings nothing new and does not move `last_end_time` on (a server bug: asking again would
  repeat forever) does the listing stop, with `ApiSchemaError` naming the URL.
- **Downloading** and verifying each file against its listing: `download.py`.
- **Pacing.** Downloads are limited to 50 per minute per key; the download route gets its own
  limit at that rate (`download_route_rates`: never more than 50 in any 60 s), lists keep the
  API's default.
- **Retention.** Files are kept 30 days with no backfill, so a day whose files may already be
  gone is refused before any request (`ComplianceWindowError`), as is a day whose last files
  may not be published yet (p99 latency is 30 minutes; a day is complete one hour after it).
- **Freshness.** `max_event_times` / `max_event_time` read `GET .../max_event_time`
  (codex-api.md, "2026-12 additions": since at least v2.5.12), the API's newest event per
  type. A hint only ("does not guarantee that all earlier events have arrived"); an older API
  answers 404 (`ApiNotFoundError`).
- **Principals.** An id starting `org-` is an API Platform organization
  (`/compliance/organizations/{id}`), anything else a ChatGPT workspace
  (`/compliance/workspaces/{id}`), as OpenAI's cookbook script decides.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast
from urllib.parse import quote, urlsplit

# (`x as x`: also importable from here, as the callers and tests have them.)
from codex_assets.defs.compliance.download import (
    ComplianceIntegrityError as ComplianceIntegrityError,
)
from codex_assets.defs.compliance.download import VerifiedFile, download_verified
from codex_assets.defs.compliance.log_files import (
    ListedDay,
    LogFile,
    iso,
    parse_time,
    read_listing,
)
from codex_assets.defs.compliance.log_files import file_day as file_day
from codex_assets.defs.compliance.window import (
    PUBLICATION_LAG,
    RETENTION_DAYS,
    latest_complete_day,
    oldest_retained_day,
)
from codex_assets.lib.http.client import ApiHttpClient, HttpSettings, RequestTally
from codex_assets.lib.http.errors import (
    ApiNotFoundError,
    ApiSchemaError,
    OutsideApiWindowError,
    _day_ranges,
)
from codex_assets.lib.http.ratelimit import route_template
from codex_assets.lib.parallel import Stopped, ordered_parallel
from codex_assets.lib.utc import as_utc as _utc
from codex_assets.lib.utc import day_start, utc_now

COMPLIANCE_SCOPE = "chatgpt.enterprise.compliance_logs_platform.read"
COMPLIANCE_KEY_VAR = "CODEX_COMPLIANCE_API_KEY"
MAX_LIST_LIMIT = 100
DOWNLOADS_PER_MINUTE = 50.0
LIST_OVERLAP = timedelta(seconds=1)
"""How far before `last_end_time` a page after a full page starts (an optimisation for files
sharing an end time across a page boundary; the documented paging never depends on it)."""
CODEX_LOG = "CODEX_LOG"
PENDING_PER_WORKER = 4
"""Downloads in flight or done but not yet handed back, per worker: room for the pool to work
past a file that waits out a 429 (one in five refused, 1 s each: with 16 workers and 1 pending
each a day took 16 s, with 4 each 7 s, measured on the embedded simulator)."""
DOWNLOAD_BUFFER_BYTES = 256 * 1024 * 1024
"""The listed sizes of the bodies held ahead, at most (one file always may start). Files are
"capped at 15 MB" (codex-api.md 2.3), so a busy workspace still keeps about 17 in flight."""


# -- the day rule and the retention window ---------------------------------------------------


class ComplianceWindowError(OutsideApiWindowError):
    """Days whose compliance files cannot be fetched (beyond retention, or not all published
    yet); raised before any request."""

    @classmethod
    def build_compliance(
        cls, *, too_old: Sequence[date], not_complete: Sequence[date], now: datetime
    ) -> ComplianceWindowError:
        oldest, latest = oldest_retained_day(now), latest_complete_day(now)
        parts = []
        if too_old:
            parts.append(
                f"{len(too_old)} day(s) older than the Compliance API's {RETENTION_DAYS}-day "
                f"retention: {_day_ranges(too_old)}. Compliance log files are kept for "
                f"{RETENTION_DAYS} days and there is no backfill, so these days can no longer "
                "be fetched; data already landed for them is kept."
            )
        if not_complete:
            first = min(not_complete)
            ready = day_start(first + timedelta(days=1)) + PUBLICATION_LAG
            parts.append(
                f"{len(not_complete)} day(s) not complete yet: {_day_ranges(not_complete)}. "
                "Files appear up to 30 minutes after their window ends, so a day is fetched "
                f"only from {PUBLICATION_LAG.total_seconds() / 3600:g} hour after midnight "
                f"UTC ({first} from {ready:%Y-%m-%d %H:%M} UTC)."
            )
        return cls.refusing(
            "the Compliance API",
            parts,
            too_old=too_old,
            not_complete=not_complete,
            oldest_servable=oldest,
            latest_complete=latest,
            servable_label="Fetchable",
        )


def check_compliance_days(days: Iterable[date], now: datetime) -> None:
    """Raise `ComplianceWindowError` naming every day whose files cannot all be fetched now."""
    oldest, latest = oldest_retained_day(now), latest_complete_day(now)
    wanted = sorted(set(days))
    too_old = [day for day in wanted if day < oldest]
    not_complete = [day for day in wanted if day > latest]
    if too_old or not_complete:
        raise ComplianceWindowError.build_compliance(
            too_old=too_old, not_complete=not_complete, now=now
        )


def principal_path(principal_id: str) -> str:
    """`/compliance/organizations/{id}` for `org-...` ids, else `/compliance/workspaces/{id}`."""
    principal = principal_id.strip()
    if not principal:
        raise ValueError(
            "No compliance principal: set CODEX_WORKSPACE_ID to the workspace UUID (or pass an "
            "org-... id for organization logs)."
        )
    kind = "organizations" if principal.startswith("org-") else "workspaces"
    return f"/compliance/{kind}/{quote(principal, safe='')}"


def download_route_rates(
    base_url: str, per_minute: float | None = DOWNLOADS_PER_MINUTE
) -> tuple[tuple[str, float | None], ...]:
    """`HttpSettings.route_requests_per_minute` entries pacing the download routes."""
    root = urlsplit(base_url).path.rstrip("/")
    return tuple(
        (route_template(f"{root}/compliance/{kind}/x/logs/y"), per_minute)
        for kind in ("workspaces", "organizations")
    )


def compliance_http_settings(
    base_url: str,
    api_key: str,
    *,
    requests_per_minute: float | None = 100,
    downloads_per_minute: float | None = DOWNLOADS_PER_MINUTE,
    **overrides: Any,
) -> HttpSettings:
    """HTTP settings for the Compliance API: its key, scope, and the download route's rate."""
    return HttpSettings(
        base_url=base_url,
        api_key=api_key,
        key_env_var=COMPLIANCE_KEY_VAR,
        scope=COMPLIANCE_SCOPE,
        requests_per_minute=requests_per_minute,
        route_requests_per_minute=download_route_rates(base_url, downloads_per_minute),
        **overrides,
    )


# -- the client ------------------------------------------------------------------------------


class ComplianceClient:
    """Lists and downloads one principal's compliance log files.

    `now` and `sleep` are injectable so the window checks and the integrity backoff can be
    driven by tests; `max_concurrency` downloads run at once (the rate limit still applies).
    """

    def __init__(
        self,
        http: ApiHttpClient,
        principal_id: str,
        *,
        list_limit: int = MAX_LIST_LIMIT,
        max_concurrency: int = 2,
        now: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 1 <= list_limit <= MAX_LIST_LIMIT:
            raise ValueError(f"list_limit must be between 1 and {MAX_LIST_LIMIT}, got {list_limit}")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        self.http = http
        self.base_path = principal_path(principal_id)
        self.list_limit = list_limit
        self.max_concurrency = max_concurrency
        self._now = now
        self._sleep = sleep
        self._lock = threading.Lock()
        self.integrity_retries = 0

    # -- listing ----------------------------------------------------------------------------

    def list_files(
        self, event_type: str, after: datetime, before: datetime | None = None
    ) -> Iterator[LogFile]:
        """Every file of `event_type` with end_time after `after` (and, as the server filters,
        before `before`), in end_time order, each once.

        Paging follows the contract (docs/compliance.md, "Listing"): the next page is asked with
        `after=` the previous `last_end_time` ("To page, pass the previous `last_end_time`",
        codex-api.md 2.1), for as long as `has_more` is true, whatever the page's size ("a page
        may hold fewer files than `limit` (down to one) with `has_more` true", 2026-12
        additions). The one-second overlap is an optimisation on top, never a condition for
        progress: it is used only after a full page whose last file ends at `last_end_time`
        (where a page boundary may fall inside a group of files sharing that end time), and
        when the overlapped page brings nothing new the next request is the documented one.
        Files are deduplicated by id. `ApiSchemaError` is raised only when even the documented
        request cannot advance (a server bug: paging on it would repeat forever).
        """
        path = f"{self.base_path}/logs"
        start = _utc(after)
        stop = _utc(before) if before is not None else None
        seen: set[str] = set()
        # `position` is the documented cursor: the latest `last_end_time` served (never moved
        # back), or `after` before the first page. `overlap` says whether the next request
        # re-lists the LIST_OVERLAP before it instead.
        position = start
        overlap = False
        while True:
            sent = max(start, position - LIST_OVERLAP) if overlap else position
            params: list[tuple[str, str | int]] = [
                ("event_type", event_type),
                ("after", iso(sent)),
                ("limit", self.list_limit),
            ]
            if before is not None:
                params.append(("before", iso(before)))
            url = self.http.describe(path, params)
            body = self.http.get_json(path, params)
            files, has_more, last_end_time = read_listing(body, url)
            # "Returns files whose end_time is strictly later than [after]" (2.1): a file at or
            # before the caller's `after` can only come from an overlapped request.
            fresh = [f for f in files if f.id not in seen and f.end_time > start]
            for log_file in fresh:
                seen.add(log_file.id)
                yield log_file
            if not has_more:
                return
            newest = max((f.end_time for f in files), default=None)
            # "last_end_time: date-time or null" (2.1); files are "ordered by end_time
            # ascending", so on a page with files a null is read as its last file's end time.
            reported = last_end_time if last_end_time is not None else newest
            advanced = reported is not None and reported > position
            if not fresh and not advanced and sent == position:
                raise ApiSchemaError.build(
                    url=url,
                    field="last_end_time",
                    problem=(
                        f"did not advance: the documented next page (after={iso(sent)}, the "
                        f"previous last_end_time) held {len(files)} "
                        f"file{'' if len(files) == 1 else 's'}, none not already listed, with "
                        "has_more true and last_end_time "
                        f"{'null' if last_end_time is None else iso(last_end_time)}. Asking "
                        "again would repeat the same page forever, so the listing stops here; "
                        "the contract promises files whose end_time is strictly later than "
                        "`after` and paging on last_end_time that always advances (a server "
                        "bug: report it with this URL)"
                    ),
                )
            if advanced:
                position = reported
            if stop is not None and position >= stop:
                return  # no file ends after `position` and before `before`: nothing is left
            overlap = (
                bool(fresh)
                and len(files) >= self.list_limit
                and newest is not None
                and newest == reported
            )

    def day_files(self, event_type: str, day: date) -> list[LogFile]:
        """The files of UTC day `day` (end_time in (D 00:00, D+1 00:00]), checked against the
        retention window first (no request is sent for a day that cannot be served)."""
        check_compliance_days([day], self._now())
        return self._day_files(event_type, day)

    def _day_files(self, event_type: str, day: date) -> list[LogFile]:
        start = day_start(day)
        end = start + timedelta(days=1)
        files = [
            f
            for f in self.list_files(event_type, start, end + timedelta(seconds=1))
            if start < f.end_time <= end
        ]
        return sorted(files, key=lambda f: (f.end_time, f.id))

    # -- freshness --------------------------------------------------------------------------

    def max_event_times(
        self, event_types: Sequence[str] = (CODEX_LOG,)
    ) -> dict[str, datetime | None]:
        """The API's newest event time per event type, None for a type it has no event of.

        `GET /compliance/{workspaces|organizations}/{id}/max_event_time?event_type=...`
        ("repeatable `event_type`"; answers `{"max_event_time": {"CODEX_LOG": "<iso>" | null}}`,
        "since at least v2.5.12": codex-api.md, "2026-12 additions"). A freshness hint only:
        the spec warns it "does not guarantee that all earlier events have arrived", so it
        never proves a day complete. An API older than the endpoint answers 404, raised as
        `ApiNotFoundError` whose message says so; a body of another shape is `ApiSchemaError`.
        """
        types = list(dict.fromkeys(event_types))
        if not types:
            raise ValueError("max_event_times needs at least one event type")
        path = f"{self.base_path}/max_event_time"
        params: list[tuple[str, str | int]] = [("event_type", t) for t in types]
        url = self.http.describe(path, params)
        try:
            body = self.http.get_json(path, params)
        except ApiNotFoundError as error:
            error.add_context(
                "The Compliance API has no max_event_time endpoint here (it exists since "
                "v2.5.12; an older API answers 404), or the principal is unknown"
            )
            raise
        times = body.get("max_event_time")
        if not isinstance(times, dict):
            raise ApiSchemaError.build(
                url=url,
                field="max_event_time",
                problem=(
                    f"is {'missing' if times is None else type(times).__name__}, expected an "
                    "object of event type -> ISO 8601 time or null"
                ),
            )
        result: dict[str, datetime | None] = {}
        for event_type in types:
            if event_type not in times:
                raise ApiSchemaError.build(
                    url=url,
                    field=f"max_event_time.{event_type}",
                    problem="is missing although the event type was asked for",
                )
            value = times[event_type]
            try:
                result[event_type] = None if value is None else parse_time(value)
            except (TypeError, ValueError):
                raise ApiSchemaError.build(
                    url=url,
                    field=f"max_event_time.{event_type}",
                    problem=f"is not an ISO 8601 time or null: {str(value)[:80]!r}",
                ) from None
        return result

    def max_event_time(self, event_type: str = CODEX_LOG) -> datetime | None:
        """`max_event_times` for one event type (CODEX_LOG by default)."""
        return self.max_event_times([event_type])[event_type]

    # -- downloading ------------------------------------------------------------------------

    def download(self, log_file: LogFile, *, tally: RequestTally | None = None) -> VerifiedFile:
        """The file's bytes, verified against its listed size and sha256 (`download.py`)."""
        return download_verified(
            self.http,
            self.base_path,
            log_file,
            tally=tally if tally is not None else RequestTally(),
            sleep=self._sleep,
            on_retry=self._count_integrity_retry,
        )

    def _count_integrity_retry(self) -> None:
        with self._lock:
            self.integrity_retries += 1

    def iter_downloads(self, files: Iterable[LogFile]) -> Iterator[VerifiedFile]:
        """Verified files in the order of `files`, `max_concurrency` downloading at once.

        Bodies downloaded ahead of the one being handed back are bounded by count
        (`PENDING_PER_WORKER` per worker) and by their listed sizes (`DOWNLOAD_BUFFER_BYTES`),
        so memory holds a few files whatever the day's size. The first failure is raised in
        order (files before it are yielded first); nothing after it is started.
        """
        return cast(Iterator[VerifiedFile], self._in_order(files))

    def iter_days(
        self, event_type: str, days: Iterable[date]
    ) -> Iterator[ListedDay | VerifiedFile]:
        """For each day in turn, its `ListedDay` and then each of its files, verified.

        One download pool serves every day, so the next day's files are listed and fetched
        while the current day's slowest file (a 429's wait, a retry) finishes, instead of the
        pool draining at each day's end. Listing happens lazily, in the caller's thread.
        """

        def items() -> Iterator[ListedDay | LogFile]:
            for day in days:
                files = self.day_files(event_type, day)
                yield ListedDay(day, tuple(files))
                yield from files

        return self._in_order(items())

    def _in_order(self, items: Iterable[ListedDay | LogFile]) -> Iterator[ListedDay | VerifiedFile]:
        return ordered_parallel(
            self._download_in_turn,
            items,
            max_workers=self.max_concurrency,
            max_pending=self.max_concurrency * PENDING_PER_WORKER,
            weight=lambda item: item.file_size if isinstance(item, LogFile) else 0,
            max_weight=DOWNLOAD_BUFFER_BYTES,
            thread_name_prefix="codex-compliance",
        )

    def _download_in_turn(
        self, item: ListedDay | LogFile, stopped: Stopped
    ) -> ListedDay | VerifiedFile:
        # `ordered_parallel` asks `stopped` before starting a file; a download in flight runs
        # to its end (one request, its redirect and a verification).
        return item if isinstance(item, ListedDay) else self.download(item)
