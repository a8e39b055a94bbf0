"""A strict, in-memory Compliance Logs Platform behind an `httpx.MockTransport`.

Listing (`GET .../compliance/workspaces/{id}/logs`): the CODEX_LOG files whose end_time is
strictly after `after` and strictly before `before`, in end_time order, cut into pages as the
scenario's `ListingPlan` says (every cut legal: see compliance_strategies.py), with `has_more`
and `last_end_time`. Downloads (`GET .../logs/{id}`): 307 to a signed storage URL on another
host, which must be fetched without the key. Anything else is refused (400/401/404) and
recorded in `violations`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.property.compliance_strategies import ListingPlan, ServedFile
from tests.property.strategies import API_KEY, BASE_URL, WORKSPACE_ID

_LOGS = f"/v1/compliance/workspaces/{WORKSPACE_ID}/logs"
_STORAGE = "https://storage.example.test/signed/"


class FakeComplianceApi:
    def __init__(self, files: list[ServedFile], plan: ListingPlan) -> None:
        self.files = sorted(files, key=lambda f: (f.end_time, f.id))
        self.by_id = {f.id: f for f in files}
        self.plan = plan
        self._lock = threading.Lock()
        self._requests = 0
        self.violations: list[str] = []
        self.published_late = False
        """Whether the files published late are listed yet."""
        self.downloads: Counter[str] = Counter()
        self.listed: Counter[str] = Counter()

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url.startswith(_STORAGE):
            return self._storage(request)
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return self._refuse(request, 401, "not the bearer key")
        if not url.startswith(BASE_URL):
            return self._refuse(request, 404, "not the API")
        path = request.url.path
        if path == _LOGS:
            return self._list(request)
        if path.startswith(_LOGS + "/"):
            file_id = path.removeprefix(_LOGS + "/")
            if file_id not in self.by_id:
                return self._refuse(request, 404, f"no file {file_id!r}")
            return httpx.Response(307, headers={"location": f"{_STORAGE}{file_id}?sig=x%2By%3D"})
        return self._refuse(request, 404, "unknown route")

    def _refuse(self, request: httpx.Request, status: int, why: str) -> httpx.Response:
        with self._lock:
            self.violations.append(f"{request.method} {request.url}: {why}")
        return httpx.Response(status, json={"error": {"message": why}})

    def _storage(self, request: httpx.Request) -> httpx.Response:
        if "authorization" in request.headers:
            return self._refuse(request, 400, "the key was sent to the storage host")
        file_id = request.url.path.removeprefix("/signed/")
        if request.url.params.get("sig") != "x+y=":
            return self._refuse(request, 403, "the signed URL was not followed verbatim")
        with self._lock:
            self.downloads[file_id] += 1
        return httpx.Response(200, content=self.by_id[file_id].body)

    def _list(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        try:
            types = {t for value in params.get_list("event_type") for t in value.split(",")}
            after = _parse(params["after"])
            before = _parse(params["before"]) if "before" in params else None
            limit = int(params.get("limit", "100"))
        except (KeyError, ValueError) as error:
            return self._refuse(request, 400, f"bad listing parameters: {error}")
        if types != {"CODEX_LOG"} or not 1 <= limit <= 100:
            return self._refuse(request, 400, "event_type CODEX_LOG and limit 1..100 expected")
        with self._lock:
            turn = self._requests
            self._requests += 1
        if turn > 5000:  # a client that never stops listing: fail instead of hanging
            return self._refuse(request, 400, "more than 5000 listing requests")
        size = self.plan.sizes[turn % len(self.plan.sizes)]
        mode = self.plan.modes[turn % len(self.plan.modes)]
        candidates = [
            f
            for f in self.files
            if f.end_time > after
            and (before is None or f.end_time < before)
            and (self.published_late or not f.late)
        ]
        page, has_more, last = self._cut(candidates, min(size, limit), limit, mode, after)
        with self._lock:
            self.listed.update(f.id for f in page)
        body: dict[str, Any] = {
            "data": [
                {
                    "id": f.id,
                    "event_type": "CODEX_LOG",
                    "end_time": f.end_time_text,
                    "file_name": f"CODEX_LOG_{f.end_time_text}.jsonl",
                    "file_size": len(f.body),
                    "file_sha256": hashlib.sha256(f.body).hexdigest(),
                    **f.extra,
                }
                for f in page
            ],
            "has_more": has_more,
            "last_end_time": None if last is None else self._iso(last),
        }
        return httpx.Response(200, json=body)

    def _cut(
        self, candidates: list[ServedFile], size: int, limit: int, mode: str, after: datetime
    ) -> tuple[list[ServedFile], bool, datetime | None]:
        """One legal page of `candidates` (files after `after`, in order)."""
        if not candidates:
            return [], False, None
        if mode == "gap":
            gap = candidates[0].end_time - after
            if gap > timedelta(seconds=2):  # nothing ends in (after, after + gap/2]
                moved = after + gap / 2
                return [], True, moved.replace(microsecond=0) if moved.microsecond else moved
        cut = min(size, len(candidates))
        inside = cut < len(candidates) and candidates[cut - 1].end_time == candidates[cut].end_time
        last = candidates[cut - 1].end_time
        if inside:
            group_end = candidates[cut].end_time
            group_start = next(i for i, f in enumerate(candidates) if f.end_time == group_end)
            if mode == "split" and cut == limit:
                pass  # a full page may end inside a group: the client re-lists its end
            elif mode == "safe" and group_start > 0:
                last = candidates[group_start - 1].end_time  # re-list the whole group next
            elif group_start > 0:
                cut = group_start
                last = candidates[cut - 1].end_time
            else:  # the group starts the page: serve all of it (never more than `limit`)
                cut = max(i for i, f in enumerate(candidates) if f.end_time == group_end) + 1
                assert cut <= limit, "a group larger than the limit cannot be served legally"
                last = candidates[cut - 1].end_time
        page = candidates[:cut]
        has_more = cut < len(candidates) or mode == "lazy_end"
        return page, has_more, last

    def _iso(self, moment: datetime) -> str:
        text = moment.isoformat()
        return text.replace("+00:00", "Z") if self.plan.z_suffix else text


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return moment
