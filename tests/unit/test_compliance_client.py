"""The compliance client: the day rule, paging, verification and retries, the retention window,
principals, pacing, and where the key goes (in process, against the simulator or a script)."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, date, datetime, timedelta

import httpx
import orjson
import pytest

from codex_assets.defs.compliance.client import (
    ComplianceClient,
    ComplianceIntegrityError,
    ComplianceWindowError,
    compliance_http_settings,
    download_route_rates,
    file_day,
    latest_complete_day,
    oldest_retained_day,
    principal_path,
)
from codex_assets.defs.resources import CodexResource
from codex_assets.defs.resources.source import open_compliance_client
from codex_assets.lib.http.client import ApiHttpClient
from codex_assets.lib.http.errors import ApiNotFoundError, ApiSchemaError, OutsideApiWindowError
from codex_assets.lib.http.ratelimit import route_template
from codex_assets.lib.settings import SettingsError
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import FaultRule, SimulatorConfig
from codex_assets.simulator.transport import SimulatorTransport

NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)
DAY = date(2026, 5, 7)
BASE = "http://simulator.local/v1"


class Recorder(SimulatorTransport):
    """The simulator's transport, remembering every request (URL and headers)."""

    def __init__(self, sim: Simulator) -> None:
        super().__init__(sim)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return super().handle_request(request)


def make(tmp_path, *faults: FaultRule, principal: str | None = None, **http):
    sim = Simulator(
        SimulatorConfig(
            seed=11,
            users=60,
            now=lambda: NOW,
            faults=faults,
            compliance_cache_dir=str(tmp_path / "cache"),
        )
    )
    transport = Recorder(sim)
    client = ApiHttpClient(
        compliance_http_settings(
            BASE, sim.config.compliance_key, requests_per_minute=None, **{"max_retries": 6, **http}
        ),
        transport=transport,
        sleep=lambda s: None,
    )
    compliance = ComplianceClient(
        client, principal or sim.workspace_id, now=lambda: NOW, sleep=lambda s: None
    )
    return sim, transport, compliance


# -- the day rule and the window -----------------------------------------------------------------


def test_a_file_belongs_to_the_day_its_end_time_falls_in():
    assert file_day(datetime(2026, 5, 8, 0, 0, tzinfo=UTC)) == date(2026, 5, 7)
    assert file_day(datetime(2026, 5, 7, 0, 10, tzinfo=UTC)) == date(2026, 5, 7)
    assert file_day(datetime(2026, 5, 7, 0, 0, 0, 1, tzinfo=UTC)) == date(2026, 5, 7)
    assert file_day(datetime(2026, 5, 7, 0, 0, tzinfo=UTC)) == date(2026, 5, 6)


def test_day_files_are_exactly_the_days_files(tmp_path):
    sim, transport, client = make(tmp_path)
    files = client.day_files("CODEX_LOG", DAY)
    assert [f.id for f in files] == [f.id for f in sim.compliance.day_files(DAY)]
    assert {f.day for f in files} == {DAY}
    (request,) = [r for r in transport.requests if r.url.path.endswith("/logs")]
    assert request.url.params["after"] == "2026-05-07T00:00:00Z"
    assert request.url.params["before"] == "2026-05-08T00:00:01Z"


def test_small_pages_give_the_same_files(tmp_path):
    sim, _, client = make(tmp_path)
    client.list_limit = 4
    assert [f.id for f in client.day_files("CODEX_LOG", DAY)] == [
        f.id for f in sim.compliance.day_files(DAY)
    ]


def test_days_beyond_retention_are_refused_before_any_request(tmp_path):
    _, transport, client = make(tmp_path)
    old = NOW.date() - timedelta(days=30)
    with pytest.raises(ComplianceWindowError) as caught:
        client.day_files("CODEX_LOG", old)
    message = str(caught.value)
    assert "30-day retention" in message and "no backfill" in message and str(old) in message
    assert "no request was sent" in message
    assert isinstance(caught.value, OutsideApiWindowError)
    assert transport.requests == []


def test_incomplete_days_are_refused(tmp_path):
    _, transport, client = make(tmp_path)
    with pytest.raises(ComplianceWindowError, match="not complete yet"):
        client.day_files("CODEX_LOG", NOW.date())
    assert transport.requests == []


