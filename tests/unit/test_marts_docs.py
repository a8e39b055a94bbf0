"""docs/marts.md says what the tables are: its reference is generated from the specs and current."""

from __future__ import annotations

import re
from pathlib import Path

from codex_assets.defs.analytics.marts import DEFINITIONS, MARTS, STATE_TABLES
from codex_assets.defs.compliance.specs import MARTS as COMPLIANCE_MARTS
from codex_assets.defs.reconciliation.marts import MARTS as RECONCILIATION_MARTS
from codex_assets.docgen.marts import (
    DOCS_PATH,
    REPO_ROOT,
    SECTIONS,
    documented_marts,
    render_reference,
    splice,
)

USAGE_MARTS = {**MARTS, **RECONCILIATION_MARTS}


def test_the_generated_reference_is_current() -> None:
    document = DOCS_PATH.read_text()
    assert splice(document, render_reference()) == document, (
        "docs/marts.md is stale: run `python -m codex_assets.docgen.marts`"
    )


def test_every_definition_and_column_is_documented() -> None:
    document = DOCS_PATH.read_text()
    for text in DEFINITIONS.values():
        assert text in document
    for spec in USAGE_MARTS.values():
        for column in spec.columns:
            assert column.description.strip(), f"{spec.name}.{column.name} has no description"
            assert f"| `{column.name}` |" in document
    for table in STATE_TABLES.values():
        assert f"`{table.qualified_name}`" in document
    for compliance in COMPLIANCE_MARTS.values():
        assert f"### `{compliance.qualified_name}`" in document
        for column in compliance.columns:
            assert column.description in document, (compliance.name, column.name)


def test_every_mart_of_every_slice_is_documented_once() -> None:
    names = [spec.qualified_name for spec in documented_marts()]
    assert len(names) == len(set(names))
    assert set(names) == {
        spec.qualified_name for spec in (*USAGE_MARTS.values(), *COMPLIANCE_MARTS.values())
    }


def test_each_mart_names_where_its_spec_sql_asset_and_tests_are() -> None:
    """The reference sends a newcomer to real files: the spec module (beside the SQL, for the
    marts with a module each), the SQL, the assets module and the tests."""
    for section in SECTIONS:
        assert (REPO_ROOT / section.assets_module).is_file(), section.title
        for spec in section.marts:
            spec_file = REPO_ROOT / section.spec_path(spec)
            assert spec_file.is_file(), spec.qualified_name
            assert spec.qualified_name in spec_file.read_text(), spec.qualified_name
            assert (REPO_ROOT / "codex_assets" / str(spec.sql_file)).is_file()
            assert spec.tests, f"{spec.qualified_name} names no test"
            for test in spec.tests:
                assert Path(REPO_ROOT / test).is_file(), (spec.qualified_name, test)


def test_the_overview_table_lists_every_mart() -> None:
    overview = DOCS_PATH.read_text().split("## Python API")[0]
    listed = re.findall(r"^\| `marts\.(\w+)` \|", overview, flags=re.MULTILINE)
    assert listed == list(USAGE_MARTS)


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
    assert set(required) == set(USAGE_MARTS)
    for name, columns in required.items():
        have = {column.name for column in USAGE_MARTS[name].columns}
        assert set(columns.split()) <= have, (name, set(columns.split()) - have)
