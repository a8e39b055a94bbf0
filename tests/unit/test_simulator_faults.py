"""Every fault kind, as a client sees it through the in-process transport."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

import httpx
import orjson
import pytest

from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import FaultRule, SimulatorConfig
from codex_assets.simulator.transport import SimulatorTransport

NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)
DAY = date(2026, 5, 8)
START = int(datetime(2026, 5, 8, tzinfo=UTC).timestamp())
ONE_DAY = {"start_time": START, "end_time": START + 86_400}


def client_for(*faults: FaultRule, users: int = 80) -> tuple[Simulator, httpx.Client, str]:
    sim = Simulator(SimulatorConfig(users=users, faults=faults, now=lambda: NOW))
    client = httpx.Client(
        base_url="http://simulator.local/v1",
        transport=SimulatorTransport(sim),
        headers={"Authorization": f"Bearer {sim.config.analytics_key}"},
    )
    return sim, client, f"/analytics/codex/workspaces/{sim.workspace_id}"


def test_rate_limit_is_429_with_retry_after_on_every_nth_request():
    _, client, prefix = client_for(FaultRule("rate_limit", every=3, retry_after_s=2))
    statuses = [client.get(f"{prefix}/code_reviews", params=ONE_DAY) for _ in range(6)]
    assert [r.status_code for r in statuses] == [200, 200, 429, 200, 200, 429]
    limited = statuses[2]
    assert limited.headers["retry-after"] == "2"
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"


def test_fractional_retry_after_is_kept_for_fast_tests():
    _, client, prefix = client_for(FaultRule("rate_limit", first=1, retry_after_s=0.25))
    response = client.get(f"{prefix}/code_reviews", params=ONE_DAY)
    assert response.headers["retry-after"] == "0.25"
    assert response.headers["retry-after-ms"] == "250"


def test_server_error_is_503_json_then_html_and_transient():
    _, client, prefix = client_for(FaultRule("server_error", first=2))
    first, second, third = (client.get(f"{prefix}/code_reviews", params=ONE_DAY) for _ in range(3))
    assert first.status_code == second.status_code == 503
    assert first.json()["error"]["type"] == "server_error"
    assert second.headers["content-type"].startswith("text/html")
    assert b"<html>" in second.content
    assert third.status_code == 200


def test_slow_delays_then_answers():
    _, client, prefix = client_for(FaultRule("slow", delay_ms=150))
    started = time.perf_counter()
    response = client.get(f"{prefix}/code_reviews", params=ONE_DAY)
    assert time.perf_counter() - started >= 0.15
    assert response.status_code == 200


def test_drop_raises_a_protocol_error_and_then_recovers():
    _, client, prefix = client_for(FaultRule("drop", first=2, endpoints=("usage",)))
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(f"{prefix}/usage", params=ONE_DAY)
    assert client.get(f"{prefix}/usage", params=ONE_DAY).status_code == 200


def test_truncate_delivers_half_a_body_that_is_not_json():
    sim, client, prefix = client_for(FaultRule("truncate", first=1))
    response = client.get(f"{prefix}/usage", params=ONE_DAY)
    whole = int(response.headers["content-length"])
    assert 0 < len(response.content) < whole
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(response.content)
    retry = client.get(f"{prefix}/usage", params=ONE_DAY)
    assert len(retry.content) == whole
    assert retry.json()["data"] == sim.day_rows("usage", DAY)


def test_malformed_is_a_200_html_page():
    _, client, prefix = client_for(FaultRule("malformed", every=2))
    ok, bad = (client.get(f"{prefix}/code_reviews", params=ONE_DAY) for _ in range(2))
    assert ok.status_code == bad.status_code == 200
    assert bad.headers["content-type"].startswith("text/html")
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(bad.content)


def test_extra_fields_adds_unknowns_but_keeps_known_values_and_sums():
    sim, client, prefix = client_for(FaultRule("extra_fields"))
    served = client.get(f"{prefix}/usage", params=ONE_DAY).json()["data"]
    clean = sim.day_rows("usage", DAY)
    assert len(served) == len(clean)
    for row, expected in zip(served, clean, strict=True):
        assert set(row) > set(expected)
        assert "sim_future_metric" in row["totals"]
        future = [c for c in row["clients"] if c["client_id"] == "CODEX_FUTURE_SURFACE"]
        assert len(future) == 1
        known = [c for c in row["clients"] if c["client_id"] != "CODEX_FUTURE_SURFACE"]
        assert known == expected["clients"]
        assert sum(c["turns"] for c in row["clients"]) == row["totals"]["turns"]
        assert {k: row["totals"][k] for k in expected["totals"]} == expected["totals"]
    review = client.get(f"{prefix}/code_reviews", params=ONE_DAY).json()["data"][0]
    assert "sim_schema_version" in review


def test_endpoints_limit_where_faults_fire_and_what_they_count():
    sim, client, prefix = client_for(FaultRule("server_error", every=2, endpoints=("usage",)))
    for _ in range(5):
        assert client.get(f"{prefix}/code_reviews", params=ONE_DAY).status_code == 200
    assert sim.faults.counts == (0,)
    codes = [client.get(f"{prefix}/usage", params=ONE_DAY).status_code for _ in range(4)]
    assert codes == [200, 503, 200, 503]


def test_faults_apply_before_auth():
    _, client, prefix = client_for(FaultRule("rate_limit"))
    response = client.get(f"{prefix}/usage", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 429


def test_first_rule_that_fires_wins_and_every_rule_counts():
    sim, client, prefix = client_for(
        FaultRule("rate_limit", first=1), FaultRule("server_error", first=2)
    )
    codes = [client.get(f"{prefix}/code_reviews", params=ONE_DAY).status_code for _ in range(3)]
    assert codes == [429, 503, 200]
    assert sim.faults.counts == (3, 3)


def test_fault_counting_is_exact_under_concurrency():
    sim, client, prefix = client_for(FaultRule("server_error", every=4))
    codes: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            code = client.get(f"{prefix}/code_reviews", params=ONE_DAY).status_code
            with lock:
                codes.append(code)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sim.faults.counts == (200,)
    assert codes.count(503) == 50


def test_concurrent_requests_for_one_day_get_identical_pages():
    sim, client, prefix = client_for(users=2000)
    params = {"start_time": START - 6 * 86_400, "end_time": START + 86_400, "limit": 30000}
    bodies: list[bytes] = []

    def fetch() -> None:
        bodies.append(client.get(f"{prefix}/usage", params=params).content)

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(bodies)) == 1
    days = {row["start_time"] for row in orjson.loads(bodies[0])["data"]}
    assert len(days) == 7
    assert sim.analytics.cache_stats()["payload_misses"] == 7
