"""Compliance downloads against the fault server: retries are bounded by time (the retry
budget, CODEX_API_RETRY_BUDGET_SECONDS), not a count, and stay parallel under faults."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

import pytest

from codex_assets.defs.compliance.client import ComplianceClient, compliance_http_settings
from codex_assets.defs.compliance.log_files import LogFile
from codex_assets.lib.http.client import ApiHttpClient
from codex_assets.lib.http.errors import ApiRetriesExhaustedError
from tests.support.fault_server import FakeClock, Recorded, Reply, fault_server, json_reply

KEY = "sk-admin-DOWNLOADS-never-leak"
WS = "3f0f5aaf-1e2b-4f10-bb50-111111111111"
NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)
BODY = b'{"event_id":"e1"}\n'

pytestmark = pytest.mark.timeout(60)


def _log_file(file_id: str, body: bytes = BODY) -> LogFile:
    return LogFile(
        id=file_id,
        event_type="CODEX_LOG",
        end_time=datetime(2026, 5, 9, 0, 10, tzinfo=UTC),
        file_name=f"{file_id}.jsonl",
        file_size=len(body),
        file_sha256=hashlib.sha256(body).hexdigest(),
    )


def _client(server, *, clock: FakeClock | None = None, **http: object) -> ComplianceClient:
    settings = compliance_http_settings(server.url + "/v1", KEY, requests_per_minute=None, **http)
    timing = {"sleep": clock.sleep, "clock": clock.monotonic} if clock else {}
    client = ApiHttpClient(settings, **timing)
    return ComplianceClient(
        client,
        WS,
        now=lambda: NOW,
        max_concurrency=4,
        **({"sleep": clock.sleep} if clock else {}),
    )


def _throttled_then_served(server, throttled: int) -> list[Reply]:
    signed = server.url + "/signed/f1.jsonl?sig=abc"
    return [
        *[json_reply({}, status=429, headers=[("Retry-After", "1")])] * throttled,
        Reply(status=307, headers=(("Location", signed),)),
        Reply(status=200, body=BODY),
    ]


def test_twenty_429s_on_a_download_are_waited_out():
    clock = FakeClock()
    with fault_server() as server:
        server.script(_throttled_then_served(server, 20))
        client = _client(server, clock=clock)
        assert client.download(_log_file("f1")).body == BODY
    assert len(server.requests) == 22
    assert sum(clock.sleeps) >= 20  # every Retry-After honoured, shared on the route


def test_throttling_past_the_budget_fails_naming_the_budget():
    clock = FakeClock()
    with fault_server() as server:
        server.script(_throttled_then_served(server, 20))
        client = _client(server, clock=clock, retry_budget_s=5)
        with pytest.raises(ApiRetriesExhaustedError) as caught:
            client.download(_log_file("f1"))
    message = str(caught.value)
    assert "CODEX_API_RETRY_BUDGET_SECONDS" in message and "5s" in message
    # Waits of about 1 s each (Retry-After, then the route's pace) until the next would end
    # past the 5 s budget: then it gives up at once, without starting that wait.
    assert 4 <= caught.value.attempts <= 6
    assert sum(clock.sleeps) <= 5
    assert KEY not in message


def test_a_real_burst_of_429s_is_waited_out_within_a_small_budget():
    with fault_server() as server:
        server.script(_throttled_then_served(server, 2))
        client = _client(server, retry_budget_s=4)
        started = time.monotonic()
        assert client.download(_log_file("f1")).body == BODY
    assert 2 <= time.monotonic() - started < 4


def test_downloads_stay_parallel_under_periodic_faults():
    """A 503 on every third API request and slow signed downloads: the files still download
    four at a time, and each is retried on its own, not one after another."""
    files = [_log_file(f"f{i}") for i in range(12)]
    api_requests = 0

    def reply(request: Recorded) -> Reply:
        nonlocal api_requests
        if request.path.startswith("/signed/"):
            return Reply(status=200, body=BODY, delay_s=0.25)
        api_requests += 1
        if api_requests % 3 == 0:
            return json_reply({"error": "busy"}, status=503)
        file_id = request.path.rsplit("/", 1)[1]
        return Reply(status=307, headers=(("Location", f"/signed/{file_id}.jsonl?sig=x"),))

    with fault_server() as server:
        server.script(reply)
        client = _client(server, backoff_initial_s=0.05, backoff_max_s=0.1)
        started = time.monotonic()
        landed = [verified.log_file.id for verified in client.iter_downloads(files)]
        elapsed = time.monotonic() - started
        assert server.max_in_flight >= 3
    assert landed == [f.id for f in files]
    assert elapsed < 12 * 0.25 / 2  # far under one at a time (3 s)
