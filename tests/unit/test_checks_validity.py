"""Validity checks on real lake partitions: clean days pass, tampered ones fail for the reason."""

from __future__ import annotations

import copy
import shutil
from datetime import date, timedelta

import pytest

from codex_assets.defs.analytics.checks.partition_day import rows_outside_partition
from codex_assets.defs.analytics.checks.tables import (
    ANALYTICS_CHECKED_TABLES,
    CODE_REVIEWS,
    USAGE_USERS,
    USAGE_WORKSPACE,
)
from codex_assets.defs.analytics.landing import write_partition
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.lib.checks.validity import duplicate_keys, negative_counts, schema_diff
from codex_assets.lib.checks.window import open_window
from codex_assets.lib.lake import Lake
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import SimulatorConfig

SIM = Simulator(SimulatorConfig(seed=11, users=30, profile="contract"))
ENDPOINTS = {table.name: table.endpoint for table in ANALYTICS_RAW_TABLES}
DAYS = [date(2026, 5, 4) + timedelta(days=i) for i in range(3)]  # Monday to Wednesday
FOOTER = {"pages": 1, "requests": 1, "complete": "true"}
TAMPERED = DAYS[1]


def served(table: str, day: date) -> list[dict]:
    return copy.deepcopy(SIM.day_rows(ENDPOINTS[table], day))


@pytest.fixture(scope="module")
def clean_lake(tmp_path_factory) -> Lake:
    lake = Lake(tmp_path_factory.mktemp("clean") / "lake")
    for table in ENDPOINTS:
        for day in DAYS:
            write_partition(lake, table, day, served(table, day), metadata=FOOTER)
    return lake


@pytest.fixture
def lake(clean_lake, tmp_path) -> Lake:
    """A fresh copy of the clean lake, for one test to tamper with."""
    return Lake(shutil.copytree(clean_lake.root, tmp_path / "lake"))


def tamper(lake: Lake, table: str, change) -> None:
    """Rewrite the partition `table`/TAMPERED with `change(rows)` applied to the served rows."""
    rows = served(table, TAMPERED)
    rows = change(rows) or rows
    write_partition(lake, table, TAMPERED, rows, metadata=FOOTER)


def run(lake: Lake, check, table):
    with open_window(lake, [table], DAYS) as window:
        return check(window, table)


@pytest.mark.parametrize("table", ANALYTICS_CHECKED_TABLES.values(), ids=lambda t: t.name)
@pytest.mark.parametrize("check", [negative_counts, duplicate_keys, rows_outside_partition])
def test_clean_data_is_valid(lake, check, table):
    outcome = run(lake, check, table)
    assert outcome.passed, outcome.summary
    assert outcome.measured["days_landed"] == 3
    assert outcome.measured["rows_checked"] > 0


def test_nothing_landed_is_nothing_to_validate(tmp_path):
    outcome = run(Lake(tmp_path / "empty"), negative_counts, USAGE_USERS)
    assert outcome.passed
    assert "no landed partition" in outcome.summary


def test_a_negative_total_fails(lake):
    def change(rows):
        rows[3]["totals"]["credits"] = -1.5

    tamper(lake, "usage_users", change)
    outcome = run(lake, negative_counts, USAGE_USERS)
    assert not outcome.passed
    assert outcome.offending == [
        {
            "day": TAMPERED,
            "row_label": served("usage_users", TAMPERED)[3]["user_id"],
            "column_name": "credits",
            "value": -1.5,
        }
    ]
    assert outcome.offending_days == [TAMPERED]


def test_a_negative_breakdown_entry_fails(lake):
    def change(rows):
        rows[0]["clients"][0]["turns"] = -2
        rows[0]["models"] = [{"model": "gpt-5.5", "speed": "fast", "credits": -0.25}]

    tamper(lake, "usage_workspace", change)
    outcome = run(lake, negative_counts, USAGE_WORKSPACE)
    assert not outcome.passed
    columns = {row["column_name"]: row["row_label"] for row in outcome.offending}
    client = served("usage_workspace", TAMPERED)[0]["clients"][0]["client_id"]
    assert columns == {
        "clients.turns": f"workspace / {client}",
        "models.credits": "workspace / gpt-5.5 fast",
    }


