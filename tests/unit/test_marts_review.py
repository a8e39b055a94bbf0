"""marts.review_impact_daily and marts.usage_reconciliation_daily, against hand-worked answers.

Raw rows from `load_main_dataset` (test_marts_rawdata.py): Code Review rows on Mar 1-3 only,
workspace rows on every day, with a deliberate mismatch on Mar 5 and Mar 6.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from test_marts_rawdata import (
    D1,
    D2,
    D3,
    D4,
    D5,
    D6,
    RawData,
    load_main_dataset,
    raw_warehouse,
    rows,
)

from codex_assets.defs.analytics.marts import MartSettings, refresh_mart
from codex_assets.defs.compliance.marts import refresh_activity
from codex_assets.defs.compliance.specs import EVENTS_SPEC
from codex_assets.defs.reconciliation.usage_reconciliation_daily import (
    SPEC as RECONCILIATION,
)
from codex_assets.defs.reconciliation.usage_reconciliation_daily import fill_compliance_columns

approx = pytest.approx


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[RawData]:
    with raw_warehouse(tmp_path) as data:
        yield data


def _review(raw: RawData) -> dict:
    return {r.pop("day"): r for r in rows(raw.conn, "SELECT * FROM marts.review_impact_daily")}


def test_review_impact_counts_and_ratios(raw: RawData) -> None:
    load_main_dataset(raw)
    written = refresh_mart(raw.conn, "review_impact_daily", D1, D6, MartSettings())
    assert written == 6  # one row per day, days without reviews included
    got = _review(raw)
    assert got[D1] == {
        "pull_request_reviews": 4, "comments": 10, "p0": 1, "p1": 4, "p2": 5,
        "comments_per_review": 2.5,  # 10 / 4
        "merged_pull_request_reviews": 2, "merged_comments": 5, "replies": 3, "reactions": 6,
        "engaged_comments": 4, "reacted_comments": 3, "replied_comments": 2,
        "upvoted_comments": 2, "downvoted_comments": 1, "reacted_other_comments": 1,
        "engagement_rate": 0.8,  # 4 engaged / 5 merged comments
        "upvotes": 4, "downvotes": 1, "other_reactions": 1,
        "net_sentiment": 0.6,  # (4 - 1) / (4 + 1)
    }  # fmt: skip
    # Mar 3: 3 comments over 2 reviews; 1 of 2 merged comments engaged; 0 up, 2 down.
    assert (
        got[D3]["comments_per_review"],
        got[D3]["engagement_rate"],
        got[D3]["net_sentiment"],
    ) == (1.5, 0.5, -1.0)


def test_review_impact_zero_denominators_are_null(raw: RawData) -> None:
    load_main_dataset(raw)
    refresh_mart(raw.conn, "review_impact_daily", D1, D6, MartSettings())
    got = _review(raw)
    # Mar 2: 0 reviews, 1 merged PR with 0 comments, no reactions: every ratio NULL.
    assert got[D2]["pull_request_reviews"] == 0
    assert got[D2]["merged_pull_request_reviews"] == 1
    assert (
        got[D2]["comments_per_review"],
        got[D2]["engagement_rate"],
        got[D2]["net_sentiment"],
    ) == (None, None, None)
    # Mar 4-6: no raw rows at all: counts 0, ratios NULL.
    for day in (D4, D5, D6):
        ratios = {"comments_per_review", "engagement_rate", "net_sentiment"}
        assert {k: v for k, v in got[day].items() if k not in ratios} == dict.fromkeys(
            got[day].keys() - ratios, 0
        )
        assert {got[day][k] for k in ratios} == {None}


def _reconciliation(raw: RawData) -> dict:
    return {
        r.pop("day"): r for r in rows(raw.conn, "SELECT * FROM marts.usage_reconciliation_daily")
    }


def test_reconciliation_per_day(raw: RawData) -> None:
    load_main_dataset(raw)
    written = refresh_mart(raw.conn, RECONCILIATION, D1, D6, MartSettings())
    assert written == 6
    got = _reconciliation(raw)
    # Mar 1: users 5 threads, 13 turns, 7.5 credits; workspace 5, 13, 7.505: within 0.01.
    assert got[D1] == {
        "user_rows": 3, "workspace_rows": 1,
        "user_threads": 5, "workspace_threads": 5, "threads_delta": 0,
        "user_turns": 13, "workspace_turns": 13, "turns_delta": 0,
        "user_credits": 7.5, "workspace_credits": 7.505, "credits_delta": approx(-0.005),
        "matches": True, "compliance_responses": None, "compliance_responses_per_turn": None,
    }  # fmt: skip
    # Mar 4: no per-user rows, a workspace row of zeros: 0 = 0.
    assert (got[D4]["user_rows"], got[D4]["workspace_rows"], got[D4]["matches"]) == (0, 1, True)
    # Mar 5: users 1 + 1 = 2 threads, workspace 3.
    assert (got[D5]["threads_delta"], got[D5]["turns_delta"], got[D5]["matches"]) == (-1, 0, False)
    # Mar 6: users 1.0 + 1.0 = 2.0 credits, workspace 2.02: off by more than 0.01.
    assert got[D6]["credits_delta"] == approx(-0.02)
    assert got[D6]["matches"] is False
    assert [day for day, r in sorted(got.items()) if r["matches"]] == [D1, D2, D3, D4]


def test_reconciliation_flags_a_missing_workspace_row(raw: RawData) -> None:
    load_main_dataset(raw)
    raw.conn.execute("DELETE FROM raw.usage_workspace WHERE day = ?", [D2])
    refresh_mart(raw.conn, RECONCILIATION, D2, D2, MartSettings())
    got = _reconciliation(raw)[D2]
    # Users 4 threads, 6 turns, 3.2 credits against nothing.
    assert (got["workspace_rows"], got["threads_delta"], got["turns_delta"]) == (0, 4, 6)
    assert got["credits_delta"] == approx(3.2)
    assert got["matches"] is False


def _activity(raw: RawData, day, responses_by_user: dict[str, int]) -> None:
    """Compliance activity rows as the compliance mart would write them (only what matters)."""
    for user, responses in responses_by_user.items():
        raw.conn.execute(
            "INSERT INTO marts.compliance_activity_daily BY NAME "
            "SELECT $day::DATE AS day, $user AS user_id, 1 AS sessions, $n AS prompts, "
            "$n AS responses, 0 AS tool_calls, 0 AS input_tokens, 0 AS cached_input_tokens, "
            "0 AS output_tokens, 0 AS reasoning_output_tokens",
            {"day": day, "user": user, "n": responses},
        )


def test_reconciliation_compares_compliance_responses_with_turns_whichever_lands_first(
    raw: RawData,
) -> None:
    load_main_dataset(raw)
    # The compliance log is loaded first for Mar 1: 10 + 3 responses against 13 user turns.
    refresh_mart(raw.conn, RECONCILIATION, D1, D1, MartSettings())  # the tables
    _activity(raw, D1, {"c-1": 10, "c-2": 3})
    refresh_mart(raw.conn, RECONCILIATION, D1, D6, MartSettings())
    got = _reconciliation(raw)
    assert (got[D1]["compliance_responses"], got[D1]["compliance_responses_per_turn"]) == (13, 1.0)
    # Days without compliance activity stay NULL: not loaded is not zero.
    assert {got[day]["compliance_responses"] for day in (D2, D3, D4, D5, D6)} == {None}
    # Then the compliance log of Mar 2 lands after the reconciliation was built: 3 responses
    # against Mar 2's 6 user turns.
    _activity(raw, D2, {"c-1": 3})
    fill_compliance_columns(raw.conn, D2, D2)
    got = _reconciliation(raw)
    assert (got[D2]["compliance_responses"], got[D2]["compliance_responses_per_turn"]) == (3, 0.5)
    # Mar 4 has no user turns: the ratio's denominator is zero, so it is NULL.
    _activity(raw, D4, {"c-1": 2})
    fill_compliance_columns(raw.conn, D4, D4)
    got = _reconciliation(raw)[D4]
    assert (got["compliance_responses"], got["compliance_responses_per_turn"]) == (2, None)


def test_a_compliance_refresh_fills_the_reconciliation_it_does_not_know_of(raw: RawData) -> None:
    """The compliance slice imports nothing of the reconciliation: the reconciliation follows
    the activity mart's refresh (lib.refresh.follow), in the same transaction."""
    load_main_dataset(raw)
    refresh_mart(raw.conn, RECONCILIATION, D1, D6, MartSettings())
    EVENTS_SPEC.ensure(raw.conn)
    for n, user in enumerate(("user-1", "user-1", "user-2")):  # 3 responses on Mar 2
        raw.conn.execute(
            f"INSERT INTO {EVENTS_SPEC.qualified_name} (day, event_id, timestamp, event_type, "
            "user_id, session_id) VALUES ($day, $id, $at, 'PROMPT_RESPONSE_RECEIVED', $user, 's')",
            {"day": D2, "id": f"e{n}", "at": datetime(2026, 3, 2, 9, n), "user": user},
        )
    assert refresh_activity(raw.conn, [D2]) == 2  # user-1, user-2
    got = _reconciliation(raw)
    # Mar 2: 3 responses against the 6 user turns.
    assert (got[D2]["compliance_responses"], got[D2]["compliance_responses_per_turn"]) == (3, 0.5)
    assert {got[day]["compliance_responses"] for day in (D1, D3, D4, D5, D6)} == {None}
