"""What the checks need to know about each raw table: its grain and where its counts are.

Kept apart from `raw_tables.py` (which says where data comes from) because this is what the
data must satisfy once landed. A table a later module adds (compliance, say) gets checked by
adding a `CheckedTable` here or by building one in its own module and passing it to the same
check functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from codex_assets.lib.checks.record_fields import RecordSource
from codex_assets.lib.checks.sla import ANALYTICS_SLA, COMPLIANCE_SLA, Sla


@dataclass(frozen=True)
class CheckedTable:
    """A lake table as the checks see it (`raw.<name>` over its partition files).

    grain: the columns that identify a row (besides `day`, always the partition day).
    row_label: a SQL expression naming a row in check output (`user_id`, or a constant for
      one-row-per-day tables).
    negative_counts_sql: `lib/checks/negative_counts/<file>`: rows whose counts go below zero.
    breakdowns: whether the rows carry `clients` / `models` lists that should sum to `totals`.
    record_source: the SQL that types the verbatim `record` (by default `defs/analytics/land_<name>.sql`,
      reading the API's row as `json`): the fields it reads are the known ones.
    """

    name: str
    grain: tuple[str, ...]
    row_label: str
    negative_counts_sql: str
    sla: Sla = ANALYTICS_SLA
    breakdowns: bool = False
    record_source: RecordSource | None = None

    @property
    def typed_from(self) -> RecordSource:
        return self.record_source or RecordSource(f"defs/analytics/land_{self.name}.sql", "json")

    @property
    def key_columns(self) -> tuple[str, ...]:
        return ("day", *self.grain)

    @property
    def grain_text(self) -> str:
        return "(" + ", ".join(self.key_columns) + ")"


USAGE_USERS = CheckedTable(
    name="usage_users",
    grain=("user_id",),
    row_label="user_id",
    negative_counts_sql="usage.sql",
    breakdowns=True,
)
USAGE_WORKSPACE = CheckedTable(
    name="usage_workspace",
    grain=(),
    row_label="'workspace'",
    negative_counts_sql="usage.sql",
    breakdowns=True,
)
CODE_REVIEWS = CheckedTable(
    name="code_reviews",
    grain=(),
    row_label="'code_reviews'",
    negative_counts_sql="code_reviews.sql",
)
CODE_REVIEW_RESPONSES = CheckedTable(
    name="code_review_responses",
    grain=(),
    row_label="'code_review_responses'",
    negative_counts_sql="code_review_responses.sql",
)

ANALYTICS_CHECKED_TABLES: dict[str, CheckedTable] = {
    table.name: table
    for table in (USAGE_USERS, USAGE_WORKSPACE, CODE_REVIEWS, CODE_REVIEW_RESPONSES)
}

COMPLIANCE_CODEX_LOG = CheckedTable(
    name="compliance_codex_log",
    grain=(),
    row_label="event_id",
    negative_counts_sql="compliance_codex_log.sql",
    sla=COMPLIANCE_SLA,
    record_source=RecordSource("defs/compliance/view_restricted_codex_log.sql", "record"),
)
"""The compliance log, for the row-level rules that apply to it (negative token counts, files
outside their day). It has no unique key by design: delivery is at-least-once, so the same
event may arrive on several lines; `restricted.compliance_events` deduplicates on event_id."""
