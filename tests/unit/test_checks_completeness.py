"""Completeness checks on real lake partitions: clean days pass, tampered ones fail for the reason."""

from __future__ import annotations

import copy
import shutil
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from codex_assets.defs.analytics.landing import write_partition
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.analytics.window import ANALYTICS_SLA
from codex_assets.defs.compliance.window import COMPLIANCE_SLA
from codex_assets.lib.checks.completeness import coverage, paging_complete
from codex_assets.lib.checks.outcome import format_days, plural
from codex_assets.lib.checks.window import read_footers
from codex_assets.lib.lake import Lake
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import SimulatorConfig

SIM = Simulator(SimulatorConfig(seed=11, users=30, profile="contract"))
"""The contract profile: among DAYS are Code Review days without rows, as the real API serves."""
ENDPOINTS = {table.name: table.endpoint for table in ANALYTICS_RAW_TABLES}
DAYS = [date(2026, 5, 4) + timedelta(days=i) for i in range(3)]  # Monday to Wednesday
FOOTER = {"source": "simulator", "pages": 1, "requests": 1, "complete": "true"}


def land(lake: Lake, table: str, day: date, rows=None, footer=FOOTER) -> None:
    rows = copy.deepcopy(SIM.day_rows(ENDPOINTS[table], day)) if rows is None else rows
    write_partition(lake, table, day, rows, metadata=footer)


@pytest.fixture(scope="module")
def clean_lake(tmp_path_factory) -> Lake:
    lake = Lake(tmp_path_factory.mktemp("clean") / "lake")
    for table in ENDPOINTS:
        for day in DAYS:
            land(lake, table, day)
    return lake


@pytest.fixture
def lake(clean_lake, tmp_path) -> Lake:
    """A fresh copy of the clean lake, for one test to tamper with."""
    return Lake(shutil.copytree(clean_lake.root, tmp_path / "lake"))


def rewrite_footer(lake: Lake, table: str, day: date, footer: dict | None) -> None:
    """Rewrite a landed partition with the same rows and another footer (or none)."""
    path = lake.partition_file(table, day)
    options = "FORMAT parquet"
    if footer is not None:
        pairs = ", ".join(f"{k}: '{v}'" for k, v in footer.items())
        options += f", KV_METADATA {{{pairs}}}"
    with duckdb.connect() as conn:
        conn.execute(f"COPY (SELECT * FROM read_parquet('{path}')) TO '{path}.new' ({options})")
    path.with_name(path.name + ".new").replace(path)


def test_days_landed_whole_pass(lake):
    outcome = paging_complete("usage_users", DAYS, read_footers(lake, "usage_users", DAYS))
    assert outcome.passed, outcome.summary
    assert outcome.measured["days_checked"] == 3
    assert outcome.measured["pages"] == 3


@pytest.mark.parametrize(
    ("footer", "problem"),
    [
        ({**FOOTER, "complete": "false"}, "complete=false"),
        ({"source": "simulator", "pages": 2}, "no complete flag"),
        (None, "no complete flag"),
    ],
)
def test_a_partition_not_marked_complete_fails(lake, footer, problem):
    rewrite_footer(lake, "usage_users", DAYS[1], footer)
    outcome = paging_complete("usage_users", DAYS, read_footers(lake, "usage_users", DAYS))
    assert not outcome.passed
    assert outcome.offending_days == [DAYS[1]]
    assert outcome.offending[0]["problem"] == problem
    assert "uv run codex-assets backfill --start 2026-05-05 --end 2026-05-05" in outcome.summary


def test_a_day_of_the_run_without_a_partition_fails(lake):
    days = [*DAYS, DAYS[-1] + timedelta(days=1)]
    outcome = paging_complete("usage_users", days, read_footers(lake, "usage_users", days))
    assert not outcome.passed
    assert outcome.offending == [
        {"day": days[-1], "complete": None, "problem": "no partition file"}
    ]