def test_window_bounds():
    now = datetime(2026, 5, 10, 0, 30, tzinfo=UTC)
    assert oldest_retained_day(now) == date(2026, 4, 11)
    assert latest_complete_day(now) == date(2026, 5, 8)
    assert latest_complete_day(now + timedelta(minutes=30)) == date(2026, 5, 9)


# -- listing against a scripted server -----------------------------------------------------------


def _entry(file_id: str, end: str, body: bytes = b"{}\n") -> dict:
    return {
        "id": file_id,
        "event_type": "CODEX_LOG",
        "end_time": end,
        "file_name": f"{file_id}.jsonl",
        "file_size": len(body),
        "file_sha256": hashlib.sha256(body).hexdigest(),
    }


def _scripted(pages: list[dict]) -> tuple[ComplianceClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=pages[min(len(seen), len(pages)) - 1])

    http = ApiHttpClient(
        compliance_http_settings(
            "https://api.example/v1", "k", requests_per_minute=None, max_retries=6
        ),
        transport=httpx.MockTransport(handler),
        sleep=lambda s: None,
    )
    return ComplianceClient(http, "ws", now=lambda: NOW, list_limit=2), seen


def test_paging_overlaps_so_files_sharing_an_end_time_are_not_skipped():
    # Three files end at the same instant (a window split at the cap); the page boundary falls
    # between them. Paging with after=last_end_time would never see "c".
    end = "2026-05-07T10:10:00+00:00"
    pages = [
        {"data": [_entry("a", end), _entry("b", end)], "has_more": True, "last_end_time": end},
        {
            "data": [_entry("a", end), _entry("b", end), _entry("c", end)][:2],
            "has_more": True,
            "last_end_time": end,
        },
    ]
    client, seen = _scripted(pages)
    with pytest.raises(ApiSchemaError, match="did not advance"):
        list(client.list_files("CODEX_LOG", datetime(2026, 5, 7, tzinfo=UTC)))
    pages[1] = {
        "data": [_entry("b", end), _entry("c", end)],
        "has_more": False,
        "last_end_time": end,
    }
    client, seen = _scripted(pages)
    files = list(client.list_files("CODEX_LOG", datetime(2026, 5, 7, tzinfo=UTC)))
    assert [f.id for f in files] == ["a", "b", "c"]
    assert seen[1].url.params["after"] == "2026-05-07T10:09:59Z"


def test_listing_keeps_unknown_fields_and_refuses_bad_shapes():
    end = "2026-05-07T10:10:00+00:00"
    entry = {**_entry("a", end), "region": "eu"}
    client, _ = _scripted([{"data": [entry], "has_more": False, "last_end_time": end}])
    (only,) = client.list_files("CODEX_LOG", datetime(2026, 5, 7, tzinfo=UTC))
    assert only.extra == {"region": "eu"}
    for body, field in (
        ({"has_more": False}, "data"),
        ({"data": [], "has_more": "no"}, "has_more"),
        ({"data": [{"id": "a"}], "has_more": False}, "data[0]"),
        ({"data": [], "has_more": True, "last_end_time": None}, "last_end_time"),
    ):
        client, _ = _scripted([body])
        with pytest.raises(ApiSchemaError) as caught:
            list(client.list_files("CODEX_LOG", datetime(2026, 5, 7, tzinfo=UTC)))
        assert caught.value.field == field


# -- downloads -----------------------------------------------------------------------------------


def test_download_follows_the_307_without_the_key(tmp_path):
    sim, transport, client = make(tmp_path)
    files = client.day_files("CODEX_LOG", DAY)
    verified = client.download(files[0])
    assert verified.body == sim.compliance.read(sim.compliance.day_files(DAY)[0])
    api_call, signed = transport.requests[-2:]
    assert api_call.headers["authorization"] == f"Bearer {sim.config.compliance_key}"
    assert signed.url.path.startswith("/signed/") and "authorization" not in signed.headers
    assert sim.config.compliance_key not in str(signed.url)


def _storage_host(body: bytes, wire: bytes, headers: dict[str, str]) -> ComplianceClient:
    """A scripted API whose one file is served by a storage host sending `wire` for `body`."""
    entry = _entry("f1", "2026-05-07T10:10:00+00:00", body)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/logs/f1"):
            return httpx.Response(307, headers={"location": "https://storage.example/f1"})
        if request.url.host == "storage.example":
            return httpx.Response(200, content=wire, headers=headers)
        return httpx.Response(200, json={"data": [entry], "has_more": False})

    http = ApiHttpClient(
        compliance_http_settings(
            "https://api.example/v1", "k", requests_per_minute=None, max_retries=6
        ),
        transport=httpx.MockTransport(handler),
        sleep=lambda s: None,
    )
    return ComplianceClient(http, "ws", now=lambda: NOW, sleep=lambda s: None)


