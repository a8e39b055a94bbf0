"""The compliance log as the checks see it: how its partitions read, and its token counts.

It has no unique key by design: delivery is at-least-once, so the same event may arrive on
several lines; `restricted.compliance_events` deduplicates on event_id.
"""

from __future__ import annotations

import duckdb

from codex_assets.defs.compliance.specs import CODEX_LOG_SPEC
from codex_assets.defs.compliance.warehouse import codex_log_lines_sql
from codex_assets.lib.checks.record_fields import RecordSource
from codex_assets.lib.checks.tables import CheckedTable
from codex_assets.lib.checks.window import partition_day_sql


def codex_log_partitions(conn: duckdb.DuckDBPyConnection, table: str, paths: str) -> str:
    """The log's lines in the Parquet files `paths` with the typed columns parsed from `record`,
    as the warehouse's restricted view parses them (the lake keeps only the verbatim line)."""
    lines = codex_log_lines_sql(paths)
    day = partition_day_sql("lake_file")
    return f"SELECT * EXCLUDE (lake_file, lake_row), {day} AS partition_day FROM ({lines})"


COMPLIANCE_CODEX_LOG = CheckedTable(
    spec=CODEX_LOG_SPEC,
    select=codex_log_partitions,
    record_source=RecordSource("defs/compliance/view_restricted_codex_log.sql", "record"),
    row_label="event_id",
    count_columns=(
        "input_tokens",
        "cached_input_tokens",
        "output_tokens",
        "reasoning_output_tokens",
    ),
)
