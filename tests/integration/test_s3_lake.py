"""The lake on object storage: CODEX_DATA_DIR=s3://bucket/prefix against a real S3 server.

moto's server mode serves the S3 API on loopback; the pipeline reaches it exactly as it would
reach AWS S3 (s3fs registered on DuckDB connections, the standard AWS_* environment), only the
endpoint differs. The schedule's 3-day run goes through Dagster (every asset: raw landing, the
compliance streaming writer, marts, reports, checks), then a restatement in the API and a
second run prove that re-loads diff against the previous partitions read back from S3. The
DuckDB file itself stays local (CODEX_DUCKDB_PATH).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.defs.resources import CodexResource
from codex_assets.defs.resources.source import simulator_for
from codex_assets.lib import storage
from codex_assets.lib.lake import SOURCE_MARKER, Lake
from codex_assets.lib.settings import SettingsError
from tests.support.resources import environment_settings
from tests.support.s3_server import moto_server
from tests.support.schedule import scheduled_compliance_run, scheduled_run

BUCKET = "codex-lake"
PREFIX = "teams/data"


@pytest.fixture
def s3_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A moto S3 server with an empty bucket, and the environment that points the lake at it."""
    with moto_server(tmp_path / "moto.log") as server:
        server.create_bucket(BUCKET)
        for name in ("CODEX_SOURCE", "CODEX_API_BASE_URL", "CODEX_SIMULATOR_FAULTS"):
            monkeypatch.delenv(name, raising=False)
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("CODEX_DATA_DIR", f"s3://{BUCKET}/{PREFIX}")
        monkeypatch.setenv("CODEX_DUCKDB_PATH", str(tmp_path / "local" / "codex.duckdb"))
        monkeypatch.setenv("CODEX_SIMULATOR_USERS", "25")
        monkeypatch.setenv("CODEX_SIMULATOR_SEED", "13")
        monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
        (tmp_path / "dagster_home").mkdir()
        storage.reset_filesystems()  # this process's s3fs must talk to this server, with its keys
        yield server, tmp_path
    storage.reset_filesystems()


def test_a_scheduled_run_lands_the_lake_on_s3_and_reads_it_back(s3_env):
    server, tmp_path = s3_env
    settings = environment_settings()
    assert settings.lake_root == f"s3://{BUCKET}/{PREFIX}/lake"
    assert settings.duckdb_path == str(tmp_path / "local" / "codex.duckdb")
    simulator = simulator_for(settings)
    yesterday = latest_complete_day(datetime.now(UTC))
    days = [yesterday - timedelta(days=i) for i in (2, 1, 0)]
    restated: date = days[1]

    instance = dg.DagsterInstance.ephemeral()
    first = scheduled_run(instance)
    assert first.success, [e.message for e in first.all_events if e.is_failure]
    compliance = scheduled_compliance_run(instance)  # (its own partition set, its own job)
    assert compliance.success, [e.message for e in compliance.all_events if e.is_failure]

    # Every raw partition is an object in the bucket, next to the source marker; nothing of
    # the lake is on local disk, and no staging leftovers are published.
    keys = server.keys(BUCKET, f"{PREFIX}/lake/")
    for table in [t.name for t in ANALYTICS_RAW_TABLES] + ["compliance_codex_log"]:
        for day in days:
            assert f"{PREFIX}/lake/{table}/day={day.isoformat()}/data.parquet" in keys, table
    assert f"{PREFIX}/lake/{SOURCE_MARKER}" in keys
    assert not [key for key in keys if "/." in key or key.endswith(".tmp")], keys
    assert not (tmp_path / "local" / "lake").exists()
    lake = Lake(settings.lake_root)
    assert lake.is_remote
    assert lake.landed_days("usage_users") == days
    marker = json.loads(storage.lake_path(f"{settings.lake_root}/{SOURCE_MARKER}").read_text())
    assert marker["source"] == "simulator"
    assert lake.partition_metadata("usage_users", days[0])["complete"] == "true"

    # The local DuckDB file's raw views read the S3 partitions back, row for row.
    with lake.connect(settings.duckdb_path, read_only=True) as conn:
        for day in days:
            (landed,) = conn.execute(
                "SELECT count(*) FROM raw.usage_users WHERE day = $day", {"day": day}
            ).fetchone()
            assert landed == len(simulator.day_rows("usage", day)), day
        (events,) = conn.execute("SELECT count(*) FROM restricted.compliance_events").fetchone()
        assert events > 0
        (mart_days,) = conn.execute(
            "SELECT count(DISTINCT day) FROM marts.usage_user_daily"
        ).fetchone()
        assert mart_days == len(days)

    # A restatement in the API: the second run diffs against the partitions on S3.
    before = {row["user_id"]: row["totals"] for row in simulator.day_rows("usage", restated)}
    simulator.restate(restated, 1)
    try:
        after = {row["user_id"]: row["totals"] for row in simulator.day_rows("usage", restated)}
        changed_users = {u for u in before if before[u] != after.get(u)}
        assert changed_users
        second = scheduled_run(instance)
        assert second.success
    finally:
        simulator.restate(restated, 0)
    assert any(
        key.startswith(f"{PREFIX}/lake/_restatements/usage_users/day={restated.isoformat()}/")
        for key in server.keys(BUCKET, f"{PREFIX}/lake/_restatements/")
    )
    with lake.connect(settings.duckdb_path, read_only=True) as conn:
        rows = conn.execute(
            "SELECT DISTINCT key FROM marts.restatements WHERE day = $day AND table_name = "
            "'usage_users' AND run_id = $run",
            {"day": restated, "run": second.run_id},
        ).fetchall()
    assert {key for (key,) in rows} == changed_users

    # The S3 credentials never reach Dagster's event log (metadata, messages, errors).
    secret = server.env["AWS_SECRET_ACCESS_KEY"]
    logs = [str(entry) for run in (first, second) for entry in instance.all_logs(run.run_id)]
    assert logs
    assert not [line for line in logs if secret in line]


def test_the_warehouse_cannot_read_the_s3_lake_without_the_registered_filesystem(s3_env):
    """Why every warehouse connection goes through `storage.register` (WarehouseResource):
    a bare connection would try to download httpfs, which this machine (and many locked-down
    production hosts) cannot."""
    import duckdb

    lake = Lake(environment_settings().lake_root)
    path = f"s3://{BUCKET}/{PREFIX}/probe/data.parquet"
    with lake.connect() as conn:
        conn.execute(f"COPY (SELECT 1 AS one) TO '{path}' (FORMAT parquet)")
        assert conn.execute(f"SELECT one FROM read_parquet('{path}')").fetchall() == [(1,)]
    with duckdb.connect() as bare, pytest.raises(duckdb.Error):
        bare.execute(f"SELECT * FROM read_parquet('{path}')").fetchall()


def test_object_store_settings_fail_with_the_fix():
    with pytest.raises(SettingsError, match="bucket is missing"):
        CodexResource(data_dir="s3:///no-bucket")
    with pytest.raises(SettingsError, match="must not carry credentials") as raised:
        CodexResource.from_environment({"CODEX_DATA_DIR": "s3://AKIAEXAMPLE:hunter2@bucket/prefix"})
    assert "hunter2" not in str(raised.value)
    settings = CodexResource(data_dir="s3://bucket/prefix").settings()
    assert settings.lake_root == "s3://bucket/prefix/lake"
    assert settings.duckdb_path == str(Path("./data").resolve() / "codex.duckdb")
    assert os.path.isabs(settings.duckdb_path)
