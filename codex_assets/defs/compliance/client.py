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
- **Downloading.** `GET .../logs/{id}` answers 307; the `Location` (a signed storage URL) is
  fetched with no Authorization header (`ApiHttpClient.get(..., authenticated=False)`), so the
  key never reaches the storage host. Transport faults (429, 5xx, drops, timeouts) are retried
  by `ApiHttpClient`. The body's size and sha256 are then checked against the listing; a
  mismatch (a truncated or corrupted download), or a signed URL refused as expired, is retried
  as a fresh download (a new redirect), with the same retry budget and backoff; if it persists,
  `ComplianceIntegrityError` names the file and nothing of it is returned.
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

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from codex_assets.defs.compliance.window import (
    PUBLICATION_LAG,
    RETENTION_DAYS,
    latest_complete_day,
    oldest_retained_day,
)
from codex_assets.lib.http.client import ApiHttpClient, HttpSettings, RequestTally
from codex_assets.lib.http.errors import (
    ApiNotFoundError,
    ApiRetriesExhaustedError,
    ApiSchemaError,
    CodexApiError,
    OutsideApiWindowError,
    _day_ranges,
)
from codex_assets.lib.http.ratelimit import route_template
from codex_assets.lib.http.retry import backoff_delay

COMPLIANCE_SCOPE = "chatgpt.enterprise.compliance_logs_platform.read"
COMPLIANCE_KEY_VAR = "CODEX_COMPLIANCE_API_KEY"
MAX_LIST_LIMIT = 100
DOWNLOADS_PER_MINUTE = 50.0
LIST_OVERLAP = timedelta(seconds=1)
"""How far before `last_end_time` a page after a full page starts (an optimisation for files
sharing an end time across a page boundary; the documented paging never depends on it)."""
CODEX_LOG = "CODEX_LOG"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- the day rule and the retention window ---------------------------------------------------


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def file_day(end_time: datetime) -> date:
    """The UTC day a file belongs to: the day whose (00:00, 24:00] holds its `end_time`."""
    return (_utc(end_time) - timedelta(microseconds=1)).date()


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
        message = (
            "Cannot fetch these days from the Compliance API (no request was sent). "
            + " ".join(parts)
            + f" Fetchable now: {oldest}..{latest}."
        )
        error = cls(message)
        error.too_old = tuple(sorted(too_old))
        error.not_complete = tuple(sorted(not_complete))
        error.oldest_servable = oldest
        error.latest_complete = latest
        return error


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


class ComplianceIntegrityError(CodexApiError):
    """A log file kept failing verification (size or sha256) or its signed URL kept being
    refused; nothing of it was returned."""

    file_id: str
    failures: tuple[str, ...]

    @classmethod
    def build(
        cls, *, file_id: str, file_name: str, url: str, failures: Sequence[str]
    ) -> ComplianceIntegrityError:
        message = (
            f"Compliance log file {file_id} ({file_name}) could not be downloaded intact after "
            f"{len(failures)} attempt(s), each a fresh download: {'; '.join(failures)}. "
            "Nothing from this file was landed, and the partition is not written. Re-run "
            "later; if it persists, report the file id to OpenAI support (the file is kept "
            f"{RETENTION_DAYS} days from its end time)."
        )
        error = cls(message, url=url)
        error.file_id = file_id
        error.failures = tuple(failures)
        return error


# -- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFile:
    """One file as the list endpoint describes it. `extra` keeps fields SPEC does not name."""

    id: str
    event_type: str
    end_time: datetime
    file_name: str
    file_size: int
    file_sha256: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def day(self) -> date:
        return file_day(self.end_time)


