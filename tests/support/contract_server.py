"""A small HTTP server that speaks the documented contract, and only that, for the clients' tests.

It is written from /work/shared/reference/codex-api.md (its "2026-12 additions" first), not from
our simulator, and serves the awkward shapes the contract allows rather than the tidy ones:

- **Compliance listing** (`GET /v1/compliance/{workspaces|organizations}/{id}/logs`): files
  with `end_time` strictly after `after` and strictly before `before`, ordered by end_time,
  `has_more` and `last_end_time`. How a page is cut is the test's choice (`ListingShape`): the
  server's own page size below `limit` (down to one file), pages cut inside a group of files
  sharing an end time, a conservative `last_end_time` that re-lists such a group, and time
  sliced scans that answer empty pages with `has_more` true.
- **Downloads** (`GET .../logs/{id}`): 307 to an unauthenticated storage URL serving the bytes.
- **Freshness** (`GET .../max_event_time?event_type=...`): `{"max_event_time": {TYPE: iso|null}}`,
  or a 404 as an API older than the endpoint answers, or any other status.
- **Analytics** (`GET /v1/analytics/codex/workspaces/{id}/{endpoint}`): the page envelope with
  page sizes chosen by the test (one row, zero rows, an empty last page) and opaque cursors
  made of `+`, `/`, `=` and `%`, which must come back byte for byte.

Every request is recorded (path, decoded query, headers), and the server counts what it served
so tests can assert that every file and row was fetched exactly once. Anything the contract
does not allow (a bad `after`, a cursor that did not round-trip, changed parameters on a later
page, a missing bearer key) is refused with the documented status, so a client bug shows up
as an error, not as silently wrong data.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_KEY = "sk-contract-test-key-0123456789"
WORKSPACE = "7d0c4a8e-2f7b-4c1e-9a55-3b1f0e9d2c11"
ORGANIZATION = "org-contract"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- compliance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedFile:
    """A log file the server lists and serves."""

    id: str
    end_time: datetime
    body: bytes
    event_type: str = "CODEX_LOG"

    def entry(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event_type": self.event_type,
            "end_time": self.end_time.isoformat(),
            "file_name": f"{self.event_type}_{self.end_time:%Y-%m-%dT%H:%M:%S}Z_{self.id}.jsonl",
            "file_size": len(self.body),
            "file_sha256": hashlib.sha256(self.body).hexdigest(),
        }


def make_file(file_id: str, end_time: datetime, lines: int = 1) -> ServedFile:
    body = b"".join(
        json.dumps(
            {
                "event_id": f"{file_id}-{n}",
                "type": "CODEX_LOG",
                "timestamp": (end_time - timedelta(seconds=30 + n)).isoformat(),
            }
        ).encode()
        + b"\n"
        for n in range(lines)
    )
    return ServedFile(file_id, end_time, body)


@dataclass(frozen=True)
class ListingShape:
    """How the server cuts listing pages; every combination is legal under the contract.

    page_size: the most files a page holds, below the client's `limit` (None: `limit`).
    safe_groups: when a page ends inside a group of files sharing an end time, report as
      `last_end_time` the end time before that group, so `after=last_end_time` re-lists the
      whole group (and a client must drop the files it already has).
    scan_window: answer each request from one slice of time after `after`: the files of
      (after, after + scan_window] only, so a slice without files is an empty page with
      `has_more` true and `last_end_time` at the slice's end.
    """

    page_size: int | None = None
    safe_groups: bool = False
    scan_window: timedelta | None = None


@dataclass
class ContractServer:
    """The running server: its `url` (the API root, ending in /v1), its records and its data."""

    httpd: ThreadingHTTPServer
    files: list[ServedFile] = field(default_factory=list)
    shape: ListingShape = field(default_factory=ListingShape)
    max_event_time: dict[str, datetime | None] | None = field(default_factory=dict)
    """Per event type; None makes the route answer 404 (an API older than the endpoint)."""
    max_event_time_status: int = 200
    """Any other status makes the route answer it, with the bearer key echoed in the body (a
    careless server), so tests can check the key never reaches a message."""
    analytics: dict[tuple[str, int], list[dict]] = field(default_factory=dict)
    """(endpoint path segment, start_time) -> the rows of that day."""
    analytics_pages: Sequence[int] = (1,)
    """Rows per page, repeated from the last entry; 0 gives an empty page with has_more."""
    empty_last_page: bool = False
    """After the last rows, one more page: no rows, `has_more` false."""
    requests: list[dict[str, Any]] = field(default_factory=list)
    listed: Counter = field(default_factory=Counter)
    downloaded: Counter = field(default_factory=Counter)
    rows_served: Counter = field(default_factory=Counter)
    _cursors: dict[str, tuple[tuple, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def root(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        return f"{self.root}/v1"

    def calls(self, suffix: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith(suffix)]

    # -- routing --------------------------------------------------------------------------------

    def handle(self, path: str, query: list[tuple[str, str]], headers: dict[str, str]):
        with self._lock:
            self.requests.append({"path": path, "query": query, "headers": headers})
        if path.startswith("/storage/"):
            return self._storage(path.removeprefix("/storage/"))
        if headers.get("authorization") != f"Bearer {API_KEY}":
            return 401, {"error": {"message": "Invalid bearer token", "type": "invalid_request"}}
        parts = path.strip("/").split("/")
        if parts[:2] == ["v1", "compliance"] and len(parts) >= 5:
            kind, principal, rest = parts[2], parts[3], parts[4:]
            if (kind, principal) not in (
                ("workspaces", WORKSPACE),
                ("organizations", ORGANIZATION),
            ):
                return 404, {"detail": "Not Found"}
            if rest == ["logs"]:
                return self._list(query)
            if len(rest) == 2 and rest[0] == "logs":
                return self._redirect(rest[1])
            if rest == ["max_event_time"]:
                return self._max_event_time(query, headers)
        if parts[:4] == ["v1", "analytics", "codex", "workspaces"] and len(parts) == 6:
            if parts[4] != WORKSPACE:
                return 404, {"detail": "Not Found"}
            return self._analytics(parts[5], query)
        return 404, {"detail": "Not Found"}

    # -- compliance ----------------------------------------------------------------------------

    def _list(self, query: list[tuple[str, str]]):
        params = dict(query)
        types = {t for key, value in query if key == "event_type" for t in value.split(",") if t}
        try:
            after = _parse_iso(params["after"])
            before = _parse_iso(params["before"]) if "before" in params else None
            limit = int(params.get("limit", "100"))
        except (KeyError, ValueError) as error:
            return 400, {"error": {"message": f"bad listing parameters: {error}"}}
        if not types or not 1 <= limit <= 100:
            return 400, {"error": {"message": "event_type is required; limit is 1..100"}}
        candidates = sorted(
            (
                f
                for f in self.files
                if f.event_type in types
                and f.end_time > after
                and (before is None or f.end_time < before)
            ),
            key=lambda f: (f.end_time, f.id),
        )
        shape = self.shape
        size = min(limit, shape.page_size or limit)
        if shape.scan_window is None:
            page = candidates[:size]
            has_more = len(candidates) > len(page)
            last = page[-1].end_time if page else None
        else:
            scanned_to = after + shape.scan_window
            in_slice = [f for f in candidates if f.end_time <= scanned_to]
            page = in_slice[:size]
            has_more = len(candidates) > len(page)
            if len(page) < len(in_slice):  # the slice was cut by the page size
                last = page[-1].end_time
            elif has_more:  # the whole slice was served: carry on after it
                last = scanned_to
            else:
                last = page[-1].end_time if page else None
        if shape.safe_groups and page and has_more:
            following = candidates[len(page)]
            if following.end_time == page[-1].end_time:
                earlier = [f.end_time for f in page if f.end_time < following.end_time]
                last = earlier[-1] if earlier else after
        with self._lock:
            self.listed.update(f.id for f in page)
        return 200, {
            "data": [f.entry() for f in page],
            "has_more": has_more,
            "last_end_time": last.isoformat() if last is not None else None,
        }

    def _redirect(self, file_id: str):
        if not any(f.id == file_id for f in self.files):
            return 404, {"detail": "Not Found"}
        return 307, {"location": f"{self.root}/storage/{file_id}?sig=contract"}

    def _storage(self, file_id: str):
        for served in self.files:
            if served.id == file_id:
                with self._lock:
                    self.downloaded[file_id] += 1
                return 200, served.body
        return 404, {"detail": "Not Found"}

    def _max_event_time(self, query: list[tuple[str, str]], headers: dict[str, str]):
        if self.max_event_time is None:
            return 404, {"detail": "Not Found"}
        if self.max_event_time_status != 200:
            return self.max_event_time_status, {
                "error": {"message": f"upstream trouble for {headers.get('authorization')}"}
            }
        types = [t for key, value in query if key == "event_type" for t in value.split(",") if t]
        if not types:
            return 400, {"error": {"message": "event_type is required"}}
        return 200, {
            "max_event_time": {
                t: (lambda v: v.isoformat() if v is not None else None)(self.max_event_time.get(t))
                for t in types
            }
        }

    # -- analytics -----------------------------------------------------------------------------

    def _analytics(self, endpoint: str, query: list[tuple[str, str]]):
        params = dict(query)
        cursor = params.pop("page", None)
        try:
            start, end, limit = (
                int(params["start_time"]),
                int(params["end_time"]),
                int(params.get("limit", "1000")),
            )
        except (KeyError, ValueError) as error:
            return 422, _validation(["query", str(error)], "Input should be a valid integer")
        if not 1 <= limit <= 30000:
            return 422, _validation(["query", "limit"], "Input should be between 1 and 30000")
        signature = (endpoint, tuple(sorted(params.items())))
        index = 0
        if cursor is not None:
            with self._lock:
                known = self._cursors.get(cursor)
            if known is None or known[0] != signature:
                return 422, _validation(
                    ["query", "page"], f"Unknown cursor or changed parameters: {cursor!r}"
                )
            index = known[1]
        rows = self.analytics.get((endpoint, start), []) if end - start == 86_400 else []
        pages = _cut(rows, self.analytics_pages, limit, self.empty_last_page)
        data = pages[index]
        has_more = index + 1 < len(pages)
        next_page = None
        if has_more:
            next_page = _cursor(endpoint, start, index + 1)
            with self._lock:
                self._cursors[next_page] = (signature, index + 1)
        with self._lock:
            self.rows_served.update(_row_id(endpoint, row) for row in data)
        return 200, {"object": "page", "data": data, "has_more": has_more, "next_page": next_page}


def _cut(rows: list[dict], sizes: Sequence[int], limit: int, empty_last: bool) -> list[list[dict]]:
    """The day's pages: `sizes[i]` rows on page i (the last size repeating), never above limit."""
    if not sizes or sizes[-1] < 1:
        raise ValueError("the last page size must be at least 1 (it repeats)")
    pages: list[list[dict]] = []
    offset = 0
    while offset < len(rows) or not pages:
        size = min(sizes[min(len(pages), len(sizes) - 1)], limit)
        pages.append(rows[offset : offset + size])
        offset += size
    if empty_last and pages[-1]:
        pages.append([])
    return pages


