"""The raw tables' specs name what their SQL yields: a spec's grain that drifted from the
landing SQL or a view's SELECT would make `no_duplicate_keys` and the docs check the wrong
columns."""

from __future__ import annotations

import duckdb
import pytest

from codex_assets.defs.analytics.schema import landing_columns
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.compliance.specs import CODEX_LOG_SPEC
from codex_assets.lib.sql import read_sql


@pytest.mark.parametrize("table", ANALYTICS_RAW_TABLES, ids=lambda table: table.name)
def test_each_raw_table_and_breakdown_view_has_its_grain_among_its_columns(table) -> None:
    landed = [name for name, _ in landing_columns(table.name)]
    assert table.spec.landed_by == f"defs/analytics/land_{table.name}.sql"
    assert set(table.spec.grain) <= set(landed), (table.spec.grain, landed)
    with duckdb.connect() as conn:
        conn.execute("CREATE SCHEMA raw")
        typed = ", ".join(f'NULL::{kind} AS "{name}"' for name, kind in landing_columns(table.name))
        conn.execute(f"CREATE TABLE {table.spec.qualified_name} AS SELECT {typed}")
        for view in table.breakdown_views:
            assert view.upstream == (table.spec.qualified_name,)
            described = conn.execute(f"DESCRIBE {read_sql(view.sql_file)}").fetchall()
            columns = {row[0] for row in described}
            assert set(view.grain) <= columns, (view.qualified_name, view.grain, columns)


def test_the_raw_specs_are_the_one_description_of_each_lake_table() -> None:
    names = [table.spec.qualified_name for table in ANALYTICS_RAW_TABLES]
    views = [
        view.qualified_name for table in ANALYTICS_RAW_TABLES for view in table.breakdown_views
    ]
    assert names == [
        "raw.usage_users",
        "raw.usage_workspace",
        "raw.code_reviews",
        "raw.code_review_responses",
    ]
    assert len(set(views)) == 4 and all(view.startswith("raw.") for view in views)
    assert CODEX_LOG_SPEC.landed_by is not None
    assert "SELECT" in read_sql(CODEX_LOG_SPEC.landed_by)
