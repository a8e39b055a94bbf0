"""Through Dagster: the compliance log's checks pass on what the simulator served, and each
fails, with its severity, on a partition tampered for it (a file's lines lost, a checksum
altered) or on analytics that no longer agree with the log."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta

import dagster as dg
import duckdb
import orjson
import pytest

from codex_assets.backfill import Window, run_window
from codex_assets.defs.analytics.landing import write_partition
from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.defs.compliance.checks import specs
from codex_assets.defs.compliance.checks.files import ListedFile
from codex_assets.defs.compliance.raw_assets import RAW_KEY
from codex_assets.defs.reconciliation.checks.specs import RESPONSES_PER_TURN_IN_BAND as RATIO
from codex_assets.defs.resources.source import simulator_for
from codex_assets.lib.checks.window import read_footers
from codex_assets.lib.lake import Lake
from tests.support.resources import environment_settings

COMPLIANCE = RAW_KEY
FILES_COVER_DAY = specs.FILES_COVER_DAY.name
FILE_CHECKSUMS_MATCH = specs.FILE_CHECKSUMS_MATCH.name
RESPONSES_PER_TURN_IN_BAND = RATIO.name
NO_NEGATIVE_COUNTS = specs.NO_NEGATIVE_COUNTS.name
ROWS_MATCH_PARTITION_DAY = specs.ROWS_MATCH_PARTITION_DAY.name
COLUMN_SCHEMA_UNCHANGED = specs.COLUMN_SCHEMA_UNCHANGED.name
USERS = dg.AssetKey(["raw", "usage_users"])
TABLE = "compliance_codex_log"
NAMES = (
    FILES_COVER_DAY,
    FILE_CHECKSUMS_MATCH,
    RESPONSES_PER_TURN_IN_BAND,
    NO_NEGATIVE_COUNTS,
    ROWS_MATCH_PARTITION_DAY,
    COLUMN_SCHEMA_UNCHANGED,
)
ERROR, WARN = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN
ENV = {"CODEX_SIMULATOR_USERS": "60", "CODEX_SIMULATOR_SEED": "11"}


def _window() -> Window:
    end = latest_complete_day(datetime.now(UTC))
    return Window(end - timedelta(days=3), end)


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """Four clean days of the compliance log and the per-user usage, landed once."""
    root = tmp_path_factory.mktemp("compliance_checks")
    with pytest.MonkeyPatch.context() as env:
        env.delenv("CODEX_SIMULATOR_FAULTS", raising=False)
        env.setenv("CODEX_DATA_DIR", str(root / "data"))
        for key, value in ENV.items():
            env.setenv(key, value)
        window = _window()
        result = run_window(
            window,
            instance=dg.DagsterInstance.ephemeral(),
            selection=dg.AssetSelection.assets(COMPLIANCE, USERS).without_checks(),
        )
        assert result.success
        yield root / "data", window


@pytest.fixture
def copy_of(landed, tmp_path, monkeypatch):
    data, window = landed
    target = shutil.copytree(data, tmp_path / "data")
    monkeypatch.setenv("CODEX_DATA_DIR", str(target))
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CODEX_SIMULATOR_FAULTS", raising=False)
    return Lake(target / "lake"), window


def _run_checks(window: Window) -> dict[str, dg.AssetCheckEvaluation]:
    selection = dg.AssetSelection.checks(*(dg.AssetCheckKey(COMPLIANCE, name) for name in NAMES))
    result = run_window(window, instance=dg.DagsterInstance.ephemeral(), selection=selection)
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _rewrite_compliance(lake: Lake, day, select: str) -> None:
    """Rewrite a compliance partition through `select` (FROM the file as `p`), keeping its
    footer, so only what the select changes differs."""
    path = lake.partition_file(TABLE, day)
    footer = read_footers(lake, TABLE, [day])[day]
    kv = ", ".join(f"{key}: '{value}'" for key, value in footer.items())
    query = select.format(p=f"read_parquet('{path}')")
    with duckdb.connect() as conn:
        conn.execute(f"COPY ({query}) TO '{path}.new' (FORMAT parquet, KV_METADATA {{{kv}}})")
    os.replace(f"{path}.new", path)


def _files_of(lake: Lake, day) -> list[tuple[str, int]]:
    """(file_id, lines) of a landed day, biggest file first."""
    with duckdb.connect() as conn:
        return conn.execute(
            "SELECT file_id, count(*) FROM read_parquet($p) GROUP BY 1 ORDER BY 2 DESC, 1",
            {"p": str(lake.partition_file(TABLE, day))},
        ).fetchall()


def _failed(evaluations) -> set[tuple[str, dg.AssetCheckSeverity]]:
    return {(name, e.severity) for name, e in evaluations.items() if not e.passed}


def test_clean_days_pass_with_the_numbers_the_simulator_served(copy_of):
    _, window = copy_of
    evaluations = _run_checks(window)
    assert set(evaluations) == set(NAMES)
    assert _failed(evaluations) == set()
    simulator = simulator_for(environment_settings())
    served = sum(len(simulator.compliance.day_files(day)) for day in window.days)
    files = evaluations[FILES_COVER_DAY].metadata
    assert files["days_compared"].value == len(window.days)
    assert files["files_listed"].value == files["files_landed"].value == served
    assert files["minutes_uncovered"].value == 0
    assert evaluations[FILE_CHECKSUMS_MATCH].metadata["files_compared"].value == served
    ratio = evaluations[RESPONSES_PER_TURN_IN_BAND].metadata
    # Day D needs D+1's files (late events), so the window's last day is not compared.
    assert ratio["days_compared"].value == len(window.days) - 1
    assert ratio["days_not_compared"].value == window.end.isoformat()
    # The simulator logs one response per analytics turn.
    assert ratio["ratio"].value == 1.0
    assert ratio["turns"].value == ratio["responses"].value > 0
    assert ratio["user_days_compared"].value > 0
    assert ratio["user_days_outside_band"].value == 0


def test_a_file_whose_lines_were_lost_fails_coverage_and_blocks(copy_of):
    lake, window = copy_of
    day = window.days[1]
    lost, lines = _files_of(lake, day)[0]
    _rewrite_compliance(lake, day, f"SELECT * FROM {{p}} WHERE file_id <> '{lost}'")
    evaluations = _run_checks(window)
    cover = evaluations[FILES_COVER_DAY]
    assert (FILES_COVER_DAY, ERROR) in _failed(evaluations)
    assert cover.blocking
    assert (FILE_CHECKSUMS_MATCH, ERROR) not in _failed(evaluations)
    assert cover.metadata["files_missing"].value == 1
    assert cover.metadata["offending_days"].value == day.isoformat()
    assert lost in cover.metadata["offending_rows"].value
    assert 0 < cover.metadata["minutes_uncovered"].value <= 10
    assert f"--start {day.isoformat()} --end {day.isoformat()}" in cover.description
    assert lines > 0


def test_an_altered_checksum_fails_only_the_checksum_check(copy_of):
    lake, window = copy_of
    day = window.days[2]
    altered, _ = _files_of(lake, day)[-1]
    _rewrite_compliance(
        lake,
        day,
        f"SELECT * REPLACE (CASE WHEN file_id = '{altered}' THEN repeat('0', 64) "
        "ELSE file_sha256 END AS file_sha256) FROM {p}",
    )
    evaluations = _run_checks(window)
    assert _failed(evaluations) == {(FILE_CHECKSUMS_MATCH, ERROR)}
    checksums = evaluations[FILE_CHECKSUMS_MATCH]
    assert checksums.metadata["files_mismatched"].value == 1
    assert checksums.metadata["offending_days"].value == day.isoformat()
    assert altered in checksums.metadata["offending_rows"].value
    assert "sha256 differs" in checksums.metadata["offending_rows"].value


def test_a_negative_token_count_fails_and_blocks(copy_of):
    lake, window = copy_of
    day = window.days[1]
    # The lake keeps the verbatim line: negate the count inside it.
    negated = """replace(record, '"output_tokens":', '"output_tokens":-')"""
    _rewrite_compliance(lake, day, f"SELECT * REPLACE ({negated} AS record) FROM {{p}}")
    evaluations = _run_checks(window)
    assert _failed(evaluations) == {(NO_NEGATIVE_COUNTS, ERROR)}
    negative = evaluations[NO_NEGATIVE_COUNTS]
    assert negative.blocking
    assert negative.metadata["offending_days"].value == day.isoformat()
    assert "output_tokens" in negative.description
    assert negative.metadata["offending_count"].value > 0


def test_a_file_from_another_day_fails_the_partition_day_check(copy_of):
    lake, window = copy_of
    day = window.days[2]
    moved, _ = _files_of(lake, day)[0]
    _rewrite_compliance(
        lake,
        day,
        f"SELECT * REPLACE (CASE WHEN file_id = '{moved}' THEN file_end_time + INTERVAL 1 DAY "
        "ELSE file_end_time END AS file_end_time) FROM {p}",
    )
    evaluations = _run_checks(window)
    assert _failed(evaluations) == {(ROWS_MATCH_PARTITION_DAY, ERROR)}
    outside = evaluations[ROWS_MATCH_PARTITION_DAY]
    assert outside.blocking
    assert outside.metadata["offending_count"].value == 1
    assert outside.metadata["offending_days"].value == day.isoformat()
    assert moved in outside.metadata["offending_rows"].value


def test_a_changed_compliance_schema_warns_naming_the_column(copy_of, monkeypatch):
    """The columns are parsed from the verbatim line by this version's SQL, so they change
    when an upgrade extracts another field: the next run warns and names it."""
    from codex_assets.defs.compliance import warehouse

    _, window = copy_of
    instance = dg.DagsterInstance.ephemeral()
    one_day = Window(window.days[0], window.days[0])
    selection = dg.AssetSelection.assets(COMPLIANCE)
    assert run_window(one_day, instance=instance, selection=selection).success
    released = warehouse.codex_log_lines_sql
    monkeypatch.setattr(
        warehouse,
        "codex_log_lines_sql",
        lambda files: (
            f"SELECT *, record ->> '$.sim_future_field' AS sim_future_field "
            f"FROM ({released(files)})"
        ),
    )
    second = run_window(one_day, instance=instance, selection=selection)
    assert second.success  # a warning stops nothing
    schema = {e.check_name: e for e in second.get_asset_check_evaluations()}[
        COLUMN_SCHEMA_UNCHANGED
    ]
    assert not schema.passed and schema.severity == WARN
    assert schema.metadata["added"].value == "sim_future_field"


def test_fields_the_api_adds_to_its_lines_warn_naming_them(copy_of):
    """Lines carrying fields no column reads (kept in `record`) warn, naming each field and
    the day it came on; nothing else fails (the files and their checksums are unchanged)."""
    lake, window = copy_of
    day = window.days[1]
    added = '{{"risk_score": 0.5, "event_details": {{"sandbox": "read-only"}}}}'
    _rewrite_compliance(
        lake,
        day,
        f"SELECT * REPLACE (json_merge_patch(record, '{added}')::JSON AS record) FROM {{p}}",
    )
    evaluations = _run_checks(window)
    assert _failed(evaluations) == {(COLUMN_SCHEMA_UNCHANGED, WARN)}
    schema = evaluations[COLUMN_SCHEMA_UNCHANGED]
    assert schema.metadata["fields_not_read"].value == "event_details.sandbox, risk_score"
    assert schema.metadata["offending_days"].value == day.isoformat()
    assert (
        "2 fields the API sends that no column reads: event_details.sandbox, risk_score"
        in schema.description
    )
    assert "defs/compliance/view_restricted_codex_log.sql" in schema.description


def test_analytics_turns_doubled_warn_with_the_ratio_and_block_nothing(copy_of):
    """A ratio off the band is a warning: the run succeeds and names day and users."""
    lake, window = copy_of
    day = window.days[1]
    rows = [
        orjson.loads(record)
        for (record,) in duckdb.sql(
            f"SELECT record FROM read_parquet('{lake.partition_file('usage_users', day)}')"
        ).fetchall()
    ]
    for row in rows:
        row["totals"]["turns"] *= 2
    write_partition(
        lake, "usage_users", day, rows, metadata={"pages": 1, "requests": 1, "complete": "true"}
    )
    selection = dg.AssetSelection.checks(*(dg.AssetCheckKey(COMPLIANCE, name) for name in NAMES))
    result = run_window(window, instance=dg.DagsterInstance.ephemeral(), selection=selection)
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert _failed(evaluations) == {(RESPONSES_PER_TURN_IN_BAND, WARN)}
    ratio = evaluations[RESPONSES_PER_TURN_IN_BAND]
    assert ratio.metadata["offending_days"].value == day.isoformat()
    assert ratio.metadata["lowest_day_ratio"].value == 0.5
    assert ratio.metadata["user_days_outside_band"].value >= 1
    table = ratio.metadata["offending_rows"].value
    assert "| workspace |" in table and "| user |" in table
    assert "@" not in table  # emails are restricted: never in Dagster's metadata


def test_a_file_published_after_the_day_was_landed_blocks_the_compliance_marts(
    copy_of, monkeypatch
):
    """The API lists one more file for a day than was landed (a file published late): the
    blocking `files_cover_day` fails and everything built on the log (restricted events,
    marts, export) is skipped in the run."""
    from codex_assets.definitions import defs
    from codex_assets.defs.compliance.checks import asset_checks as compliance_checks

    _, window = copy_of
    day = window.days[1]
    listings = compliance_checks._listings

    def with_a_late_file(codex, days):
        listed, not_listable = listings(codex, days)
        late = ListedFile(
            "clf_LATE", "CODEX_LOG_late.jsonl", listed[day][-1].end_time, "ab" * 32, 512
        )
        listed[day] = [*listed[day], late]
        return listed, not_listable

    monkeypatch.setattr(compliance_checks, "_listings", with_a_late_file)
    graph = defs().resolve_asset_graph()
    downstream = dg.AssetSelection.assets(COMPLIANCE).downstream(include_self=False)
    built_on_it = set(downstream.resolve(graph))
    assert dg.AssetKey(["marts", "compliance_activity_daily"]) in built_on_it
    assert dg.AssetKey(["restricted", "compliance_events"]) in built_on_it
    result = run_window(
        window,
        instance=dg.DagsterInstance.ephemeral(),
        selection=dg.AssetSelection.assets(COMPLIANCE, *built_on_it),
    )
    assert not result.success
    cover = next(e for e in result.get_asset_check_evaluations() if e.check_name == FILES_COVER_DAY)
    assert not cover.passed
    assert cover.metadata["offending_days"].value == day.isoformat()
    assert "clf_LATE" in cover.metadata["offending_rows"].value
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert COMPLIANCE in materialized  # the log is landed; what is built on it waits
    assert built_on_it.isdisjoint(materialized), built_on_it & materialized