def _cursor(endpoint: str, start: int, index: int) -> str:
    """An opaque cursor full of what query strings mangle: `+`, `/`, `=`, `%`, `&`."""
    raw = f"{endpoint}|{start}|{index}|>>>???".encode()
    return f"c+{index}/{base64.b64encode(raw).decode()}&x=%2B=="


def _row_id(endpoint: str, row: dict) -> str:
    return f"{endpoint}:{row.get('start_time')}:{row.get('user_id') or row.get('id')}"


def _validation(loc: list[str], msg: str) -> dict:
    return {"detail": [{"type": "value_error", "loc": loc, "msg": msg}]}


def _parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return moment.astimezone(UTC)


# -- the HTTP plumbing ---------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, payload = self.server.state.handle(
            parts.path, parse_qsl(parts.query, keep_blank_values=True), headers
        )
        if status == 307:
            self.send_response(307)
            self.send_header("Location", payload["location"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        content_type = (
            "application/octet-stream" if isinstance(payload, bytes) else "application/json"
        )
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ContractServer


@contextmanager
def contract_server(**fields: Any) -> Iterator[ContractServer]:
    """Serve on 127.0.0.1 at an OS-chosen port in a thread; stop on exit."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    state = ContractServer(httpd=httpd, **fields)
    httpd.state = state
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
