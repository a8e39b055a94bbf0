"""Reconciliation checks on real lake partitions: clean days agree, tampered ones fail for the reason."""

from __future__ import annotations

import copy
import shutil
from datetime import date, timedelta

import pytest

from codex_assets.defs.analytics.checks.reconciliation import (
    CREDITS_TOLERANCE_CENTS,
    clients_sum_to_totals,
    engagement_within_comments,
    models_sum_to_credits,
    priorities_sum_to_comments,
    users_sum_to_workspace,
)
from codex_assets.defs.analytics.checks.tables import (
    ANALYTICS_CHECKED_TABLES,
    USAGE_USERS,
    USAGE_WORKSPACE,
)
from codex_assets.defs.analytics.landing import write_partition
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.lib.checks.window import open_window
from codex_assets.lib.lake import Lake
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import SimulatorConfig

SIM = Simulator(SimulatorConfig(seed=11, users=30))
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
    return Lake(shutil.copytree(clean_lake.root, tmp_path / "lake"))


def tamper(lake: Lake, table: str, change, day: date = TAMPERED) -> None:
    rows = served(table, day)
    rows = change(rows) or rows
    write_partition(lake, table, day, rows, metadata=FOOTER)


def window(lake: Lake, days=DAYS):
    return open_window(lake, [ANALYTICS_CHECKED_TABLES[name] for name in ENDPOINTS], days)


def test_clean_data_reconciles(lake):
    with window(lake) as w:
        outcomes = [
            users_sum_to_workspace(w),
            clients_sum_to_totals(w, USAGE_USERS),
            clients_sum_to_totals(w, USAGE_WORKSPACE),
            models_sum_to_credits(w, USAGE_USERS),
            models_sum_to_credits(w, USAGE_WORKSPACE),
            priorities_sum_to_comments(w),
            engagement_within_comments(w),
        ]
    for outcome in outcomes:
        assert outcome.passed, outcome.summary
    assert outcomes[0].measured["days_compared"] == 3


def test_a_changed_user_row_breaks_the_workspace_sums(lake):
    def change(rows):
        rows[0]["totals"]["threads"] += 2
        rows[0]["totals"]["credits"] += 0.37

    tamper(lake, "usage_users", change)
    with window(lake) as w:
        outcome = users_sum_to_workspace(w)
    assert not outcome.passed
    (row,) = outcome.offending
    assert row["day"] == TAMPERED
    assert (row["threads_delta"], row["turns_delta"], row["credits_delta_cents"]) == (2, 0, 37)
    assert "2026-05-05" in outcome.summary
    assert "uv run codex-assets backfill --start 2026-05-05 --end 2026-05-05" in outcome.summary


def test_a_lost_user_row_breaks_the_workspace_sums(lake):
    tamper(lake, "usage_users", lambda rows: rows[1:])
    with window(lake) as w:
        outcome = users_sum_to_workspace(w)
    assert not outcome.passed
    assert outcome.offending[0]["user_rows"] == len(served("usage_users", TAMPERED)) - 1


def test_credits_are_compared_in_cents_within_one_cent(lake):
    def change_by(cents):
        def change(rows):
            rows[0]["totals"]["credits"] = round(rows[0]["totals"]["credits"] + cents / 100, 2)

        return change

    tamper(lake, "usage_users", change_by(CREDITS_TOLERANCE_CENTS))
    with window(lake) as w:
        assert users_sum_to_workspace(w).passed
    tamper(lake, "usage_users", change_by(CREDITS_TOLERANCE_CENTS + 1))
    with window(lake) as w:
        assert not users_sum_to_workspace(w).passed


def test_a_day_with_only_one_side_landed_is_not_compared(lake):
    lake.partition_file("usage_workspace", TAMPERED).unlink()
    with window(lake) as w:
        outcome = users_sum_to_workspace(w)
    assert outcome.passed
    assert outcome.measured["days_compared"] == 2
    assert outcome.measured["days_not_compared_list"] == "2026-05-05"


def test_an_empty_workspace_partition_on_a_day_with_usage_fails(lake):
    tamper(lake, "usage_workspace", lambda rows: rows.clear())
    with window(lake) as w:
        outcome = users_sum_to_workspace(w)
    assert not outcome.passed
    assert outcome.offending[0]["workspace_rows"] == 0


def test_a_client_breakdown_that_does_not_add_up_warns(lake):
    def change(rows):
        rows[0]["clients"][0]["turns"] += 5

    tamper(lake, "usage_workspace", change)
    with window(lake) as w:
        outcome = clients_sum_to_totals(w, USAGE_WORKSPACE)
    assert not outcome.passed
    assert outcome.offending[0]["turns_delta"] == 5
    assert "The API allows this" in outcome.summary


def test_a_model_breakdown_that_does_not_add_up_warns_and_missing_ones_are_skipped(lake):
    def change(rows):
        rows[0]["models"][0]["credits"] += 1.0
        rows[1]["models"] = None  # the contract allows no breakdown

    tamper(lake, "usage_users", change)
    with window(lake) as w:
        outcome = models_sum_to_credits(w, USAGE_USERS)
    assert not outcome.passed
    assert outcome.offending_total == 1
    assert outcome.offending[0]["credits_delta_cents"] == 100


def test_priorities_that_do_not_add_up_to_comments_fail(lake):
    def change(rows):
        rows[0]["comment_details"]["p1"] += 1

    tamper(lake, "code_reviews", change)
    with window(lake) as w:
        outcome = priorities_sum_to_comments(w)
    assert not outcome.passed
    (row,) = outcome.offending
    assert row["priority_sum"] == row["comments"] + 1


@pytest.mark.parametrize("field", ["engaged", "reacted", "replied"])
def test_more_engaged_comments_than_comments_fail(lake, field):
    def change(rows):
        rows[0]["comment_response_details"][field] = rows[0]["comments"] + 1

    tamper(lake, "code_review_responses", change)
    with window(lake) as w:
        outcome = engagement_within_comments(w)
    assert not outcome.passed
    assert outcome.offending_days == [TAMPERED]
    assert outcome.offending[0][field] == outcome.offending[0]["comments"] + 1