def test_a_storage_host_that_compresses_the_file_is_verified_on_the_decoded_bytes():
    body = b"".join(orjson.dumps({"event_id": f"e{i}", "n": i}) + b"\n" for i in range(200))
    wire = gzip.compress(body)
    headers = {"content-encoding": "gzip", "content-length": str(len(wire))}
    client = _storage_host(body, wire, headers)
    (listed,) = client.day_files("CODEX_LOG", DAY)
    verified = client.download(listed)
    assert verified.body == body and verified.attempts == 1
    assert len(wire) < len(body)  # Content-Length announced the compressed size


def test_a_compressed_transfer_cut_short_fails_loudly():
    body = b"".join(orjson.dumps({"event_id": f"e{i}", "n": i}) + b"\n" for i in range(200))
    wire = gzip.compress(body)[:-40]
    headers = {"content-encoding": "gzip", "content-length": str(len(wire))}
    client = _storage_host(body, wire, headers)
    (listed,) = client.day_files("CODEX_LOG", DAY)
    with pytest.raises(ComplianceIntegrityError, match="the listing says"):
        client.download(listed)  # the decoded body is short: verification catches it


@pytest.mark.parametrize("kind", ["bad_checksum", "truncate"])
def test_corrupted_downloads_are_retried_as_fresh_downloads(tmp_path, kind):
    _, transport, client = make(tmp_path, FaultRule(kind, first=2, endpoints=("compliance_file",)))
    files = client.day_files("CODEX_LOG", DAY)
    verified = client.download(files[0])
    assert verified.attempts == 3
    assert hashlib.sha256(verified.body).hexdigest() == files[0].file_sha256
    assert client.integrity_retries == 2
    redirects = [r for r in transport.requests if r.url.path.endswith(files[0].id)]
    assert len(redirects) == 3  # each retry asked the API for a fresh link


def test_a_persistent_mismatch_fails_loudly_naming_the_file(tmp_path):
    _, _, client = make(tmp_path, FaultRule("bad_checksum", endpoints=("compliance_file",)))
    files = client.day_files("CODEX_LOG", DAY)
    with pytest.raises(ComplianceIntegrityError) as caught:
        client.download(files[0])
    error = caught.value
    assert error.file_id == files[0].id and files[0].id in str(error)
    assert "sha256" in str(error) and len(error.failures) == client.http.settings.max_retries + 1
    assert "Nothing from this file was landed" in str(error)


def test_an_expired_signed_url_gets_a_fresh_link(tmp_path):
    _, _, client = make(tmp_path, FaultRule("expired", first=1, endpoints=("compliance_file",)))
    files = client.day_files("CODEX_LOG", DAY)
    verified = client.download(files[0])
    assert verified.attempts == 2


def test_a_file_gone_from_the_api_is_a_clear_404(tmp_path):
    _, _, client = make(tmp_path, FaultRule("expired", endpoints=("compliance_download",)))
    files = client.day_files("CODEX_LOG", DAY)
    with pytest.raises(ApiNotFoundError, match=files[0].id):
        client.download(files[0])


def test_rate_limited_downloads_are_retried(tmp_path):
    _, _, client = make(
        tmp_path, FaultRule("rate_limit", first=2, endpoints=("compliance_download",))
    )
    files = client.day_files("CODEX_LOG", DAY)
    assert client.download(files[0]).attempts == 1
    assert client.http.stats.retries_by_reason == {"http_429": 2}


def test_iter_downloads_keeps_order(tmp_path):
    sim, _, client = make(tmp_path)
    files = client.day_files("CODEX_LOG", DAY)
    bodies = [v.body for v in client.iter_downloads(files)]
    assert bodies == [sim.compliance.read(f) for f in sim.compliance.day_files(DAY)]
    events = [orjson.loads(line) for body in bodies for line in body.splitlines()]
    assert len(events) == len(sim.compliance.served_events(DAY))


def test_iter_downloads_stops_at_the_first_failure(tmp_path):
    _, _, client = make(tmp_path, FaultRule("bad_checksum", endpoints=("compliance_file",)))
    files = client.day_files("CODEX_LOG", DAY)
    with pytest.raises(ComplianceIntegrityError, match=files[0].id):
        list(client.iter_downloads(files))


