"""Compliance logs end to end: the simulator over real HTTP, the client, the lake, the restricted
events, and the Dagster assets on the embedded simulator."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import orjson
import pytest

from codex_assets.backfill import RANGE_END_TAG, RANGE_START_TAG
from codex_assets.defs.compliance import dlp
from codex_assets.defs.compliance.client import (
    ComplianceClient,
    ComplianceIntegrityError,
    compliance_http_settings,
    latest_complete_day,
    oldest_retained_day,
)
from codex_assets.defs.compliance.export import export_paths
from codex_assets.defs.compliance.landing import RAW_TABLE, land_compliance_days
from codex_assets.defs.compliance.warehouse import refresh_compliance_events
from codex_assets.defs.resources.source import simulator_for
from codex_assets.lib.http.client import ApiHttpClient
from codex_assets.lib.http.errors import CodexApiError
from codex_assets.lib.lake import Lake
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import FaultRule, SimulatorConfig
from codex_assets.simulator.server import running
from tests.support.resources import environment_settings

NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)
DAYS = [date(2026, 5, 6), date(2026, 5, 7), date(2026, 5, 8)]


class Recording:
    """Wraps `Simulator.handle` to keep (path, headers) of every request the server saw."""

    def __init__(self, sim: Simulator) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        handle = sim.handle

        def recorded(method: str, path: str, query, headers: Mapping[str, str]):
            self.requests.append((path, {k.lower(): v for k, v in headers.items()}))
            return handle(method, path, query, headers)

        sim.handle = recorded  # type: ignore[method-assign]


def _sim(tmp_path: Path, *faults: FaultRule, users: int = 200) -> Simulator:
    return Simulator(
        SimulatorConfig(
            seed=5,
            users=users,
            now=lambda: NOW,
            faults=faults,
            compliance_cache_dir=str(tmp_path / "cache"),
        )
    )


def _client(base_url: str, sim: Simulator) -> ComplianceClient:
    http = ApiHttpClient(
        compliance_http_settings(
            base_url,
            sim.config.compliance_key,
            requests_per_minute=None,
            downloads_per_minute=None,  # pacing has its own unit test; here it only slows
            backoff_initial_s=0.0,
            backoff_max_s=0.0,
            # A persistent fault is retried until the budget runs out: 3 s here, not the
            # production 300 s (the budget itself is tested in test_download_faults.py).
            retry_budget_s=3.0,
        )
    )
    return ComplianceClient(http, sim.workspace_id, now=lambda: NOW, sleep=lambda s: None)


def _served(sim: Simulator, days: list[date]) -> dict[str, bytes]:
    """Every distinct event in the days' files, as served (first copy)."""
    out: dict[str, bytes] = {}
    for day in days:
        for log_file in sim.compliance.day_files(day):
            for line in sim.compliance.read(log_file).splitlines():
                out.setdefault(orjson.loads(line)["event_id"], line)
    return out


@pytest.mark.e2e
def test_every_served_event_lands_exactly_once_and_the_key_stays_home(tmp_path):
    sim = _sim(tmp_path)
    recording = Recording(sim)
    lake = Lake(tmp_path / "lake")
    with running(sim) as base_url:
        client = _client(base_url, sim)
        report = land_compliance_days(client, lake, DAYS, source="api", now=NOW)
        # A re-run of the middle day replaces it exactly.
        land_compliance_days(client, lake, DAYS[1:2], source="api", now=NOW)
    with duckdb.connect(str(tmp_path / "codex.duckdb")) as conn:
        refresh_compliance_events(conn, lake, DAYS[0], DAYS[-1])
        held = conn.execute(
            "SELECT event_id, record::VARCHAR FROM restricted.compliance_events"
        ).fetchall()
        copies = conn.execute("SELECT count(*) FROM restricted.compliance_codex_log").fetchone()[0]
        # Late events (delivered in a later window than their timestamp's) are held once too.
        late = conn.execute(
            "SELECT count(*) FROM restricted.compliance_events "
            "WHERE timestamp < file_end_time - INTERVAL 10 MINUTE"
        ).fetchone()[0]
    served = _served(sim, DAYS)
    assert len(held) == len({event_id for event_id, _ in held}) == len(served)
    assert {event_id: record.encode() for event_id, record in held} == served
    assert copies == report.rows > len(served)  # duplicates were delivered, and landed as such
    assert late > 0

    signed = [(p, h) for p, h in recording.requests if p.startswith("/signed/")]
    api = [(p, h) for p, h in recording.requests if p.startswith("/v1/")]
    assert len(signed) == report.files + len(sim.compliance.day_files(DAYS[1]))
    key = sim.config.compliance_key
    assert all("authorization" not in h and key not in repr(h) + p for p, h in signed)
    assert all(h["authorization"] == f"Bearer {key}" for _, h in api)