@dataclass(frozen=True)
class VerifiedFile:
    """A downloaded file whose size and sha256 match its listing."""

    log_file: LogFile
    body: bytes = field(repr=False)
    attempts: int
    requests: int


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


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z` (no `+`, which query strings mangle)."""
    text = _utc(moment).strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


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
        now: Callable[[], datetime] = _utc_now,
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
            files, has_more, last_end_time = _read_listing(body, url)
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
                result[event_type] = None if value is None else _parse_time(value)
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
        """The file's bytes, verified against its listed size and sha256 (see module doc)."""
        path = f"{self.base_path}/logs/{quote(log_file.id, safe='')}"
        tally = tally if tally is not None else RequestTally()
        settings = self.http.settings
        failures: list[str] = []
        for attempt in range(1, settings.max_retries + 2):
            try:
                body = self._fetch(path, log_file, tally)
            except _RetryableDownload as problem:
                failures.append(str(problem))
            else:
                problem = _verify(body, log_file)
                if problem is None:
                    return VerifiedFile(log_file, body, attempt, tally.requests)
                failures.append(problem)
            if attempt <= settings.max_retries:
                with self._lock:
                    self.integrity_retries += 1
                self._sleep(
                    backoff_delay(attempt - 1, settings.backoff_initial_s, settings.backoff_max_s)
                )
        raise ComplianceIntegrityError.build(
            file_id=log_file.id,
            file_name=log_file.file_name,
            url=self.http.describe(path),
            failures=failures,
        )

    def _fetch(self, path: str, log_file: LogFile, tally: RequestTally) -> bytes:
        try:
            response = self.http.get(path, tally=tally)
        except ApiNotFoundError as error:
            error.add_context(
                f"Compliance log file {log_file.id} ({log_file.file_name}) was listed but is "
                f"now not found or expired (files are kept {RETENTION_DAYS} days)"
            )
            raise
        except CodexApiError as error:
            error.add_context(f"Requesting compliance log file {log_file.id}")
            raise
        if response.status_code == 200:  # a server that answers with the bytes directly
            return _body(response)
        location = response.headers.get("location")
        if not response.is_redirect or not location:
            raise ApiSchemaError.build(
                url=self.http.describe(path),
                field="location",
                problem=(
                    f"is missing from an HTTP {response.status_code} answer; a download must "
                    "answer 307 with the signed URL in Location"
                ),
            )
        target = str(response.url.join(location))
        try:
            signed = self.http.get(target, authenticated=False, tally=tally)
        except ApiRetriesExhaustedError as error:
            error.add_context(f"Downloading compliance log file {log_file.id}")
            raise
        except CodexApiError as error:
            # The storage host refused the link (expired, or not valid any more): ask again.
            raise _RetryableDownload(f"the signed URL was refused (HTTP {error.status})") from None
        if signed.is_redirect:
            raise _RetryableDownload(f"the signed URL redirected again (HTTP {signed.status_code})")
        return _body(signed)

    def iter_downloads(self, files: Sequence[LogFile]) -> Iterator[VerifiedFile]:
        """Verified files in the order of `files`, `max_concurrency` downloading at once.

        At most `max_concurrency + 1` bodies are held at a time, so memory is bounded by a few
        files whatever the day's size. The first failure is raised in order (files before it
        are yielded first); nothing after it is started.
        """
        remaining = iter(files)
        pending: deque[Future[VerifiedFile]] = deque()
        stop = threading.Event()

        def fetch(log_file: LogFile) -> VerifiedFile:
            if stop.is_set():
                raise _Cancelled
            return self.download(log_file)

        with ThreadPoolExecutor(
            max_workers=self.max_concurrency, thread_name_prefix="codex-compliance"
        ) as pool:

            def fill() -> None:
                while len(pending) <= self.max_concurrency and not stop.is_set():
                    log_file = next(remaining, None)
                    if log_file is None:
                        return
                    pending.append(pool.submit(fetch, log_file))

            try:
                fill()
                while pending:
                    verified = pending.popleft().result()
                    fill()
                    yield verified
            finally:
                stop.set()
                for future in pending:
                    future.cancel()


class _RetryableDownload(Exception):
    """One download attempt failed in a way a fresh download may fix."""


class _Cancelled(Exception):
    """An earlier file failed (or the caller left): do not start this one."""


def _body(response: httpx.Response) -> bytes:
    """The body, refusing one shorter than its Content-Length (a cut-off transfer).

    A storage host or CDN may send the file compressed (httpx asks for it and undoes the
    Content-Encoding); Content-Length then counts compressed bytes, so it says nothing about the
    decoded body. Such a body is still verified against the listing's size and sha256, and a
    compressed stream cut short fails to decode."""
    body = response.content
    announced = response.headers.get("content-length")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if (
        encoding in ("", "identity")
        and announced is not None
        and announced.isdigit()
        and int(announced) != len(body)
    ):
        raise _RetryableDownload(
            f"the transfer was cut off ({len(body)} of {announced} bytes announced)"
        )
    return body


def _verify(body: bytes, log_file: LogFile) -> str | None:
    """Why `body` is not the listed file, or None when its size and sha256 match."""
    if len(body) != log_file.file_size:
        return f"got {len(body)} bytes, the listing says {log_file.file_size}"
    digest = hashlib.sha256(body).hexdigest()
    if digest != log_file.file_sha256.lower():
        return f"sha256 {digest[:16]}… does not match the listed {log_file.file_sha256[:16]}…"
    return None


def _read_listing(body: dict, url: str) -> tuple[list[LogFile], bool, datetime | None]:
    """(files, has_more, last_end_time) from a list response, or `ApiSchemaError`."""

    def fail(name: str, problem: str) -> ApiSchemaError:
        return ApiSchemaError.build(url=url, field=name, problem=problem)

    data = body.get("data")
    if not isinstance(data, list):
        raise fail(
            "data", f"is {type(data).__name__ if data is not None else 'missing'}, expected a list"
        )
    has_more = body.get("has_more")
    if not isinstance(has_more, bool):
        raise fail("has_more", "is missing or not true/false")
    files = []
    for index, entry in enumerate(data):
        try:
            files.append(_log_file(entry))
        except (KeyError, TypeError, ValueError) as error:
            raise fail(f"data[{index}]", f"is not a log file entry ({error})") from None
    raw_last = body.get("last_end_time")
    try:
        last = _parse_time(raw_last) if raw_last is not None else None
    except (TypeError, ValueError):
        raise fail("last_end_time", f"is not an ISO 8601 time: {raw_last!r}") from None
    return files, has_more, last


_KNOWN = {"id", "event_type", "end_time", "file_name", "file_size", "file_sha256"}


def _log_file(entry: Any) -> LogFile:
    if not isinstance(entry, dict):
        raise TypeError("expected an object")
    size = entry["file_size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"file_size {size!r} is not a byte count")
    sha = entry["file_sha256"]
    if not isinstance(sha, str) or len(sha) != 64:
        raise ValueError(f"file_sha256 {sha!r} is not a hex sha256")
    return LogFile(
        id=str(entry["id"]),
        event_type=str(entry["event_type"]),
        end_time=_parse_time(entry["end_time"]),
        file_name=str(entry["file_name"]),
        file_size=size,
        file_sha256=sha,
        extra={k: v for k, v in entry.items() if k not in _KNOWN},
    )


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {value!r}")
    return _utc(datetime.fromisoformat(value))