def test_unavailable_tokens_are_not_negative(lake):
    def change(rows):
        rows[0]["totals"]["text_total_tokens"] = None

    tamper(lake, "usage_users", change)
    assert run(lake, negative_counts, USAGE_USERS).passed


def test_a_negative_review_count_fails(lake):
    def change(rows):
        rows[0]["comment_details"]["p2"] = -4

    tamper(lake, "code_reviews", change)
    outcome = run(lake, negative_counts, CODE_REVIEWS)
    assert not outcome.passed
    assert outcome.offending[0]["column_name"] == "p2"


def test_a_duplicated_user_row_fails(lake):
    tamper(lake, "usage_users", lambda rows: [*rows, rows[5]])
    outcome = run(lake, duplicate_keys, USAGE_USERS)
    assert not outcome.passed
    assert outcome.offending == [
        {
            "day": TAMPERED,
            "user_id": served("usage_users", TAMPERED)[5]["user_id"],
            "copies": 2,
            "problem": "duplicate",
        }
    ]
    assert "(day, user_id)" in outcome.summary


def test_a_user_row_without_user_id_fails(lake):
    def change(rows):
        rows[0]["user_id"] = None
        rows[0]["actor"] = None

    tamper(lake, "usage_users", change)
    outcome = run(lake, duplicate_keys, USAGE_USERS)
    assert not outcome.passed
    assert outcome.offending[0]["problem"] == "missing key"


def test_two_workspace_rows_on_a_day_fail(lake):
    tamper(lake, "usage_workspace", lambda rows: rows * 2)
    outcome = run(lake, duplicate_keys, USAGE_WORKSPACE)
    assert not outcome.passed
    assert outcome.offending == [{"day": TAMPERED, "copies": 2, "problem": "duplicate"}]


def test_a_row_of_another_day_fails(lake):
    def change(rows):
        rows[2]["start_time"] -= 86_400
        rows[2]["end_time"] -= 86_400

    tamper(lake, "usage_users", change)
    outcome = run(lake, rows_outside_partition, USAGE_USERS)
    assert not outcome.passed
    (row,) = outcome.offending
    assert row["day"] == TAMPERED
    assert row["start_time"] == row["expected_start_time"] - 86_400


def test_a_weekly_bucket_fails(lake):
    def change(rows):
        rows[0]["end_time"] = rows[0]["start_time"] + 7 * 86_400

    tamper(lake, "code_reviews", change)
    outcome = run(lake, rows_outside_partition, CODE_REVIEWS)
    assert not outcome.passed
    assert (
        outcome.offending[0]["end_time"] - outcome.offending[0]["expected_end_time"] == 6 * 86_400
    )


def test_schema_diff_names_added_removed_and_retyped_columns():
    previous = {"day": "DATE", "threads": "BIGINT", "email": "VARCHAR"}
    current = {"day": "DATE", "threads": "VARCHAR", "sim_future_metric": "BIGINT"}
    outcome = schema_diff("raw/usage_users", previous, current)
    assert not outcome.passed
    assert "added sim_future_metric" in outcome.summary
    assert "removed email" in outcome.summary
    assert "retyped threads (BIGINT -> VARCHAR)" in outcome.summary
    assert outcome.measured["added"] == "sim_future_metric"
    assert outcome.measured["retyped"] == "threads BIGINT -> VARCHAR"
    assert {row["change"] for row in outcome.offending} == {
        "added",
        "removed",
        "retyped from BIGINT",
    }


def test_schema_diff_passes_on_the_same_or_a_first_schema():
    schema = {"day": "DATE", "threads": "BIGINT"}
    assert schema_diff("t", schema, dict(schema)).passed
    assert schema_diff("t", None, schema).passed
    assert schema_diff("t", None, None).passed
