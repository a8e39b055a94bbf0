"""What each partition's materialization records, read back from the instance the shared
90-day backfill ran in (tests/integration/conftest.py): that day's own figures, equal to that
day's rows in DuckDB, and no partition for a day the Compliance API could not serve."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import pytest

from codex_assets.definitions import defs
from codex_assets.defs.compliance.window import oldest_retained_day
from codex_assets.defs.partitions import compliance_partitions, daily_partitions
from codex_assets.lib.lake import Lake
from tests.support.partition_rows import PartitionRows

LOG = "raw/compliance_codex_log"


def _latest_by_partition(instance: dg.DagsterInstance, key: dg.AssetKey) -> dict[str, dict]:
    records = instance.fetch_materializations(key, limit=1000).records
    latest: dict[str, dict] = {}
    for record in sorted(records, key=lambda r: r.storage_id):
        latest[record.partition_key] = record.asset_materialization.metadata
    return latest


@pytest.fixture(scope="module")
def recorded(backfill_90):
    settings = backfill_90.settings
    lake = Lake(settings.lake_root)
    with lake.connect(settings.duckdb_path, read_only=True) as conn:
        expected = PartitionRows(conn)
    materialized = {
        key: _latest_by_partition(backfill_90.instance, dg.AssetKey(key.split("/")))
        for key in expected.keys
    }
    return backfill_90, expected, materialized


def test_every_partition_records_its_own_days_row_count(recorded):
    backfill, expected, materialized = recorded
    assert backfill.result.success
    for key in expected.keys:
        by_partition = materialized[key]
        assert by_partition, key
        for partition, metadata in by_partition.items():
            row_count = metadata["dagster/row_count"].value
            assert row_count == expected.expected(key, partition), (key, partition)
    # Not one number copied onto every day: the days of a raw table differ, idle ones are 0.
    users = {m["dagster/row_count"].value for m in materialized["raw/usage_users"].values()}
    assert 0 in users and len(users) > 10


def test_no_compliance_partition_for_a_day_the_api_could_not_serve(recorded):
    backfill, _, materialized = recorded
    window, compliance = backfill.window, backfill.result.compliance
    oldest = oldest_retained_day(datetime.now(UTC))
    assert compliance is not None and compliance.start >= oldest > window.start
    log_days = sorted(materialized[LOG])
    assert log_days == [d.isoformat() for d in compliance.days]
    for key in ("restricted/compliance_events", "reports/compliance_export"):
        assert sorted(materialized[key]) == log_days, key
    # ... while the analytics assets (and what reads both sources) cover the whole window.
    for key in ("raw/usage_users", "marts/usage_reconciliation_daily"):
        assert sorted(materialized[key]) == [d.isoformat() for d in window.days], key
    # Each log partition carries its own files and bytes, as its lake footer recorded them.
    lake = Lake(backfill.settings.lake_root)
    footers = {
        day.isoformat(): lake.partition_metadata("compliance_codex_log", day)
        for day in compliance.days
    }
    for partition, metadata in materialized[LOG].items():
        assert metadata["files"].value == int(footers[partition]["files"])
        assert metadata["bytes"].value == int(footers[partition]["bytes"])


def test_no_export_file_is_empty_and_none_is_written_for_a_day_never_landed(recorded):
    backfill, _, _ = recorded
    exports = backfill.settings.data_path / "exports" / "compliance"
    files = sorted(exports.iterdir())
    assert files and all(path.stat().st_size > 0 for path in files)
    days = {path.name.removeprefix("codex_log-").split(".", 1)[0] for path in files}
    assert days == {d.isoformat() for d in backfill.result.compliance.days}


def test_at_most_three_partitions_before_the_last_loaded_day_are_unmaterialized(recorded):
    """Issue 14's bar: after the 90-day backfill no partitioned asset shows days it can never
    fill, the compliance assets included (their set starts at their API's 30 days)."""
    backfill, _, _ = recorded
    graph = defs().resolve_asset_graph()
    counted = {}
    for key in graph.get_all_asset_keys():
        partitions_def = graph.get(key).partitions_def
        if partitions_def is None or not graph.get(key).is_executable:
            continue
        done = backfill.instance.get_materialized_partitions(key)
        assert done, key.to_user_string()
        keys = partitions_def.get_partition_keys()
        before_last = keys[: keys.index(max(done)) + 1]
        counted[key.to_user_string()] = len(set(before_last) - done)
    assert counted and max(counted.values()) <= 3, counted
    # Each set starts at the first day its backfill could load: 90 days, and the 30 days
    # the compliance files are kept.
    assert daily_partitions.start.date() == backfill.window.start, counted
    assert compliance_partitions.start.date() == backfill.result.compliance.start, counted