@pytest.mark.e2e
def test_a_persistent_checksum_mismatch_fails_the_day_and_lands_nothing(tmp_path):
    lake = Lake(tmp_path / "lake")
    clean = _sim(tmp_path, users=60)
    with running(clean) as base_url:
        land_compliance_days(_client(base_url, clean), lake, DAYS[:1], source="api", now=NOW)
    before = lake.partition_file(RAW_TABLE, DAYS[0]).read_bytes()

    broken = _sim(tmp_path, FaultRule("bad_checksum", endpoints=("compliance_file",)), users=60)
    with running(broken) as base_url, pytest.raises(ComplianceIntegrityError) as caught:
        land_compliance_days(_client(base_url, broken), lake, DAYS[:2], source="api", now=NOW)
    first_file = broken.compliance.day_files(DAYS[0])[0].id
    assert caught.value.file_id == first_file and first_file in str(caught.value)
    assert lake.partition_file(RAW_TABLE, DAYS[0]).read_bytes() == before
    assert not lake.partition_file(RAW_TABLE, DAYS[1]).exists()
    leftovers = [p for p in (lake.root / RAW_TABLE).rglob("*") if p.name != "data.parquet"]
    assert all(p.is_dir() for p in leftovers)


@pytest.mark.e2e
def test_a_persistently_truncated_download_fails_the_day_and_lands_nothing(tmp_path):
    sim = _sim(tmp_path, FaultRule("truncate", endpoints=("compliance_file",)), users=60)
    lake = Lake(tmp_path / "lake")
    with running(sim) as base_url, pytest.raises(CodexApiError) as caught:
        land_compliance_days(_client(base_url, sim), lake, DAYS[:1], source="api", now=NOW)
    first_file = sim.compliance.day_files(DAYS[0])[0].id
    assert first_file in str(caught.value)
    assert sim.config.compliance_key not in str(caught.value)
    assert "signature=" not in str(caught.value)  # the signed query is never shown
    assert not lake.partition_file(RAW_TABLE, DAYS[0]).exists()
    assert [p for p in (lake.root / RAW_TABLE).rglob("*") if p.is_file()] == []


@pytest.mark.e2e
def test_truncated_and_rate_limited_downloads_are_retried_over_http(tmp_path):
    sim = _sim(
        tmp_path,
        FaultRule("truncate", every=4, endpoints=("compliance_file",)),
        FaultRule("rate_limit", every=5, endpoints=("compliance_download",), retry_after_s=0),
        FaultRule("drop", every=7, endpoints=("compliance_file",)),
        users=60,
    )
    lake = Lake(tmp_path / "lake")
    with running(sim) as base_url:
        client = _client(base_url, sim)
        report = land_compliance_days(client, lake, DAYS[:1], source="api", now=NOW)
        reasons = client.http.stats.retries_by_reason
    assert reasons.get("http_429") and reasons.get("transport")
    assert report.rows == sum(
        sim.compliance.read(f).count(b"\n") for f in sim.compliance.day_files(DAYS[0])
    )


@pytest.mark.e2e
def test_the_organization_route_over_http(tmp_path):
    sim = _sim(tmp_path, users=60)
    with running(sim) as base_url:
        http = ApiHttpClient(compliance_http_settings(base_url, sim.config.compliance_key))
        client = ComplianceClient(http, sim.compliance.organization_id, now=lambda: NOW)
        files = client.day_files("APP_LOG", DAYS[0])
        bodies = [v.body for v in client.iter_downloads(files)]
    assert files and len(bodies) == len(files)
    assert all(
        orjson.loads(line)["principal"]["type"] == "API_PLATFORM_ORG"
        for body in bodies
        for line in body.splitlines()
    )


# -- the Dagster assets on the embedded simulator ------------------------------------------------

COMPLIANCE_KEYS = [
    dg.AssetKey(["raw", "compliance_codex_log"]),
    dg.AssetKey(["restricted", "compliance_events"]),
    dg.AssetKey(["marts", "compliance_activity_daily"]),
    dg.AssetKey(["marts", "compliance_agent_activity_daily"]),
    dg.AssetKey(["marts", "access_token_events"]),
    dg.AssetKey(["restricted", "secret_findings"]),
    dg.AssetKey(["reports", "compliance_export"]),
]


def _run(start: date, end: date) -> dg.ExecuteInProcessResult:
    from codex_assets.definitions import defs

    job = defs().resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=COMPLIANCE_KEYS,
        tags={RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()},
        raise_on_error=False,
    )


