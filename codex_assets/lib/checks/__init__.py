"""Data checks as plain, Dagster-free functions: what "on time, whole and consistent" means.

Each check takes the lake (or an in-memory `LakeWindow` over some days of it) and returns a
`CheckOutcome`; `codex_assets/defs/checks/` turns outcomes into Dagster asset check results.
SQL lives in `codex_assets/lib/checks/`. See docs/checks.md for what each check means.
"""

from codex_assets.lib.checks.outcome import (
    OFFENDING_CAP,
    CheckOutcome,
    backfill_commands,
    day_ranges,
    find_offenders,
    format_days,
)
from codex_assets.lib.checks.sla import ANALYTICS_SLA, COMPLIANCE_SLA, Sla
from codex_assets.lib.checks.tables import ANALYTICS_CHECKED_TABLES, CheckedTable
from codex_assets.lib.checks.window import LakeWindow, open_window, read_footers

__all__ = [
    "ANALYTICS_CHECKED_TABLES",
    "ANALYTICS_SLA",
    "COMPLIANCE_SLA",
    "OFFENDING_CAP",
    "CheckOutcome",
    "CheckedTable",
    "LakeWindow",
    "Sla",
    "backfill_commands",
    "day_ranges",
    "find_offenders",
    "format_days",
    "open_window",
    "read_footers",
]