@pytest.mark.parametrize("table", sorted(ENDPOINTS))
def test_an_idle_day_without_rows_is_loaded_not_missing(lake, table):
    """The API omits a day without activity (no rows, not a zero row): a whole partition
    without rows passes, and is counted as idle; only a day without a partition fails."""
    land(lake, table, DAYS[1], rows=[])
    idle = sorted({DAYS[1]} | {day for day in DAYS if not SIM.day_rows(ENDPOINTS[table], day)})
    days = [*DAYS, DAYS[-1] + timedelta(days=1)]
    outcome = paging_complete(table, DAYS, read_footers(lake, table, DAYS))
    assert outcome.passed, outcome.summary
    assert outcome.measured["idle_days"] == len(idle)
    assert outcome.measured["idle_days_list"] == format_days(idle)
    assert f"{plural(len(idle), 'idle day')} without rows" in outcome.summary

    missing = paging_complete(table, days, read_footers(lake, table, days))
    assert not missing.passed
    assert missing.offending_days == [days[-1]]
    assert missing.measured["idle_days"] == len(idle)


def test_coverage_passes_when_every_due_day_is_loaded():
    now = datetime(2026, 5, 4, 15, tzinfo=UTC)
    expected = ANALYTICS_SLA.expected_days(now)
    outcome = coverage("usage_users", expected, ANALYTICS_SLA, now)
    assert outcome.passed
    assert outcome.measured["expected_days"] == 90


def test_coverage_lists_the_missing_days_and_the_commands_that_load_them():
    now = datetime(2026, 5, 4, 15, tzinfo=UTC)  # 2026-05-03 is due (14:00 passed)
    expected = ANALYTICS_SLA.expected_days(now)
    landed = [day for day in expected if day not in {date(2026, 3, 1), date(2026, 3, 2)}]
    landed = [day for day in landed if day < date(2026, 5, 2)]  # the last two days never ran
    outcome = coverage("usage_users", landed, ANALYTICS_SLA, now)
    assert not outcome.passed
    assert outcome.offending_days == [
        date(2026, 3, 1),
        date(2026, 3, 2),
        date(2026, 5, 2),
        date(2026, 5, 3),
    ]
    assert (
        "4 of the last 90 due days not loaded: 2026-03-01..2026-03-02, 2026-05-02..2026-05-03"
        in (outcome.summary)
    )
    assert "uv run codex-assets backfill --start 2026-03-01 --end 2026-03-02" in outcome.summary
    assert "uv run codex-assets backfill --start 2026-05-02 --end 2026-05-03" in outcome.summary
    assert [row["command"] for row in outcome.offending] == [
        "uv run codex-assets backfill --start 2026-03-01 --end 2026-03-02",
        "uv run codex-assets backfill --start 2026-05-02 --end 2026-05-03",
    ]


def test_coverage_ignores_days_not_due_yet_and_days_the_api_no_longer_serves():
    now = datetime(2026, 5, 4, 13, tzinfo=UTC)  # 2026-05-03 is not due before 14:00
    landed = ANALYTICS_SLA.expected_days(now)
    assert landed[-1] == date(2026, 5, 2)
    assert coverage("usage_users", landed, ANALYTICS_SLA, now).passed
    # Compliance: only the days whose files are all still kept (30 days after they end).
    now = datetime(2026, 5, 4, 3, tzinfo=UTC)
    outcome = coverage("compliance_codex_log", [], COMPLIANCE_SLA, now)
    assert outcome.measured["expected_days"] == 29
    assert outcome.offending_days[0] == date(2026, 4, 5)
    assert outcome.offending_days[-1] == date(2026, 5, 3)


def test_a_day_the_source_no_longer_serves_is_unavailable_not_incomplete(lake):
    older = DAYS[0] - timedelta(days=1)
    days = [older, *DAYS]
    footers = read_footers(lake, "usage_users", days)
    outcome = paging_complete("usage_users", days, footers, oldest_refillable=DAYS[0])
    assert outcome.passed, outcome.summary
    assert outcome.measured["days_no_longer_served"] == older.isoformat()
    assert not paging_complete("usage_users", days, footers).passed


def test_coverage_expects_nothing_the_backfill_command_cannot_load_yet():
    now = datetime(2026, 5, 4, 6, tzinfo=UTC)  # compliance 2026-05-03 is due at 02:00 ...
    landed = COMPLIANCE_SLA.expected_days(now)[:-1]
    assert not coverage("compliance_codex_log", landed, COMPLIANCE_SLA, now).passed
    # ... but the CLI backfills every API together, and analytics 2026-05-03 is complete at 12:00.
    capped = coverage(
        "compliance_codex_log", landed, COMPLIANCE_SLA, now, last_day=date(2026, 5, 2)
    )
    assert capped.passed
