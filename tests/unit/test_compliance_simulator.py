"""The Compliance Logs Platform as the simulator serves it (reference/codex-api.md Part 2).

Through the in-process transport: the routes' contract (auth, 400s, 404s, retention,
publication latency, the 307 and its signed URL), the files (size cap, checksums, determinism,
the disk cache) and the events (consistent with the analytics usage, duplicates, late events,
pasted secrets, access tokens, the volume knob).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import orjson
import pytest

from codex_assets.defs.compliance import dlp
from codex_assets.simulator import compliance_events
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.compliance_events import compliance_user_id, generate_day
from codex_assets.simulator.compliance_files import ORGANIZATION
from codex_assets.simulator.config import FaultRule, SimulatorConfig
from codex_assets.simulator.transport import SimulatorTransport
from codex_assets.simulator.workspace import CLIENTS, MODELS

NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)
DAY = date(2026, 5, 7)  # a Thursday


class Api:
    """An httpx client with the compliance key on a simulator with a settable clock."""

    def __init__(self, tmp_path, users: int = 60, now: datetime = NOW, **config) -> None:
        self.clock = [now]
        config.setdefault("compliance_cache_dir", str(tmp_path / "cache"))
        self.sim = Simulator(
            SimulatorConfig(seed=11, users=users, now=lambda: self.clock[0], **config)
        )
        self.client = httpx.Client(
            base_url="http://simulator.local/v1",
            transport=SimulatorTransport(self.sim),
            headers={"Authorization": f"Bearer {self.sim.config.compliance_key}"},
        )
        self.logs = f"/compliance/workspaces/{self.sim.workspace_id}/logs"
        self.org_logs = f"/compliance/organizations/{self.sim.compliance.organization_id}/logs"

    def list(self, path: str | None = None, **params) -> httpx.Response:
        return self.client.get(path or self.logs, params=params)

    def day_listing(self, day: date, event_type: str = "CODEX_LOG", **extra) -> list[dict]:
        params = {
            "event_type": event_type,
            "after": f"{day}T00:00:00Z",
            "before": f"{day + timedelta(days=1)}T00:00:01Z",
            **extra,
        }
        out = []
        while True:
            body = self.list(**params).raise_for_status().json()
            out += body["data"]
            if not body["has_more"]:
                return out
            params["after"] = body["last_end_time"]

    def fetch(self, file_id: str, path: str | None = None) -> httpx.Response:
        redirect = self.client.get(f"{path or self.logs}/{file_id}")
        assert redirect.status_code == 307, redirect.text
        return httpx.Client(transport=SimulatorTransport(self.sim)).get(
            redirect.headers["location"]
        )


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Api:
    return Api(tmp_path_factory.mktemp("sim"))


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["error"]["message"]


# -- the list route ------------------------------------------------------------------------------


def test_listing_envelope_and_day_rule(api):
    files = api.day_listing(DAY)
    assert files, "a weekday of a 60-user workspace has files"
    for entry in files:
        assert set(entry) == {
            "id",
            "event_type",
            "end_time",
            "file_name",
            "file_size",
            "file_sha256",
        }
        end = datetime.fromisoformat(entry["end_time"])
        assert datetime(2026, 5, 7, tzinfo=UTC) < end <= datetime(2026, 5, 8, tzinfo=UTC)
    ends = [f["end_time"] for f in files]
    assert ends == sorted(ends, key=datetime.fromisoformat)
    assert [f["id"] for f in files] == [f.id for f in api.sim.compliance.day_files(DAY)]


def test_listing_pages_on_last_end_time(api):
    whole = api.day_listing(DAY)
    paged = api.day_listing(DAY, limit=3)
    assert [f["id"] for f in paged] == [f["id"] for f in whole]
    first = api.list(event_type="CODEX_LOG", after=f"{DAY}T00:00:00Z", limit=3).json()
    assert first["has_more"] is True and len(first["data"]) == 3
    assert first["last_end_time"] == first["data"][-1]["end_time"]


def test_listing_requires_the_compliance_key(api):
    params = {"event_type": "CODEX_LOG", "after": f"{DAY}T00:00:00Z"}
    assert api.client.get(api.logs, params=params, headers={"Authorization": ""}).status_code == 401
    analytics = {"Authorization": f"Bearer {api.sim.config.analytics_key}"}
    assert "compliance_logs_platform.read" in _error(
        api.client.get(api.logs, params=params, headers=analytics), 403
    )


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"after": f"{DAY}T00:00:00Z"}, "event_type"),
        ({"event_type": "NOPE", "after": f"{DAY}T00:00:00Z"}, "Invalid event_type 'NOPE'"),
        ({"event_type": "CODEX_LOG"}, "'after'"),
        ({"event_type": "CODEX_LOG", "after": "yesterday"}, "Invalid timestamp"),
        ({"event_type": "CODEX_LOG", "after": f"{DAY}", "before": "soon"}, "'before'"),
        ({"event_type": "CODEX_LOG", "after": f"{DAY}", "limit": "0"}, "limit"),
        ({"event_type": "CODEX_LOG", "after": f"{DAY}", "limit": "101"}, "limit"),
    ],
)
def test_bad_queries_are_400(api, params, needle):
    assert needle in _error(api.list(**params), 400)


def test_unknown_workspace_and_organization_are_404(api):
    params = {"event_type": "CODEX_LOG", "after": f"{DAY}T00:00:00Z"}
    assert (
        api.list(
            "/compliance/workspaces/00000000-0000-4000-8000-000000000000/logs", **params
        ).status_code
        == 404
    )
    assert "Organization" in _error(
        api.list(
            "/compliance/organizations/org-unknown/logs", event_type="APP_LOG", after=f"{DAY}"
        ),
        404,
    )


def test_event_types_are_per_principal(api):
    assert "Invalid event_type 'CODEX_LOG'" in _error(
        api.list(api.org_logs, event_type="CODEX_LOG", after=f"{DAY}"), 400
    )
    both = api.list(
        event_type="CODEX_LOG,AUTH_LOG", after=f"{DAY}T00:00:00Z", before=f"{DAY}T12:00:00Z"
    )
    assert {f["event_type"] for f in both.json()["data"]} == {"CODEX_LOG", "AUTH_LOG"}


def test_organization_route_serves_org_event_types(api):
    files = api.list(api.org_logs, event_type="APP_LOG", after=f"{DAY}T00:00:00Z").json()["data"]
    assert files and {f["event_type"] for f in files} == {"APP_LOG"}
    content = api.fetch(files[0]["id"], api.org_logs)
    assert content.status_code == 200
    event = orjson.loads(content.content.splitlines()[0])
    assert event["principal"] == {
        "id": api.sim.compliance.organization_id,
        "type": "API_PLATFORM_ORG",
    }
    # An org file is not served under the workspace route.
    assert api.client.get(f"{api.logs}/{files[0]['id']}").status_code == 404


def test_retention_hides_files_older_than_30_days(tmp_path):
    api = Api(tmp_path)
    old = NOW.date() - timedelta(days=31)
    assert (
        api.list(
            event_type="CODEX_LOG", after=f"{old}T00:00:00Z", before=f"{old}T23:59:59Z"
        ).json()["data"]
        == []
    )
    file_id = api.sim.compliance.day_files(old)[0].id
    assert "not found or expired" in _error(api.client.get(f"{api.logs}/{file_id}"), 404)
    recent = api.list(event_type="CODEX_LOG", after=f"{old}T00:00:00Z", limit=1).json()["data"]
    assert datetime.fromisoformat(recent[0]["end_time"]) > NOW - timedelta(days=30)


def test_files_appear_up_to_30_minutes_after_their_window(tmp_path):
    api = Api(tmp_path, now=datetime(2026, 5, 7, 12, 0, tzinfo=UTC))
    listed = api.list(event_type="CODEX_LOG", after="2026-05-07T00:00:00Z").json()
    assert listed["has_more"] is False
    last_end = datetime.fromisoformat(listed["last_end_time"])
    assert (
        datetime(2026, 5, 7, 11, 30, tzinfo=UTC)
        <= last_end
        <= datetime(2026, 5, 7, 12, 0, tzinfo=UTC)
    )
    first = compliance_events.window_index(int(NOW.timestamp() * 1_000_000))
    for window in range(first, first + 50):
        delay = api.sim.compliance.published_at(window) - (window + 1) * 600_000_000
        assert 5 * 60_000_000 <= delay <= 30 * 60_000_000
    # A file not published yet is not downloadable either.
    later = api.sim.compliance.day_files(date(2026, 5, 7))[-1]
    assert api.client.get(f"{api.logs}/{later.id}").status_code == 404


# -- the download and its signed URL -------------------------------------------------------------


def test_download_is_a_307_to_a_signed_url_outside_the_api(api):
    entry = api.day_listing(DAY)[0]
    redirect = api.client.get(f"{api.logs}/{entry['id']}")
    assert redirect.status_code == 307
    location = urlsplit(redirect.headers["location"])
    assert location.path == f"/signed/compliance/{entry['id']}.jsonl"
    assert {"expires", "signature"} <= dict(parse_qsl(location.query)).keys()
    body = api.fetch(entry["id"]).content
    assert len(body) == entry["file_size"]
    assert hashlib.sha256(body).hexdigest() == entry["file_sha256"]
    assert all(orjson.loads(line)["type"] == "CODEX_LOG" for line in body.splitlines())


def test_signed_url_refuses_tampering_and_expiry(tmp_path):
    api = Api(tmp_path)
    entry = api.day_listing(DAY)[0]
    location = api.client.get(f"{api.logs}/{entry['id']}").headers["location"]
    plain = httpx.Client(transport=SimulatorTransport(api.sim))
    assert plain.get(location).status_code == 200  # no key needed
    assert plain.get(location.replace("signature=", "signature=0")).status_code == 404
    other = api.day_listing(DAY)[1]["id"]
    assert plain.get(location.replace(entry["id"], other)).status_code == 404
    api.clock[0] = NOW + timedelta(minutes=6)
    assert "expired" in plain.get(location).json()["error"]["message"]


def test_malformed_and_unknown_ids(api):
    assert "Malformed" in _error(api.client.get(f"{api.logs}/not-an-id"), 400)
    assert _error(api.client.get(f"{api.logs}/clf_AAAAAAAAAAAAAAAAAAAAAAAA"), 404)


def test_download_needs_the_key(api):
    entry = api.day_listing(DAY)[0]
    assert (
        api.client.get(f"{api.logs}/{entry['id']}", headers={"Authorization": ""}).status_code
        == 401
    )


# -- faults --------------------------------------------------------------------------------------


def test_fault_kinds_for_downloads(tmp_path):
    api = Api(
        tmp_path,
        faults=(
            FaultRule("bad_checksum", first=1, endpoints=("compliance_file",)),
            FaultRule("expired", first=1, endpoints=("compliance_download",)),
            FaultRule("rate_limit", every=3, endpoints=("compliance_download",), retry_after_s=2),
        ),
    )
    entry = api.day_listing(DAY)[0]
    assert "expired" in _error(api.client.get(f"{api.logs}/{entry['id']}"), 404)
    corrupted = api.fetch(entry["id"]).content
    assert len(corrupted) == entry["file_size"]
    assert hashlib.sha256(corrupted).hexdigest() != entry["file_sha256"]
    limited = api.client.get(f"{api.logs}/{entry['id']}")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert hashlib.sha256(api.fetch(entry["id"]).content).hexdigest() == entry["file_sha256"]


# -- files ---------------------------------------------------------------------------------------


def test_windows_over_the_cap_are_split_into_files_with_increasing_end_times(tmp_path):
    small = Api(tmp_path / "a", compliance_file_max_bytes=16_384)
    whole = Api(tmp_path / "b")
    split_files = small.sim.compliance.day_files(DAY)
    whole_files = whole.sim.compliance.day_files(DAY)
    assert len(split_files) > len(whole_files)
    assert all(f.file_size <= 16_384 for f in split_files)
    by_window = defaultdict(list)
    for f in split_files:
        by_window[f.window].append(f)
    assert any(len(files) > 1 for files in by_window.values())
    for window, files in by_window.items():
        ends = [f.end_us for f in files]
        assert ends == sorted(set(ends)), "distinct, increasing end times"
        assert window * 600_000_000 < ends[0] and ends[-1] == (window + 1) * 600_000_000
    assert b"".join(small.sim.compliance.read(f) for f in split_files) == b"".join(
        whole.sim.compliance.read(f) for f in whole_files
    )


def test_files_are_deterministic_and_served_from_the_disk_cache(tmp_path, monkeypatch):
    first = Api(tmp_path / "one")
    files = first.sim.compliance.day_files(DAY)
    again = Api(tmp_path / "two")
    assert [(f.id, f.file_sha256) for f in again.sim.compliance.day_files(DAY)] == [
        (f.id, f.file_sha256) for f in files
    ]

    def no_generation(*args, **kwargs):
        raise AssertionError("a cached day must not be generated again")

    monkeypatch.setattr("codex_assets.simulator.compliance_files.generate_day", no_generation)
    cached = Api(tmp_path / "one", compliance_cache_dir=str(tmp_path / "one" / "cache"))
    assert [f.file_sha256 for f in cached.sim.compliance.day_files(DAY)] == [
        f.file_sha256 for f in files
    ]
    assert cached.fetch(files[0].id).content == first.sim.compliance.read(files[0])


def test_cache_key_changes_with_what_changes_the_bytes(tmp_path):
    base = Api(tmp_path).sim.compliance.files.key
    assert Api(tmp_path, users=61).sim.compliance.files.key != base
    assert Api(tmp_path, compliance_events_per_day=5000).sim.compliance.files.key != base


# -- events --------------------------------------------------------------------------------------


def _events_of_day(api: Api, day: date) -> dict[str, dict]:
    """Distinct events whose timestamp is on `day` (they may be delivered the day after)."""
    out: dict[str, dict] = {}
    for d in (day - timedelta(days=1), day, day + timedelta(days=1)):
        for event in api.sim.compliance.served_events(d):
            if event["timestamp"].startswith(day.isoformat()):
                out[event["event_id"]] = event
    return out


def test_events_match_the_analytics_usage(api):
    events = _events_of_day(api, DAY)
    activity = api.sim.activity(DAY)
    users = api.sim.workspace.users
    expected: dict[tuple[str, str], tuple[int, int, list[int]]] = {}
    for i, user in enumerate(activity.users.tolist()):
        uid = compliance_user_id(users.user_ids[user])
        for slot in range(activity.client_index.shape[1]):
            if activity.client_index[i, slot] >= 0 and activity.client_threads[i, slot] > 0:
                client = CLIENTS[activity.client_index[i, slot]]
                expected[(uid, client)] = (
                    int(activity.client_threads[i, slot]),
                    int(activity.client_turns[i, slot]),
                    activity.client_tokens[i, slot].tolist(),
                )
    prompts, responses, sessions = Counter(), Counter(), defaultdict(set)
    tokens = defaultdict(lambda: [0, 0, 0])
    for event in events.values():
        key = (event["actor"]["user_id"], event["client_id"])
        details = event["event_details"]
        if event["event_type"] == "PROMPT_SENT":
            prompts[key] += 1
            sessions[key].add(details["session_id"])
        elif event["event_type"] == "PROMPT_RESPONSE_RECEIVED":
            responses[key] += 1
            usage = details["token_usage"]
            tokens[key][0] += usage["input_tokens"] - usage["cached_input_tokens"]
            tokens[key][1] += usage["cached_input_tokens"]
            tokens[key][2] += usage["output_tokens"]
            assert usage["reasoning_output_tokens"] <= usage["output_tokens"]
    assert set(prompts) == set(expected)
    for key, (threads, turns, client_tokens) in expected.items():
        assert prompts[key] == turns and responses[key] == turns, key
        assert len(sessions[key]) == threads, key
        assert tokens[key] == client_tokens[:3], key


def test_events_have_the_documented_envelope(api):
    models = {"gpt-5.1-codex-mini" if m == "other" else m for m, _ in MODELS}
    events = api.sim.compliance.served_events(DAY)
    kinds = Counter(e["event_type"] for e in events)
    assert {
        "PROMPT_SENT",
        "PROMPT_RESPONSE_RECEIVED",
        "TOOL_CALL_SUGGESTED",
        "TOOL_CALL_COMPLETED",
    } <= set(kinds)
    for event in events[:500]:
        assert list(event)[:5] == ["event_id", "type", "timestamp", "principal", "actor"]
        assert event["type"] == "CODEX_LOG" and event["workspace_id"] == api.sim.workspace_id
        assert event["principal"] == {"id": api.sim.workspace_id, "type": "CHATGPT_WORKSPACE"}
        assert event["actor"]["type"] == "ACCOUNT_USER"
        assert (
            event["actor"]["user_id"].startswith("user-") and len(event["actor"]["user_id"]) == 29
        )
        assert "@" in event["actor"]["user_email"]
        assert event["event_details"]["detail_type"] == event["event_type"]
        assert event["timestamp"].endswith("Z")
        if "model" in event["event_details"]:
            assert event["event_details"]["model"] in models


def test_user_ids_map_from_analytics_users(api):
    ids = {compliance_user_id(u) for u in api.sim.workspace.users.user_ids}
    assert len(ids) == len(api.sim.workspace.users.user_ids)
    assert {e["actor"]["user_id"] for e in api.sim.compliance.served_events(DAY)} <= ids
    assert compliance_user_id("3f0f5aaf-1e2b-4f10-bb50-111111111111") == compliance_user_id(
        "3f0f5aaf-1e2b-4f10-bb50-111111111111"
    )


def test_duplicates_and_late_events_across_files(tmp_path):
    api = Api(tmp_path, users=200)
    seen: dict[str, tuple[str, bytes]] = {}
    duplicates = late = 0
    for day in (DAY, DAY + timedelta(days=1)):
        for log_file in api.sim.compliance.day_files(day):
            window_start = log_file.window * 600
            for line in api.sim.compliance.read(log_file).splitlines():
                event = orjson.loads(line)
                stamp = datetime.fromisoformat(event["timestamp"]).timestamp()
                if stamp < window_start:
                    late += 1
                if event["event_id"] in seen:
                    duplicates += 1
                    first_file, first_line = seen[event["event_id"]]
                    assert first_file != log_file.id and first_line == line
                else:
                    seen[event["event_id"]] = (log_file.id, line)
    assert duplicates > 0 and late > 0


def test_secrets_are_pasted_into_some_prompts(api):
    prompts = [
        e["event_details"]["prompt_text"]
        for d in (DAY, DAY + timedelta(days=1), DAY + timedelta(days=2))
        for e in api.sim.compliance.served_events(d)
        if e["event_type"] == "PROMPT_SENT"
    ]
    leaked = [p for p in prompts if dlp.scan(p)]
    assert 0 < len(leaked) < len(prompts) * 0.05
    assert all("FAKE" in p for p in leaked)


def test_access_token_events_follow_tokens_across_days(tmp_path):
    api = Api(tmp_path, users=200)
    created, revoked = {}, []
    for offset in range(-30, 1):
        events = generate_day(api.sim.workspace, DAY + timedelta(days=offset))
        for serial in range(events.events):
            if events.kind[serial] >= compliance_events.TOKEN_CREATED:
                event = api.sim.compliance.files.renderer.event(events, serial)
                token = event["event_details"]["access_token_id"]
                if event["event_type"] == "ACCESS_TOKEN_CREATED":
                    created[token] = event
                else:
                    revoked.append(event)
    assert created and revoked
    for event in revoked:
        token = event["event_details"]["access_token_id"]
        if token in created:
            assert event["timestamp"] > created[token]["timestamp"]
            assert (
                event["event_details"]["created_by_user_id"] == created[token]["actor"]["user_id"]
            )


def test_events_per_day_knob_scales_the_volume(tmp_path):
    api = Api(tmp_path, users=300)
    natural = generate_day(api.sim.workspace, DAY)
    target = 50_000
    scaled = generate_day(api.sim.workspace, DAY, target)
    assert natural.events < target
    assert abs(scaled.events - target) / target < 0.05
    turns = int(api.sim.activity(DAY).turns.sum())
    assert int((scaled.kind == compliance_events.PROMPT).sum()) == turns  # prompts still match


def test_org_id_is_derived_from_the_seed_or_configured(tmp_path):
    api = Api(tmp_path)
    assert api.sim.compliance.organization_id.startswith("org-")
    configured = Api(tmp_path, organization_id="org-example")
    assert configured.sim.compliance.organization_id == "org-example"
    assert configured.sim.compliance.files.decode_id(
        configured.sim.compliance.files.file_id(ORGANIZATION, "APP_LOG", 1, 0)
    ) == (ORGANIZATION, "APP_LOG", 1, 0)
    with pytest.raises(ValueError, match="org-"):
        SimulatorConfig(organization_id="acme")
