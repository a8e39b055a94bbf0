"""The simulator as a real HTTP server on loopback: round trips, keep-alive and wire faults."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import FaultRule, SimulatorConfig
from codex_assets.simulator.server import running

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)
DAY = date(2026, 5, 8)
START = int(datetime(2026, 5, 8, tzinfo=UTC).timestamp())


def make(*faults: FaultRule, users: int = 150) -> Simulator:
    return Simulator(SimulatorConfig(users=users, faults=faults, now=lambda: NOW))


def raw_get(base_url: str, path: str, key: str) -> tuple[bytes, bool]:
    """Send one GET on a bare socket; return the bytes received and whether the peer closed
    (reading stops at a complete response, at close, or after 10 s of silence)."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        request = (
            f"GET {parts.path}{path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: Bearer {key}\r\n\r\n"
        )
        sock.sendall(request.encode())
        received = b""
        while True:
            ready, _, _ = select.select([sock], [], [], 10)
            if not ready:
                return received, False
            chunk = sock.recv(65536)
            if not chunk:
                return received, True
            received += chunk
            if _complete(received):
                return received, False


def _complete(received: bytes) -> bool:
    """A whole response arrived (the server may keep the connection open after it)."""
    head, sep, body = received.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def test_round_trip_over_loopback_with_keep_alive():
    sim = make()
    with running(sim) as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        headers = {"Authorization": f"Bearer {sim.config.analytics_key}"}
        prefix = f"/analytics/codex/workspaces/{sim.workspace_id}"
        with httpx.Client(base_url=base_url, headers=headers) as client:
            paged, page = [], None
            while True:
                params = {"start_time": START - 2 * 86_400, "end_time": START + 86_400, "limit": 7}
                if page:
                    params["page"] = page
                response = client.get(f"{prefix}/usage", params=params)
                assert response.status_code == 200
                assert response.headers["content-type"] == "application/json"
                assert response.http_version == "HTTP/1.1"
                body = response.json()
                paged += body["data"]
                if not body["has_more"]:
                    break
                page = body["next_page"]
            expected = [
                row for d in (2, 1, 0) for row in sim.day_rows("usage", DAY - timedelta(days=d))
            ]
            assert paged == expected
            bad = client.get(f"{prefix}/usage", params={"limit": 0})
            assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "limit"]
            denied = client.get(f"{prefix}/usage", headers={"Authorization": "Bearer nope"})
            assert denied.status_code == 401 and denied.json()["error"]["code"] == "invalid_api_key"
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url, timeout=2)


def test_drop_closes_the_socket_without_a_byte():
    sim = make(FaultRule("drop", first=1))
    with running(sim) as base_url:
        path = f"/analytics/codex/workspaces/{sim.workspace_id}/code_reviews"
        received, closed = raw_get(base_url, path, sim.config.analytics_key)
        assert (received, closed) == (b"", True)
        received, _ = raw_get(base_url, path, sim.config.analytics_key)
        assert received.startswith(b"HTTP/1.1 200")


def test_drop_surfaces_as_a_protocol_error_in_httpx():
    sim = make(FaultRule("drop", first=1))
    with (
        running(sim) as base_url,
        httpx.Client(base_url=base_url) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.get(f"/analytics/codex/workspaces/{sim.workspace_id}/usage")


def test_truncate_announces_the_whole_body_but_sends_half():
    sim = make(FaultRule("truncate", first=1))
    with running(sim) as base_url:
        path = f"/analytics/codex/workspaces/{sim.workspace_id}/usage?start_time={START}&end_time={START + 86_400}"
        received, closed = raw_get(base_url, path, sim.config.analytics_key)
        assert closed
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        lengths = [
            line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        ]
        announced = int(lengths[0].split(b":")[1])
        assert 0 < len(body) < announced
        assert announced > 1000
        with httpx.Client(base_url=base_url) as client:
            whole = client.get(
                path, headers={"Authorization": f"Bearer {sim.config.analytics_key}"}
            )
            assert len(whole.content) == announced


def test_truncate_surfaces_as_a_protocol_error_in_httpx():
    sim = make(FaultRule("truncate", first=1))
    with running(sim) as base_url, httpx.Client(base_url=base_url) as client:
        headers = {"Authorization": f"Bearer {sim.config.analytics_key}"}
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(f"/analytics/codex/workspaces/{sim.workspace_id}/usage", headers=headers)
        ok = client.get(f"/analytics/codex/workspaces/{sim.workspace_id}/usage", headers=headers)
        assert ok.status_code == 200


def test_rate_limit_and_server_error_over_http():
    sim = make(
        FaultRule("rate_limit", first=1, retry_after_s=3), FaultRule("server_error", every=2)
    )
    with running(sim) as base_url, httpx.Client(base_url=base_url) as client:
        headers = {"Authorization": f"Bearer {sim.config.analytics_key}"}
        url = f"/analytics/codex/workspaces/{sim.workspace_id}/code_reviews"
        limited = client.get(url, headers=headers)
        assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
        assert client.get(url, headers=headers).status_code == 503
        assert client.get(url, headers=headers).status_code == 200


def test_serve_command_prints_the_exports_and_serves_until_terminated():
    process = subprocess.Popen(
        [sys.executable, "-m", "codex_assets.simulator.serve", "--port", "0", "--users", "40",
         "--seed", "3", "--fault", "slow:delay_ms=1", "--restate", "2026-05-01"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
    )  # fmt: skip
    try:
        banner = process.stdout.readline()
        exports = process.stdout.readline().split()
        assert "40 users" in banner
        assert exports[0] == "export"
        values = dict(item.split("=", 1) for item in exports[1:])
        assert values["CODEX_SOURCE"] == "api"
        assert (
            values["CODEX_WORKSPACE_ID"]
            == Simulator(SimulatorConfig(seed=3, users=40)).workspace_id
        )
        assert values["CODEX_ANALYTICS_API_KEY"] == "sim-analytics-key"
        assert values["CODEX_COMPLIANCE_API_KEY"] == "sim-compliance-key"
        base_url = values["CODEX_API_BASE_URL"]
        response = httpx.get(
            f"{base_url}/analytics/codex/workspaces/{values['CODEX_WORKSPACE_ID']}/usage",
            params={"group": "workspace"},
            headers={"Authorization": f"Bearer {values['CODEX_ANALYTICS_API_KEY']}"},
            timeout=10,
        )
        assert response.status_code == 200 and response.json()["object"] == "page"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    assert process.stderr.read() == ""


def test_serve_command_rejects_a_bad_fault_spec():
    done = subprocess.run(
        [sys.executable, "-m", "codex_assets.simulator.serve", "--fault", "explode"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "unknown kind" in done.stderr