def _metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    events = [e for e in result.get_asset_materialization_events() if e.asset_key == key]
    return events[-1].materialization.metadata


def _failure(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(
        e.step_failure_data.error.message for e in result.all_events if e.is_step_failure
    )


def test_the_assets_land_restrict_and_export(data_dir):
    end = latest_complete_day(datetime.now(UTC))
    start = end - timedelta(days=1)
    result = _run(start, end)
    assert result.success, _failure(result)
    settings = environment_settings()
    sim = simulator_for(settings)
    served = _served(sim, [start, end])
    with duckdb.connect(settings.duckdb_path, read_only=True) as conn:
        held = conn.execute(
            "SELECT count(DISTINCT event_id), count(*) FROM restricted.compliance_events"
        ).fetchone()
        raw_columns = {r[0] for r in conn.execute("DESCRIBE raw.compliance_codex_log").fetchall()}
        mart_columns = {
            r[0]
            for t in (
                "marts.compliance_activity_daily",
                "marts.compliance_agent_activity_daily",
                "marts.access_token_events",
            )
            for r in conn.execute(f"DESCRIBE {t}").fetchall()
        }
        findings = conn.execute(
            "SELECT event_id, excerpt FROM restricted.secret_findings"
        ).fetchall()
    assert held == (len(served), len(served))
    restricted = {"record", "user_email", "prompt_text", "response_text", "tool_input"}
    assert not raw_columns & restricted and not mart_columns & restricted
    # Every served event with a pasted credential has a finding, and no excerpt holds one.
    pasted = _pasted_secrets(served.values())
    assert pasted, "the simulator pasted no credential into these days: widen the window"
    assert set(pasted) <= {event_id for event_id, _ in findings}
    secrets = {secret for found in pasted.values() for secret in found}
    for _, excerpt in findings:
        assert "[REDACTED:" in excerpt
        assert not [secret for secret in secrets if secret in excerpt], excerpt

    activity = _metadata(result, dg.AssetKey(["marts", "compliance_activity_daily"]))
    assert activity["dagster/row_count"].value > 0
    assert {c.name for c in activity["dagster/column_schema"].value.columns} >= {
        "sessions",
        "prompts",
    }
    assert all(c.description for c in activity["dagster/column_schema"].value.columns)
    lineage = activity["dagster/column_lineage"].value.deps_by_column
    assert lineage["prompts"][0].asset_key == dg.AssetKey(["restricted", "compliance_events"])

    jsonl, parquet = export_paths(settings.data_path, end)
    first = (jsonl.read_bytes(), parquet.read_bytes())
    again = _run(end, end)
    assert again.success, _failure(again)
    assert (jsonl.read_bytes(), parquet.read_bytes()) == first  # byte-identical re-run

    database = Path(settings.duckdb_path)
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.data_path.stat().st_mode) == 0o700
    assert stat.S_IMODE(jsonl.stat().st_mode) == 0o600


def test_a_day_beyond_retention_is_refused_before_any_request(data_dir):
    sim = simulator_for(environment_settings())
    recording = Recording(sim)
    old = datetime.now(UTC).date() - timedelta(days=40)
    try:
        result = _run(old, old)
    finally:
        del sim.handle  # drop the recording wrapper from the shared simulator
    assert not result.success
    assert "30-day retention" in _failure(result) and "no backfill" in _failure(result)
    assert recording.requests == []


def test_a_range_reaching_past_retention_is_refused_and_records_nothing(data_dir):
    """Dagster records every day of a run's range as materialized: a range holding days the
    API no longer serves (never landed) is refused whole, naming them and what it can fetch."""
    oldest = oldest_retained_day(datetime.now(UTC))
    result = _run(oldest - timedelta(days=4), oldest)
    assert not result.success
    failure = _failure(result)
    assert f"{oldest - timedelta(days=4)}..{oldest - timedelta(days=1)}" in failure
    assert f"Fetchable now: {oldest}.." in failure
    assert result.get_asset_materialization_events() == []
    assert Lake(environment_settings().lake_root).landed_days(RAW_TABLE) == []


