"""Every analytics row describes its partition's day: `start_time` is 00:00 UTC of the day and
`end_time` one day later (the API's daily buckets)."""

from __future__ import annotations

from codex_assets.lib.checks.outcome import CheckOutcome, backfill_commands, format_days, plural
from codex_assets.lib.checks.tables import CheckedTable
from codex_assets.lib.checks.validity import row_rule
from codex_assets.lib.checks.window import LakeWindow

ROWS_OUTSIDE_PARTITION_SQL = "defs/analytics/checks/rows_outside_partition.sql"


def rows_outside_partition(window: LakeWindow, table: CheckedTable) -> CheckOutcome:
    """Every row's `start_time` is 00:00 UTC of its partition day and `end_time` a day later."""
    return row_rule(
        window,
        table,
        threshold="0 rows whose start_time is not 00:00 UTC of the partition day (end_time +1 day)",
        sql=(ROWS_OUTSIDE_PARTITION_SQL, {"table": table.name, "row_label": table.row_label}),
        passed=lambda _: f"{table.name}: every row belongs to its partition's day.",
        failed=lambda found: (
            f"{table.name}: {plural(found.total, 'row')} not describing the partition's day, in the "
            f"partitions {format_days(found.days)}. The marts would count them on the wrong day. "
            "The API may have answered with other buckets (weeks?) or another window; reload "
            f"the days ({'; '.join(backfill_commands(found.days))}) and check the client's query."
        ),
    )