# -- principals and pacing -----------------------------------------------------------------------


def test_principal_route_is_chosen_by_the_org_prefix():
    assert principal_path("org-abc") == "/compliance/organizations/org-abc"
    assert principal_path("6f1c") == "/compliance/workspaces/6f1c"
    with pytest.raises(ValueError, match="CODEX_WORKSPACE_ID"):
        principal_path(" ")


def test_the_organization_route_works(tmp_path):
    sim = Simulator(
        SimulatorConfig(seed=11, users=60, now=lambda: NOW, compliance_cache_dir=str(tmp_path))
    )
    org = sim.compliance.organization_id
    _, transport, client = make(tmp_path, principal=org)
    files = client.day_files("APP_LOG", DAY)
    assert files and all(f.event_type == "APP_LOG" for f in files)
    body = client.download(files[0]).body
    assert orjson.loads(body.splitlines()[0])["principal"]["type"] == "API_PLATFORM_ORG"
    assert all(
        "/organizations/" in r.url.path
        for r in transport.requests
        if r.url.path.startswith("/v1/compliance/")
    )


def test_the_download_route_is_paced_at_50_per_minute():
    settings = compliance_http_settings("https://api.chatgpt.com/v1", "k")
    http = ApiHttpClient(settings)
    for kind in ("workspaces", "organizations"):
        route = route_template(f"/v1/compliance/{kind}/x/logs/clf_1")
        assert http.limiter.requests_per_minute(route) == 50
    assert (
        http.limiter.requests_per_minute(route_template("/v1/compliance/workspaces/x/logs")) == 100
    )
    assert (
        download_route_rates("http://h:1/api/v1", None)[0][0]
        == "/api/v1/compliance/workspaces/{id}/logs/{id}"
    )


def test_pacing_waits_between_downloads(tmp_path):
    clock = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    sim = Simulator(
        SimulatorConfig(seed=11, users=60, now=lambda: NOW, compliance_cache_dir=str(tmp_path))
    )
    http = ApiHttpClient(
        compliance_http_settings(
            BASE, sim.config.compliance_key, requests_per_minute=None, downloads_per_minute=2
        ),
        transport=SimulatorTransport(sim),
        sleep=sleep,
        clock=lambda: clock[0],
    )
    client = ComplianceClient(http, sim.workspace_id, now=lambda: NOW, max_concurrency=1)
    files = client.day_files("CODEX_LOG", DAY)
    for log_file in files[:4]:
        client.download(log_file)
    assert sleeps == [60]  # 2 at once, then the next 2 when the first leave the minute


# -- configuration -------------------------------------------------------------------------------


def test_api_mode_without_the_compliance_key_fails_clearly():
    settings = CodexResource(source="api", workspace_id="ws").settings()
    with pytest.raises(SettingsError) as caught, open_compliance_client(settings):
        pass
    assert "CODEX_COMPLIANCE_API_KEY" in str(caught.value)
    assert "chatgpt.enterprise.compliance_logs_platform.read" in str(caught.value)


def test_simulator_mode_uses_the_simulators_compliance_key(monkeypatch, tmp_path):
    settings = CodexResource(simulator_users=7, simulator_seed=3).settings()
    with open_compliance_client(settings) as client:
        assert client.http.settings.api_key == "sim-compliance-key"
        assert client.http.settings.key_env_var == "CODEX_COMPLIANCE_API_KEY"
        assert client.base_path.startswith("/compliance/workspaces/")


def test_retention_and_pacing_settings():
    settings = CodexResource.from_environment(
        {
            "CODEX_COMPLIANCE_RETENTION_DAYS": "45",
            "CODEX_COMPLIANCE_DOWNLOADS_PER_MINUTE": "25",
            "CODEX_COMPLIANCE_MAX_CONCURRENCY": "3",
        }
    ).settings()
    assert settings.compliance_retention_days == 45
    assert settings.compliance_downloads_per_minute == 25
    assert settings.compliance_max_concurrency == 3
    assert CodexResource().settings().compliance_retention_days is None
    with pytest.raises(SettingsError, match="CODEX_COMPLIANCE_RETENTION_DAYS"):
        CodexResource.from_environment({"CODEX_COMPLIANCE_RETENTION_DAYS": "0"})
