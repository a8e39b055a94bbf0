"""Compliance listing over real HTTP against every page shape the contract allows.

The server is tests/support/contract_server.py, written from the contract (codex-api.md 2.1 and
its "2026-12 additions"), not our simulator: `after` is exclusive, pages follow
`after=last_end_time` while `has_more`, and "a page may hold fewer files than `limit` (down to
one) with `has_more` true". Each shape lists three consecutive days and every file must come
back exactly once, in the day its end_time falls in ((D 00:00, D+1 00:00], `file_day`), with
nothing raised. A server that cannot be paged at all is the one case that raises.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from codex_assets.defs.compliance.client import (
    ComplianceClient,
    compliance_http_settings,
    day_start,
    file_day,
)
from codex_assets.lib.http.client import ApiHttpClient
from codex_assets.lib.http.errors import ApiSchemaError
from tests.support.contract_server import (
    API_KEY,
    ORGANIZATION,
    WORKSPACE,
    ListingShape,
    ServedFile,
    contract_server,
    make_file,
    utc,
)
from tests.support.fault_server import fault_server, json_reply

DAY = date(2026, 5, 7)
DAYS = [DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)]
NOW = utc(2026, 5, 12, 9, 0)


def _client(url: str, *, list_limit: int = 100, principal: str = WORKSPACE) -> ComplianceClient:
    http = ApiHttpClient(
        compliance_http_settings(
            url, API_KEY, requests_per_minute=None, downloads_per_minute=None, max_retries=0
        ),
        sleep=lambda s: None,
    )
    return ComplianceClient(
        http, principal, list_limit=list_limit, now=lambda: NOW, sleep=lambda s: None
    )


def _every_ten_minutes(
    days: list[date], *, skip: tuple[int, int] | None = None
) -> list[ServedFile]:
    """One file per 10-minute window of `days`, the last ending at midnight; `skip` leaves
    out the windows ending in [skip[0], skip[1]) hours of the middle day (a quiet stretch)."""
    files = []
    for day in days:
        for n in range(1, 145):
            end = day_start(day) + timedelta(minutes=10 * n)
            if skip and day == DAY and skip[0] * 60 <= 10 * n < skip[1] * 60:
                continue
            files.append(make_file(f"{day:%m%d}-{n:03d}", end))
    return files


def _with_groups(files: list[ServedFile], size: int) -> list[ServedFile]:
    """Several windows of the middle day split into `size` files sharing one end time (a
    window split at the 15 MB cap), placed so page boundaries fall inside some of them."""
    extra = []
    for window in (7, 31, 32, 60, 100, 144):
        end = day_start(DAY) + timedelta(minutes=10 * window)
        extra += [make_file(f"split-{window}-{k}", end) for k in range(1, size)]
    return files + extra


def _midnight_edges() -> list[ServedFile]:
    """Files a hair after midnight. (The files ending exactly at midnight are the last
    window of each day: `0506-144` ends at D 00:00, `0507-144` at D+1 00:00.)"""
    return [
        make_file("edge-after-D+1", day_start(DAY + timedelta(days=1)) + timedelta(microseconds=1)),
        make_file("edge-half-second", day_start(DAY) + timedelta(milliseconds=500)),
    ]


PLAIN = _every_ten_minutes(DAYS) + _midnight_edges()
QUIET = _every_ten_minutes(DAYS, skip=(2, 9)) + _midnight_edges()
GROUPED_2 = _with_groups(PLAIN, 2)
GROUPED_3 = _with_groups(PLAIN, 3)

SHAPES = {
    # name: (server shape, client list_limit, files)
    "one file a page (server pages short)": (ListingShape(page_size=1), 100, PLAIN),
    "one file a page (limit=1)": (ListingShape(), 1, PLAIN),
    "pages of 7 below limit": (ListingShape(page_size=7), 100, PLAIN),
    "full pages cut inside same-end_time groups": (ListingShape(), 3, GROUPED_3),
    "full pages of 100 with groups": (ListingShape(), 100, GROUPED_3),
    "short pages re-listing split groups": (
        ListingShape(page_size=2, safe_groups=True),
        100,
        GROUPED_2,
    ),
    "short pages of 4 re-listing split groups": (
        ListingShape(page_size=4, safe_groups=True),
        100,
        GROUPED_3,
    ),
    "hourly scans with empty pages": (ListingShape(scan_window=timedelta(hours=1)), 100, QUIET),
    "25-minute scans, one file a page": (
        ListingShape(scan_window=timedelta(minutes=25), page_size=1),
        100,
        QUIET,
    ),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_every_file_is_listed_once_in_its_day_whatever_the_page_shape(name):
    shape, list_limit, files = SHAPES[name]
    with contract_server(files=files, shape=shape) as server:
        client = _client(server.url, list_limit=list_limit)
        by_day = {day: client.day_files("CODEX_LOG", day) for day in DAYS}
        requests = len(server.calls("/logs"))
    got = [f.id for day in DAYS for f in by_day[day]]
    assert len(got) == len(set(got)), "a file was returned twice"
    expected = {f.id: file_day(f.end_time) for f in files if file_day(f.end_time) in DAYS}
    assert sorted(got) == sorted(expected)
    for day, listed in by_day.items():
        assert {f.id for f in listed} == {i for i, d in expected.items() if d == day}
        assert [f.end_time for f in listed] == sorted(f.end_time for f in listed)
    # Bounded work: at most two requests per file (an overlap that found nothing new, then
    # the documented request) plus one per page boundary a scan slice adds.
    assert requests <= 2 * len(got) + 3 * 24 + len(DAYS)


def test_the_midnight_file_belongs_to_the_day_it_closes():
    with contract_server(files=PLAIN) as server:
        client = _client(server.url)
        ids = {day: {f.id for f in client.day_files("CODEX_LOG", day)} for day in DAYS}
    assert "0506-144" in ids[DAYS[0]] and "0506-144" not in ids[DAY]  # ends at D 00:00
    assert "0507-144" in ids[DAY] and "0507-144" not in ids[DAYS[2]]  # ends at D+1 00:00
    assert "edge-after-D+1" in ids[DAYS[2]] and "edge-after-D+1" not in ids[DAY]
    assert "edge-half-second" in ids[DAY]
    (first, *_) = server.calls("/logs")
    assert dict(first["query"])["after"] == "2026-05-06T00:00:00Z"
    assert dict(first["query"])["before"] == "2026-05-07T00:00:01Z"


def test_one_file_a_page_costs_one_request_per_file():
    """The server that broke the old client: one file a page, `has_more` true. The documented
    paging is followed exactly; the overlap (for full pages only) never doubles the cost."""
    with contract_server(files=PLAIN, shape=ListingShape(page_size=1)) as server:
        client = _client(server.url)
        files = client.day_files("CODEX_LOG", DAY)
        calls = server.calls("/logs")
    assert len(files) == 145  # 144 windows, the midnight file and the half-second one
    # one request per file, plus the page holding the file a microsecond after midnight
    # (`before=D+1 00:00:01` lists it; it is D+1's, so the client drops it)
    assert len(calls) == len(files) + 1
    afters = [dict(c["query"])["after"] for c in calls]
    assert afters[0] == "2026-05-07T00:00:00Z"
    # each later request is the previous page's last_end_time, exactly
    assert afters[1:] == [
        f.end_time.strftime("%Y-%m-%dT%H:%M:%S")
        + (f".{f.end_time.microsecond:06d}" if f.end_time.microsecond else "")
        + "Z"
        for f in files
    ]
    assert set(server.listed.values()) == {1}


def test_an_overlapped_page_with_nothing_new_continues_from_last_end_time():
    """limit=1: every page is full, so the client overlaps; the overlapped page holds only the
    file it has, and the next request is the documented after=last_end_time."""
    files = [make_file(f"f{n}", utc(2026, 5, 7, n, 0)) for n in range(1, 5)]
    with contract_server(files=files) as server:
        client = _client(server.url, list_limit=1)
        got = [f.id for f in client.list_files("CODEX_LOG", utc(2026, 5, 7))]
        afters = [dict(c["query"])["after"] for c in server.calls("/logs")]
    assert got == ["f1", "f2", "f3", "f4"]
    assert afters[:3] == ["2026-05-07T00:00:00Z", "2026-05-07T00:59:59Z", "2026-05-07T01:00:00Z"]


def test_a_group_cut_by_a_full_page_is_completed_by_the_overlap():
    end = utc(2026, 5, 7, 10, 10)
    files = [make_file("x", end - timedelta(minutes=10))] + [
        make_file(name, end) for name in ("a", "b", "c")
    ]
    files.append(make_file("y", end + timedelta(minutes=10)))
    with contract_server(files=files) as server:
        client = _client(server.url, list_limit=3)
        got = [f.id for f in client.list_files("CODEX_LOG", utc(2026, 5, 7))]
    # page 1: x a b (last_end_time 10:10, "c" not on it); the overlap from 10:09:59 gets c
    assert got == ["x", "a", "b", "c", "y"]


def test_empty_pages_with_has_more_are_followed():
    files = [make_file("late", utc(2026, 5, 7, 20, 0))]
    shape = ListingShape(scan_window=timedelta(hours=2))
    with contract_server(files=files, shape=shape) as server:
        client = _client(server.url)
        got = [f.id for f in client.list_files("CODEX_LOG", utc(2026, 5, 7))]
        calls = server.calls("/logs")
    assert got == ["late"]
    assert len(calls) == 10  # nine empty two-hour slices, then the slice holding the file
    assert [dict(c["query"])["after"] for c in calls][:3] == [
        "2026-05-07T00:00:00Z",
        "2026-05-07T02:00:00Z",
        "2026-05-07T04:00:00Z",
    ]


def test_a_day_without_files_is_an_empty_listing():
    with contract_server(files=[]) as server:
        assert _client(server.url).day_files("CODEX_LOG", DAY) == []
        assert len(server.calls("/logs")) == 1


def test_the_organization_route_pages_the_same_way():
    files = [make_file(f"o{n}", utc(2026, 5, 7, n, 0)) for n in range(1, 6)]
    with contract_server(files=files, shape=ListingShape(page_size=1)) as server:
        client = _client(server.url, principal=ORGANIZATION)
        assert [f.id for f in client.day_files("CODEX_LOG", DAY)] == [f"o{n}" for n in range(1, 6)]
        assert (
            server.calls("/logs")[0]["path"] == f"/v1/compliance/organizations/{ORGANIZATION}/logs"
        )


def test_each_listed_file_is_downloaded_once_and_verified_without_the_key_on_storage():
    with contract_server(files=PLAIN, shape=ListingShape(page_size=1)) as server:
        client = _client(server.url)
        files = client.day_files("CODEX_LOG", DAY)
        verified = list(client.iter_downloads(files))
        storage = [r for r in server.requests if r["path"].startswith("/storage/")]
    assert [v.log_file.id for v in verified] == [f.id for f in files]
    assert all(json.loads(v.body.splitlines()[0])["event_id"] for v in verified)
    assert set(server.downloaded.values()) == {1} and len(server.downloaded) == len(files)
    assert storage and all("authorization" not in r["headers"] for r in storage)


# -- what only a broken server does: the documented request itself cannot advance -------------


def _entry(file_id: str, end: str) -> dict:
    served = make_file(file_id, datetime.fromisoformat(end))
    return served.entry()


def test_a_server_that_repeats_its_page_stops_with_a_clear_error():
    """A server ignoring `after` answers the documented request with the page it already
    served: paging on it would never end, so the client stops after two requests."""
    page = {
        "data": [_entry("a", "2026-05-07T10:10:00+00:00")],
        "has_more": True,
        "last_end_time": "2026-05-07T10:10:00+00:00",
    }
    with fault_server() as server:
        server.script(lambda request: json_reply(page))
        client = _client(server.url + "/v1")
        listing = client.list_files("CODEX_LOG", utc(2026, 5, 7))
        assert next(listing).id == "a"
        with pytest.raises(ApiSchemaError, match="did not advance") as caught:
            next(listing)
        assert len(server.requests) == 2
    message = str(caught.value)
    assert "after=2026-05-07T10:10:00Z" in message and "server bug" in message
    assert API_KEY not in message


def test_has_more_with_no_position_to_continue_from_is_refused():
    with fault_server() as server:
        server.script(
            lambda request: json_reply({"data": [], "has_more": True, "last_end_time": None})
        )
        client = _client(server.url + "/v1")
        with pytest.raises(ApiSchemaError, match="did not advance") as caught:
            list(client.list_files("CODEX_LOG", utc(2026, 5, 7)))
        assert len(server.requests) == 1
    assert caught.value.field == "last_end_time"
    assert "last_end_time null" in str(caught.value)


def test_a_null_last_end_time_on_a_page_with_files_continues_from_its_last_file():
    """`last_end_time` is "date-time or null" and files are "ordered by end_time ascending":
    on a page with files a null is read as its last file's end time."""
    pages = {
        "2026-05-07T00:00:00Z": {
            "data": [_entry("a", "2026-05-07T01:00:00+00:00")],
            "has_more": True,
            "last_end_time": None,
        },
        "2026-05-07T01:00:00Z": {
            "data": [_entry("b", "2026-05-07T02:00:00+00:00")],
            "has_more": False,
            "last_end_time": "2026-05-07T02:00:00+00:00",
        },
    }
    with fault_server() as server:
        server.script(lambda request: json_reply(pages[request.params["after"]]))
        client = _client(server.url + "/v1")
        assert [f.id for f in client.list_files("CODEX_LOG", utc(2026, 5, 7))] == ["a", "b"]
