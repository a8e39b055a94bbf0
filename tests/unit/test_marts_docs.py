"""docs/marts.md says what the tables are: its reference is generated from the specs and current."""

from __future__ import annotations

import re

from codex_assets.defs.analytics.marts import DEFINITIONS, MARTS, STATE_TABLES
from codex_assets.defs.analytics.marts.docs import (
    COMPLIANCE_MARTS,
    DOCS_PATH,
    render_reference,
    splice,
)


def test_the_generated_reference_is_current() -> None:
    document = DOCS_PATH.read_text()
    assert splice(document, render_reference()) == document, (
        "docs/marts.md is stale: run `python -m codex_assets.defs.analytics.marts.docs`"
    )


def test_every_definition_and_column_is_documented() -> None:
    document = DOCS_PATH.read_text()
    for text in DEFINITIONS.values():
        assert text in document
    for spec in MARTS.values():
        for column in spec.columns:
            assert column.description.strip(), f"{spec.name}.{column.name} has no description"
            assert f"| `{column.name}` |" in document
    for table in STATE_TABLES.values():
        assert f"`{table.qualified_name}`" in document
    for compliance in COMPLIANCE_MARTS:
        assert f"### `{compliance.qualified_name}`" in document
        for column in compliance.columns:
            assert column.description in document, (compliance.name, column.name)


def test_the_overview_table_lists_every_mart() -> None:
    overview = DOCS_PATH.read_text().split("## Python API")[0]
    listed = re.findall(r"^\| `marts\.(\w+)` \|", overview, flags=re.MULTILINE)
    assert listed == list(MARTS)


def test_every_mart_has_the_columns_the_design_requires() -> None:
    """The minimum columns each mart promises (the columns docs/marts.md lists under "Tables")."""
    required = {
        "usage_user_daily": "day user_id email team surface threads turns credits cost_usd "
        "uncached_input_tokens cached_input_tokens output_tokens total_tokens",
        "adoption_daily": "day surface active_users new_users wau mau stickiness threads turns "
        "credits",
        "user_activity": "user_id email team first_active_day last_active_day active_days_7d "
        "active_days_28d current_streak_days longest_streak_days threads_28d turns_28d "
        "credits_28d cohort",
        "spend_by_surface_daily": "day surface credits cost_usd active_users "
        "cost_per_active_user uncached_input_tokens cached_input_tokens output_tokens "
        "total_tokens",
        "spend_by_model_daily": "day model speed credits cost_usd uncached_input_tokens "
        "cached_input_tokens output_tokens total_tokens",
        "spend_by_team_monthly": "month team credits cost_usd active_users",
        "review_impact_daily": "day pull_request_reviews comments p0 p1 p2 comments_per_review "
        "merged_pull_request_reviews merged_comments replies reactions engaged_comments "
        "engagement_rate upvotes downvotes other_reactions net_sentiment",
        "usage_reconciliation_daily": "day user_threads workspace_threads threads_delta "
        "user_turns workspace_turns turns_delta user_credits workspace_credits credits_delta "
        "matches compliance_responses compliance_responses_per_turn",
    }
    assert set(required) == set(MARTS)
    for name, columns in required.items():
        have = {column.name for column in MARTS[name].columns}
        assert set(columns.split()) <= have, (name, set(columns.split()) - have)
