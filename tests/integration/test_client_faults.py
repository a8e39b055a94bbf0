"""The HTTP layer and the Analytics client against a scripted server over real loopback HTTP.

Every test scripts what the server answers (including wire faults) and then asserts on what
users depend on: the rows that come back, the errors and their messages, the requests the
server actually received, and that the key never leaks.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
import traceback
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import pytest

from codex_assets.defs.analytics.client import AnalyticsClient, day_bounds
from codex_assets.lib.http.client import ApiHttpClient, HttpSettings
from codex_assets.lib.http.errors import (
    ApiAuthError,
    ApiNotFoundError,
    ApiPermissionError,
    ApiRetriesExhaustedError,
    ApiSchemaError,
    ApiValidationError,
    CodexApiError,
    OutsideApiWindowError,
)
from tests.support.fault_server import (
    FakeClock,
    FaultServer,
    Recorded,
    Reply,
    close,
    fault_server,
    json_reply,
    page,
    short_body,
    slow,
)

KEY = "sk-admin-TESTKEY-0123456789abcdef-never-leak"
KEY_VAR = "CODEX_ANALYTICS_API_KEY"
SCOPE = "codex.enterprise.analytics.read"
WS = "3f0f5aaf-1e2b-4f10-bb50-111111111111"
NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)  # latest complete day 2026-05-09
DAY = date(2026, 5, 1)
USAGE_PATH = f"/v1/analytics/codex/workspaces/{WS}/usage"

pytestmark = pytest.mark.timeout(60)


def usage_row(user: str, day: date = DAY, **extra: object) -> dict:
    start, end = day_bounds(day)
    return {
        "object": "workspace.codex.usage.result",
        "start_time": start,
        "end_time": end,
        "user_id": user,
        "actor": {"type": "ACCOUNT_USER", "user_id": user, "email": None},
        "totals": {"threads": 1, "turns": 3, "credits": 0.9},
        "clients": [{"client_id": "CODEX_CLI", "threads": 1, "turns": 3, "credits": 0.9}],
        **extra,
    }


@pytest.fixture
def server():
    with fault_server() as running:
        yield running


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_http(server: FaultServer, clock: FakeClock, **overrides: object) -> ApiHttpClient:
    options: dict = {
        "base_url": server.url + "/v1",
        "api_key": KEY,
        "key_env_var": KEY_VAR,
        "scope": SCOPE,
        "timeout_s": 5.0,
        "max_retries": 4,
        "requests_per_minute": None,
    }
    options.update(overrides)
    return ApiHttpClient(HttpSettings(**options), sleep=clock.sleep, clock=clock.monotonic)


@pytest.fixture
def http(server, clock):
    with make_http(server, clock) as client:
        yield client


@pytest.fixture
def analytics(http) -> AnalyticsClient:
    return AnalyticsClient(http, WS, page_size=2, now=lambda: NOW)


# -- paging -------------------------------------------------------------------------------------


def test_cursor_chain_over_three_pages_keeps_every_other_param(server, analytics):
    rows = [usage_row(f"u{i}") for i in range(5)]
    server.script([page(rows[:2], "cur-A"), page(rows[2:4], "cur-B"), page(rows[4:])])

    fetched = analytics.fetch_day("usage", DAY)

    assert fetched.rows == rows
    assert (fetched.endpoint, fetched.day, fetched.pages, fetched.requests) == ("usage", DAY, 3, 3)
    assert fetched.retries == 0
    assert [r.path for r in server.requests] == [USAGE_PATH] * 3
    start, end = day_bounds(DAY)
    first = server.requests[0].params
    assert first == {"start_time": str(start), "end_time": str(end), "limit": "2"}
    assert server.requests[1].params == {**first, "page": "cur-A"}
    assert server.requests[2].params == {**first, "page": "cur-B"}
    assert (start, end) == (1777593600, 1777680000)  # the documented example's day


def test_requests_carry_bearer_key_and_user_agent(server, analytics):
    server.script([page([])])
    analytics.fetch_day("usage", DAY)
    headers = server.requests[0].headers
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["user-agent"].startswith("codex-assets/")


@pytest.mark.parametrize(
    ("endpoint", "segment", "extra"),
    [
        ("usage", "usage", {}),
        ("usage_workspace", "usage", {"group": "workspace"}),
        ("code_reviews", "code_reviews", {}),
        ("code_review_responses", "code_review_responses", {}),
    ],
)
def test_each_endpoint_hits_its_documented_route(server, analytics, endpoint, segment, extra):
    server.script([page([])])
    analytics.fetch_day(endpoint, DAY)
    (request,) = server.requests
    assert request.path == f"/v1/analytics/codex/workspaces/{WS}/{segment}"
    start, end = day_bounds(DAY)
    assert request.params == {"start_time": str(start), "end_time": str(end), "limit": "2", **extra}


def test_empty_day_is_a_complete_fetch_with_no_rows(server, analytics):
    server.script([page([])])
    fetched = analytics.fetch_day("code_reviews", DAY)
    assert (fetched.rows, fetched.pages, fetched.requests) == ([], 1, 1)


def test_unknown_fields_and_enum_values_are_kept_exactly(server, analytics):
    row = usage_row(
        "u1",
        future_field={"nested": [1, 2, {"x": None}]},
        cost_usd=1.25,
        clients=[
            {"client_id": "CODEX_SOMETHING_NEW", "threads": 1, "turns": 2, "credits": 0.5},
            {"client_id": "CODEX_UNKNOWN_DEFAULT", "threads": 0, "turns": 1, "credits": 0.4},
        ],
        models=[{"model": "gpt-9-preview", "speed": "ludicrous", "credits": 0.9, "new": True}],
    )
    row["totals"]["new_total"] = 7
    server.script([page([row])])
    assert analytics.fetch_day("usage", DAY).rows == [row]


# -- transient failures are retried ---------------------------------------------------------------


def test_429_with_retry_after_seconds_waits_then_succeeds(server, http, analytics, clock):
    server.script(
        [json_reply({"error": "slow down"}, status=429, headers=[("Retry-After", "7")]), page([])]
    )
    fetched = analytics.fetch_day("usage", DAY)
    assert (fetched.requests, fetched.retries) == (2, 1)
    assert 7 in clock.sleeps
    stats = http.stats
    assert stats.retries_by_reason == {"http_429": 1}
    assert stats.rate_limit_wait_s == pytest.approx(7)


def test_429_with_retry_after_http_date_waits_until_then(server, http, analytics, clock):
    when = datetime.now(UTC) + timedelta(seconds=20)
    server.script(
        [
            json_reply(
                {}, status=429, headers=[("Retry-After", format_datetime(when, usegmt=True))]
            ),
            page([]),
        ]
    )
    analytics.fetch_day("usage", DAY)
    assert len(clock.sleeps) == 1
    assert 15 <= clock.sleeps[0] <= 21


def test_retry_after_is_capped(server, clock):
    with make_http(server, clock, retry_after_max_s=30) as http:
        server.script([json_reply({}, status=429, headers=[("Retry-After", "86400")]), page([])])
        AnalyticsClient(http, WS, now=lambda: NOW).fetch_day("usage", DAY)
    assert clock.sleeps == [30]


def test_a_429_holds_only_the_refused_request_not_others_on_the_route(server):
    """Another thread on the same route goes on while the throttled one waits (issue 15:
    sharing each pause serialised a run against a server refusing one request in five)."""
    server.script([json_reply({}, status=429, headers=[("Retry-After", "5")]), page([]), page([])])
    throttled_waiting, release = threading.Event(), threading.Event()
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        throttled_waiting.set()
        assert release.wait(10), "the throttled request was never released"

    settings = HttpSettings(
        base_url=server.url + "/v1",
        api_key=KEY,
        key_env_var=KEY_VAR,
        scope=SCOPE,
        requests_per_minute=None,
    )
    with ApiHttpClient(settings, sleep=sleep) as http:
        path = USAGE_PATH.removeprefix("/v1")
        throttled = threading.Thread(target=http.get_json, args=(path, [("limit", 1)]))
        throttled.start()
        assert throttled_waiting.wait(10)
        http.get_json(path, [("limit", 1)])  # served at once, while the other still waits
        assert len(server.requests) == 2
        release.set()
        throttled.join(10)
        assert len(server.requests) == 3 and waits == [5]
        assert http.stats.rate_limit_wait_s == pytest.approx(5)


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_5xx_then_success(server, analytics, http, status):
    server.script([json_reply({"error": "oops"}, status=status), page([usage_row("u1")])])
    fetched = analytics.fetch_day("usage", DAY)
    assert len(fetched.rows) == 1
    assert (fetched.requests, fetched.retries) == (2, 1)
    assert http.stats.retries_by_reason == {f"http_{status}": 1}


def test_5xx_until_exhaustion_names_attempts_and_last_failure(server, analytics, clock):
    server.script([json_reply({"error": "upstream down"}, status=503)] * 5)
    with pytest.raises(ApiRetriesExhaustedError) as caught:
        analytics.fetch_day("usage", DAY)
    error = caught.value
    assert len(server.requests) == 5  # max_retries=4: the first try and 4 retries
    assert error.attempts == 5
    assert error.status == 503
    assert "failed 5 times" in str(error)
    assert "HTTP 503" in str(error) and "upstream down" in str(error)
    assert f"usage for {DAY}" in str(error)
    assert len(clock.sleeps) == 4
    # Capped exponential backoff with full jitter: each wait is within its cap.
    for retry, waited in enumerate(clock.sleeps):
        assert 0 <= waited <= min(30, 0.5 * 2**retry)


def test_timeout_is_retried(server, clock):
    with make_http(server, clock, timeout_s=0.3) as http:
        server.script([slow(page([usage_row("late")]), 2.0), page([usage_row("u1")])])
        fetched = AnalyticsClient(http, WS, now=lambda: NOW).fetch_day("usage", DAY)
        assert [r["user_id"] for r in fetched.rows] == ["u1"]
        assert http.stats.retries_by_reason == {"timeout": 1}


def test_timeouts_until_exhaustion_say_so(server, clock):
    with make_http(server, clock, timeout_s=0.2, max_retries=1) as http:
        server.script([slow(page([]), 2.0)] * 2)
        with pytest.raises(ApiRetriesExhaustedError) as caught:
            AnalyticsClient(http, WS, now=lambda: NOW).fetch_day("usage", DAY)
    assert "failed 2 times" in str(caught.value)
    assert "no answer within 0.2s" in str(caught.value)


def test_dropped_connection_is_retried(server, analytics, http):
    server.script([close(), page([usage_row("u1")])])
    fetched = analytics.fetch_day("usage", DAY)
    assert len(fetched.rows) == 1
    assert http.stats.retries_by_reason == {"transport": 1}


def test_body_shorter_than_its_content_length_is_retried(server, analytics, http):
    envelope = {"object": "page", "data": [usage_row("u1")], "has_more": False}
    server.script([short_body(envelope), page([usage_row("u1")])])
    fetched = analytics.fetch_day("usage", DAY)
    assert len(fetched.rows) == 1
    assert http.stats.retries_by_reason == {"transport": 1}


HTML = Reply(
    status=200,
    body=b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    headers=(("Content-Type", "text/html"),),
)


def test_html_200_is_retried(server, analytics, http):
    server.script([HTML, page([usage_row("u1")])])
    assert len(analytics.fetch_day("usage", DAY).rows) == 1
    assert http.stats.retries_by_reason == {"malformed_body": 1}


def test_html_200_until_exhaustion_says_the_body_was_not_json(server, analytics):
    server.script([HTML] * 5)
    with pytest.raises(ApiRetriesExhaustedError) as caught:
        analytics.fetch_day("usage", DAY)
    assert "not valid JSON" in str(caught.value) and "text/html" in str(caught.value)


# -- contract violations are errors, not retries or silent partial days ---------------------------


def test_valid_json_with_wrong_envelope_names_the_field(server, analytics):
    server.script([json_reply({"object": "page", "results": [], "has_more": False})])
    with pytest.raises(ApiSchemaError) as caught:
        analytics.fetch_day("usage", DAY)
    assert "'data'" in str(caught.value) and "missing" in str(caught.value)
    assert caught.value.field == "data"
    assert len(server.requests) == 1  # not retried: the server answered deliberately


def test_has_more_without_a_next_page_is_an_error(server, analytics):
    server.script([json_reply({"object": "page", "data": [], "has_more": True, "next_page": None})])
    with pytest.raises(ApiSchemaError) as caught:
        analytics.fetch_day("usage", DAY)
    assert "'next_page'" in str(caught.value) and "has_more is true" in str(caught.value)


def test_repeated_cursor_is_an_error_not_an_endless_loop(server, analytics):
    server.script([page([usage_row("a")], "c1"), page([usage_row("b")], "c2"), page([], "c1")])
    with pytest.raises(ApiSchemaError) as caught:
        analytics.fetch_day("usage", DAY)
    assert "repeats the cursor 'c1'" in str(caught.value)
    assert len(server.requests) == 3


# -- permanent HTTP errors: not retried, with a message that says what to fix ---------------------


def test_401_names_the_variable_and_not_the_key(server, analytics):
    server.script([json_reply({"error": {"message": "Invalid API key"}}, status=401)])
    with pytest.raises(ApiAuthError) as caught:
        analytics.fetch_day("usage", DAY)
    message = str(caught.value)
    assert KEY_VAR in message and "Check" in message
    assert KEY not in message
    assert caught.value.status == 401
    assert caught.value.url.startswith(USAGE_PATH + "?start_time=")
    assert len(server.requests) == 1


def test_403_names_the_scope_and_the_variable(server, analytics):
    server.script([json_reply({"detail": "Missing scope"}, status=403)])
    with pytest.raises(ApiPermissionError) as caught:
        analytics.fetch_day("usage", DAY)
    assert SCOPE in str(caught.value) and KEY_VAR in str(caught.value)


def test_404_says_to_check_the_workspace_id(server, analytics):
    server.script([json_reply({"detail": "Not Found"}, status=404)])
    with pytest.raises(ApiNotFoundError) as caught:
        analytics.fetch_day("usage", DAY)
    assert "CODEX_WORKSPACE_ID" in str(caught.value)


def test_422_shows_the_api_detail(server, analytics):
    detail = {
        "type": "less_than_equal",
        "loc": ["query", "limit"],
        "msg": "Input should be less than or equal to 30000",
        "input": "50000",
        "ctx": {"le": 30000},
    }
    server.script([json_reply({"detail": [detail]}, status=422)])
    with pytest.raises(ApiValidationError) as caught:
        analytics.fetch_day("usage", DAY)
    assert "query.limit: Input should be less than or equal to 30000" in str(caught.value)
    assert caught.value.details == (
        "query.limit: Input should be less than or equal to 30000 (got '50000')",
    )
    assert len(server.requests) == 1


# -- the key never leaks --------------------------------------------------------------------------


LEAKY_SCRIPTS = {
    "401 echoing the header": [
        json_reply({"error": f"bad Authorization: Bearer {KEY}"}, status=401)
    ],
    "403": [json_reply({"detail": KEY}, status=403)],
    "422 echoing the key": [
        json_reply({"detail": [{"loc": ["header"], "msg": f"bad {KEY}", "type": "x"}]}, status=422)
    ],
    "500 until exhaustion": [Reply(status=500, body=f"trace: Bearer {KEY}".encode())] * 5,
    "schema": [json_reply({"data": "nope", "has_more": False, "echo": KEY})],
    "dropped": [close()] * 5,
    "html": [Reply(status=200, body=f"<html>{KEY}</html>".encode())] * 5,
    "418": [Reply(status=418, body=KEY.encode())],
}


@pytest.mark.parametrize("name", sorted(LEAKY_SCRIPTS))
def test_key_never_appears_in_errors_logs_reprs_or_stats(server, http, analytics, caplog, name):
    server.script(LEAKY_SCRIPTS[name])
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CodexApiError) as caught:
        analytics.fetch_day("usage", DAY)
    error = caught.value
    texts = [
        str(error),
        repr(error),
        error.url,
        error.body_excerpt,
        "".join(traceback.format_exception(error)),
        repr(pickle.loads(pickle.dumps(error)).__dict__),
        caplog.text,
        repr(http),
        repr(http.settings),
        repr(http.stats),
        repr(analytics.__dict__),
    ]
    for text in texts:
        assert KEY not in text
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"


# -- the window is checked before anything is sent ------------------------------------------------


def test_day_older_than_lookback_sends_nothing(server, analytics):
    old = date(2026, 1, 1)
    with pytest.raises(OutsideApiWindowError) as caught:
        list(analytics.iter_days("usage", [old, DAY]))
    assert server.requests == []
    message = str(caught.value)
    assert "2026-01-01" in message and "90" in message
    assert "2026-02-09..2026-05-09" in message  # the servable range at NOW
    assert caught.value.too_old == (old,)


def test_incomplete_day_sends_nothing(server, analytics):
    with pytest.raises(OutsideApiWindowError) as caught:
        analytics.iter_days("usage", [DAY, date(2026, 5, 10)])  # raises before iteration
    assert server.requests == []
    assert "2026-05-11 12:00 UTC" in str(caught.value)
    with pytest.raises(OutsideApiWindowError):
        analytics.fetch_day("usage", date(2026, 5, 10))
    assert server.requests == []


# -- concurrency and order of iter_days -----------------------------------------------------------


def _day_of(request: Recorded) -> date:
    return datetime.fromtimestamp(int(request.params["start_time"]), UTC).date()


def test_iter_days_bounds_concurrency_and_yields_in_day_order(server, http):
    days = [DAY + timedelta(days=i) for i in range(8)]

    def reply(request: Recorded) -> Reply:
        day = _day_of(request)
        index = days.index(day)
        # Early days are the slowest, so they finish last within each batch.
        time.sleep(0.05 + 0.03 * (len(days) - index) / len(days))
        return page([usage_row(f"user-{index}", day)])

    server.script(reply)
    client = AnalyticsClient(http, WS, max_concurrency=3, now=lambda: NOW)
    yielded = [fetch.day for fetch in client.iter_days("usage", list(reversed(days)))]

    assert yielded == days
    assert server.max_in_flight == 3
    assert len(server.requests) == 8


def _forbidden_on(bad: date):
    """A server script: 403 for every page of `bad`, one row a day (a little slowly) otherwise."""

    def reply(request: Recorded) -> Reply:
        if _day_of(request) == bad:
            return json_reply({"detail": "no"}, status=403)
        time.sleep(0.02)
        return page([usage_row("u", _day_of(request))])

    return reply


def test_iter_days_stops_after_a_failed_day_and_keeps_earlier_ones(server, http):
    days = [DAY + timedelta(days=i) for i in range(8)]
    bad = days[2]

    server.script(_forbidden_on(bad))
    client = AnalyticsClient(http, WS, max_concurrency=2, now=lambda: NOW)
    kept = []
    with pytest.raises(ApiPermissionError) as caught:
        for fetch in client.iter_days("usage", days):
            kept.append(fetch.day)
    assert kept == days[:2]
    assert str(bad) in str(caught.value)
    requested = {_day_of(r) for r in server.requests}
    assert max(requested) <= days[3]  # nothing submitted beyond the in-flight window


def test_a_later_day_failing_lets_earlier_days_in_flight_finish(server, http):
    days = [DAY + timedelta(days=i) for i in range(4)]

    def reply(request: Recorded) -> Reply:
        day = _day_of(request)
        if day == days[2]:
            return json_reply({"error": "bad key"}, status=401)  # fails at once
        cursor = request.params.get("page")
        time.sleep(0.15)  # slow pages: the failure lands while these are in flight
        if cursor is None:
            return page([usage_row("first", day)], f"{day}-next")
        return page([usage_row("second", day)])

    server.script(reply)
    client = AnalyticsClient(http, WS, max_concurrency=4, now=lambda: NOW)
    kept = []
    with pytest.raises(ApiAuthError) as caught:
        for fetch in client.iter_days("usage", days):
            kept.append((fetch.day, fetch.pages))
    assert kept == [(days[0], 2), (days[1], 2)]  # not thrown away because of a later day
    assert f"usage for {days[2]}" in str(caught.value)
    # The day after the failure stopped paging (at most its first page was in flight).
    assert len([r for r in server.requests if _day_of(r) == days[3]]) <= 1


def test_map_days_lands_in_the_fetching_threads_and_stops_after_a_failed_day(server, http):
    days = [DAY + timedelta(days=i) for i in range(6)]
    bad = days[2]

    server.script(_forbidden_on(bad))
    client = AnalyticsClient(http, WS, max_concurrency=2, now=lambda: NOW)
    landed: list[tuple[date, str]] = []

    def land(fetch):
        landed.append((fetch.day, threading.current_thread().name))
        return fetch.day, len(fetch.rows)

    kept = []
    with pytest.raises(ApiPermissionError):
        for day, rows in client.map_days("usage", days, land):
            kept.append((day, rows))
    assert kept == [(days[0], 1), (days[1], 1)]
    # Landed where it was fetched (overlapping the other days), never in the caller's thread;
    # nothing after the failed day started, and at most the one day in flight beside it landed.
    assert all(name.startswith("codex-usage") for _, name in landed)
    assert {day for day, _ in landed} <= set(days[:4])


def test_closing_iter_days_early_starts_no_more_days(server, http):
    days = [DAY + timedelta(days=i) for i in range(8)]
    server.script(lambda request: page([usage_row("u", _day_of(request))]))
    client = AnalyticsClient(http, WS, max_concurrency=2, now=lambda: NOW)
    iterator = client.iter_days("usage", days)
    assert next(iterator).day == days[0]
    iterator.close()
    seen = len(server.requests)
    assert seen <= 3
    time.sleep(0.1)
    assert len(server.requests) == seen


def test_parallel_days_share_one_client_safely(server, http):
    days = [DAY + timedelta(days=i) for i in range(6)]
    lock = threading.Lock()
    pages_by_day: dict[date, int] = {}

    def reply(request: Recorded) -> Reply:
        day = _day_of(request)
        with lock:
            pages_by_day[day] = pages_by_day.get(day, 0) + 1
            n = pages_by_day[day]
        if n < 3:
            return page([usage_row(f"{day}-{n}", day)], f"{day}-cursor-{n}")
        return page([usage_row(f"{day}-{n}", day)])

    server.script(reply)
    client = AnalyticsClient(http, WS, max_concurrency=4, now=lambda: NOW)
    fetched = list(client.iter_days("usage", days))
    for fetch in fetched:
        assert [r["user_id"] for r in fetch.rows] == [f"{fetch.day}-{n}" for n in (1, 2, 3)]
        assert fetch.pages == 3
    assert http.stats.requests == 18


# -- signed download URLs (the compliance client's 307 flow) --------------------------------------


def test_signed_url_is_fetched_without_authorization(server, http):
    server.script([Reply(status=200, body=b'{"a":1}\n{"a":2}\n')])
    response = http.get(server.url + "/bucket/file.jsonl?sig=abc123", authenticated=False)
    assert response.content == b'{"a":1}\n{"a":2}\n'
    (request,) = server.requests
    assert "authorization" not in request.headers
    assert request.params == {"sig": "abc123"}


def test_redirect_to_signed_url_drops_authorization(server, http):
    path = f"/compliance/workspaces/{WS}/logs/clf_01J9ZQ8W6K"
    signed = server.url + "/signed/clf_01J9ZQ8W6K.jsonl?X-Signature=s3cr3t"
    server.script(
        [
            Reply(status=307, headers=(("Location", signed),)),
            Reply(status=200, body=b'{"event_id":"e1"}\n'),
        ]
    )
    response = http.get(path, follow_redirects=True)
    assert response.content == b'{"event_id":"e1"}\n'
    api_request, download = server.requests
    assert api_request.headers["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in download.headers
    assert download.path == "/signed/clf_01J9ZQ8W6K.jsonl"


def test_307_is_returned_for_the_caller_to_follow(server, http):
    signed = "https://storage.example/file.jsonl?sig=x"
    server.script([Reply(status=307, headers=(("Location", signed),))])
    response = http.get(f"/compliance/workspaces/{WS}/logs/clf_1")
    assert response.status_code == 307 and response.headers["location"] == signed


def test_authenticated_fetch_of_a_foreign_url_is_refused_before_sending(server, http):
    with pytest.raises(ValueError, match="Refusing to send the API key"):
        http.get("https://storage.example/file.jsonl?sig=x")
    with pytest.raises(ValueError, match="Refusing to send the API key"):
        http.get(server.url + "/elsewhere/file.jsonl")  # same host, outside the base URL
    assert server.requests == []


def test_expired_signed_url_error_hides_the_signature(server, http):
    server.script([Reply(status=403, body=b"<Error>Request has expired</Error>")])
    with pytest.raises(CodexApiError) as caught:
        http.get(server.url + "/signed/f.jsonl?X-Signature=s3cr3t", authenticated=False)
    assert not isinstance(caught.value, ApiPermissionError)
    assert "s3cr3t" not in str(caught.value) and "expired" in str(caught.value)
    assert caught.value.url.endswith("/signed/f.jsonl?<signed query omitted>")


def test_truncated_signed_download_is_retried(server, http):
    server.script([Reply(body=b'{"a":1}\n', fault="short"), Reply(body=b'{"a":1}\n')])
    response = http.get(server.url + "/signed/f.jsonl?sig=1", authenticated=False)
    assert response.content == b'{"a":1}\n'
    assert all("authorization" not in r.headers for r in server.requests)


def test_compliance_400_shows_the_error_message(server, http):
    server.script([json_reply({"error": {"message": "invalid event_type FOO"}}, status=400)])
    with pytest.raises(ApiValidationError) as caught:
        http.get_json(f"/compliance/workspaces/{WS}/logs", [("event_type", "FOO")])
    assert "invalid event_type FOO" in str(caught.value) and caught.value.status == 400


# -- client-side pacing over real HTTP ------------------------------------------------------------


def test_rate_limit_paces_requests_per_route(server, clock):
    with make_http(server, clock, requests_per_minute=2) as http:
        server.script(lambda request: page([]))
        client = AnalyticsClient(http, WS, now=lambda: NOW)
        for _ in range(4):
            client.fetch_day("usage", DAY)
        client.fetch_day("code_reviews", DAY)  # another route: its own full bucket
        # 2 per route at once, then the next 2 when the first leave the minute.
        assert clock.sleeps == [60]
        assert http.stats.rate_limit_wait_s == pytest.approx(60)