def test_retention_purges_old_partitions_through_the_asset(data_dir, monkeypatch):
    end = latest_complete_day(datetime.now(UTC))
    assert _run(end - timedelta(days=2), end).success
    lake = Lake(environment_settings().lake_root)
    assert len(lake.landed_days(RAW_TABLE)) == 3
    cutoff = datetime.now(UTC).date() - timedelta(days=2)
    database = environment_settings().duckdb_path
    per_day = "SELECT day, count(*) FROM restricted.compliance_events GROUP BY day ORDER BY day"
    with duckdb.connect(database, read_only=True) as conn:
        before = conn.execute(per_day).fetchall()
    monkeypatch.setenv("CODEX_COMPLIANCE_RETENTION_DAYS", "2")
    result = _run(end, end)
    assert result.success, _failure(result)
    with duckdb.connect(database, read_only=True) as conn:
        after = conn.execute(per_day).fetchall()
    # What is kept is kept whole: the same events per day as before the purge.
    assert after == [(day, n) for day, n in before if day >= cutoff]
    assert len(after) < len(before)
    assert lake.landed_days(RAW_TABLE) == [
        d for d in (end - timedelta(days=2), end - timedelta(days=1), end) if d >= cutoff
    ]
    with duckdb.connect(environment_settings().duckdb_path, read_only=True) as conn:
        assert (
            conn.execute("SELECT min(day) FROM restricted.compliance_events").fetchone()[0]
            >= cutoff
        )
        assert (
            conn.execute("SELECT min(day) FROM marts.compliance_activity_daily").fetchone()[0]
            >= cutoff
        )
    (oldest_export, *_) = export_paths(environment_settings().data_path, end - timedelta(days=2))
    assert not oldest_export.exists() or (end - timedelta(days=2) >= cutoff)


_FAKE_SECRETS = re.compile(
    r"AWS_SECRET_ACCESS_KEY=(FAKE\S+)|(ghp_FAKE\w{32})|(MIIEFAKE[A-Za-z0-9+/]{56})"
    r"|(sk-proj-FAKE[\w-]{44})"
)
"""The simulator's fake credentials, matched independently of the DLP module under test."""


def _pasted_secrets(lines: Iterable[bytes]) -> dict[str, list[str]]:
    """event_id -> the fake credentials in its prompt or response text, as served."""
    found: dict[str, list[str]] = {}
    for line in lines:
        event = orjson.loads(line)
        details = event.get("event_details") or {}
        for field in ("prompt_text", "response_text"):
            for match in _FAKE_SECRETS.finditer(details.get(field) or ""):
                secret = next(group for group in match.groups() if group)
                found.setdefault(event["event_id"], []).append(secret)
    return found


def _served_texts(sim: Simulator, days: list[date]) -> set[str]:
    """Every prompt, response and tool input the days' files carry, and every email."""
    texts: set[str] = set()
    for line in _served(sim, days).values():
        event = orjson.loads(line)
        details = event.get("event_details") or {}
        texts |= {
            details[k]
            for k in ("prompt_text", "response_text", "tool_input")
            if isinstance(details.get(k), str) and len(details[k]) >= 12
        }
        email = (event.get("actor") or {}).get("user_email")
        if email:
            texts.add(email)
    return texts


def _strings(value: object) -> list[str]:
    """Every string inside `value` (a Dagster event's data or metadata) as is: serialized the
    way Dagster stores it, then decoded, so no escaping can hide a leaked text."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    decoded = orjson.loads(dg.serialize_value(value))  # type: ignore[arg-type]
    found: list[str] = []
    stack = [decoded]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
    return found


def test_no_text_or_email_reaches_marts_metadata_or_logs(data_dir):
    """Prompt and response text and emails live only in `restricted`: not in any `marts.*`
    table (every table in the schema, every value), not in any asset's Dagster metadata, not
    in any event or log message of the run (the DLP findings warning included)."""
    settings = environment_settings()
    sim = simulator_for(settings)
    # About 0.4% of the simulator's prompts carry a credential, so some days have none: take
    # the newest of the last week's days that has one.
    latest = latest_complete_day(datetime.now(UTC))
    served = {day: _served_texts(sim, [day]) for day in (latest - timedelta(d) for d in range(7))}
    end = next(day for day, texts in served.items() if any(dlp.scan(t) for t in texts))
    texts = served[end]
    assert len(texts) > 100, "the simulator should serve text and emails"
    result = _run(end, end)
    assert result.success, _failure(result)

    with duckdb.connect(settings.duckdb_path, read_only=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        ]
        assert {
            "compliance_activity_daily",
            "compliance_agent_activity_daily",
            "access_token_events",
        } <= set(tables)
        mart_values = {
            value
            for table in tables
            for row in conn.execute(f"SELECT * FROM marts.{table}").fetchall()
            for value in row
            if isinstance(value, str)
        }
    assert not mart_values & texts
    assert not any("@" in v for v in mart_values)

    materializations = result.get_asset_materialization_events()
    assert len(materializations) == len(COMPLIANCE_KEYS)
    emitted = "\n".join(
        [s for e in materializations for s in _strings(e.materialization.metadata)]
        + [s for e in result.all_events for s in _strings(e.message)]
        + [s for e in result.all_events for s in _strings(e.event_specific_data)]
    )
    leaked = [t for t in texts if t in emitted]
    assert leaked == []
