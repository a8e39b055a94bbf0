"""What each partition of each daily asset should report as `dagster/row_count`: that day's
rows in DuckDB (for the monthly mart, its month's), read straight from the warehouse so the
tests compare Dagster's record with the data, not with the pipeline's own counting."""

from __future__ import annotations

from datetime import date

import duckdb

from codex_assets.defs.analytics.marts import MARTS
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.compliance.specs import ACTIVITY_SPEC, AGENT_ACTIVITY_SPEC
from codex_assets.defs.reconciliation.marts import MARTS as RECONCILIATION_MARTS


def _tables() -> dict[str, tuple[str, str]]:
    """Each daily asset (as `raw/usage_users`): the table holding its rows, its period column."""
    tables = {f"raw/{t.name}": (f"raw.{t.name}", "day") for t in ANALYTICS_RAW_TABLES}
    tables["raw/compliance_codex_log"] = ("restricted.compliance_codex_log", "day")
    specs = [*MARTS.values(), *RECONCILIATION_MARTS.values(), ACTIVITY_SPEC, AGENT_ACTIVITY_SPEC]
    for spec in specs:
        if spec.partitioned:
            column = spec.partition_column or "day"
            tables[spec.qualified_name.replace(".", "/")] = (spec.qualified_name, column)
    for table in ("restricted.compliance_events", "restricted.secret_findings"):
        tables[table.replace(".", "/")] = (table, "day")
    tables["reports/compliance_export"] = ("restricted.compliance_events", "day")
    return tables


class PartitionRows:
    """Rows per day (or month) of every daily asset's table, read once."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.counts: dict[str, dict[date, int]] = {}
        self.monthly: set[str] = set()
        for key, (table, column) in _tables().items():
            bucket = f"date_trunc('month', {column})::DATE" if column == "month" else column
            rows = conn.execute(f"SELECT {bucket}, count(*) FROM {table} GROUP BY 1").fetchall()
            self.counts[key] = dict(rows)
            if column == "month":
                self.monthly.add(key)

    @property
    def keys(self) -> list[str]:
        return sorted(self.counts)

    def expected(self, key: str, partition: str) -> int:
        day = date.fromisoformat(partition)
        period = day.replace(day=1) if key in self.monthly else day
        return self.counts[key].get(period, 0)
