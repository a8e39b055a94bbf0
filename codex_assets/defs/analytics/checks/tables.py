"""The analytics raw tables as the checks see them: how their partitions read, their grain,
their counts and the SQL that types their `record`."""

from __future__ import annotations

import duckdb

from codex_assets.defs.analytics.schema import conformed_select
from codex_assets.defs.analytics.tables import RAW_TABLE_SPECS
from codex_assets.lib.checks.record_fields import RecordSource
from codex_assets.lib.checks.tables import CheckedTable
from codex_assets.lib.checks.window import partition_day_sql


def analytics_partitions(conn: duckdb.DuckDBPyConnection, table: str, paths: str) -> str:
    """`raw.<table>` over the Parquet files `paths`, conformed to this version's columns as the
    warehouse's raw view is (older partitions gain the new columns as NULL)."""
    files = conformed_select(
        conn, table, f"read_parquet({paths}, union_by_name = true, filename = true)"
    )
    return (
        f"SELECT * EXCLUDE (filename), {partition_day_sql('filename')} AS partition_day "
        f"FROM ({files})"
    )


def _checked(
    table: str,
    row_label: str,
    count_columns: tuple[str, ...] = (),
    negative_counts_sql: str | None = None,
) -> CheckedTable:
    """`raw.<table>` as its spec describes it; the landing SQL types the API's row, read as
    `json`."""
    spec = RAW_TABLE_SPECS[table]
    assert spec.landed_by is not None, f"{table} is a lake table"
    return CheckedTable(
        spec=spec,
        select=analytics_partitions,
        record_source=RecordSource(spec.landed_by, "json"),
        row_label=row_label,
        count_columns=count_columns,
        negative_counts_sql=negative_counts_sql,
    )


USAGE_NEGATIVE_COUNTS_SQL = "defs/analytics/checks/negative_counts_usage.sql"
"""The usage tables' counts: the totals and every client and model entry."""

USAGE_USERS = _checked(
    "usage_users", row_label="user_id", negative_counts_sql=USAGE_NEGATIVE_COUNTS_SQL
)
USAGE_WORKSPACE = _checked(
    "usage_workspace", row_label="'workspace'", negative_counts_sql=USAGE_NEGATIVE_COUNTS_SQL
)
CODE_REVIEWS = _checked(
    "code_reviews",
    row_label="'code_reviews'",
    count_columns=("pull_request_reviews", "comments", "p0", "p1", "p2"),
)
CODE_REVIEW_RESPONSES = _checked(
    "code_review_responses",
    row_label="'code_review_responses'",
    count_columns=(
        "pull_request_reviews",
        "comments",
        "replies",
        "reactions",
        "engaged",
        "reacted",
        "upvoted",
        "downvoted",
        "reacted_other",
        "replied",
        "upvotes",
        "downvotes",
        "other_reactions",
    ),
)

ANALYTICS_CHECKED_TABLES: dict[str, CheckedTable] = {
    table.name: table
    for table in (USAGE_USERS, USAGE_WORKSPACE, CODE_REVIEWS, CODE_REVIEW_RESPONSES)
}
