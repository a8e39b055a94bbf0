"""Validity checks: counts, keys, days and the schema of each raw asset.

One multi-check per raw analytics asset (the run's partitions are read once):

- `no_negative_counts` (ERROR, blocking): no count, credit, cost or token below zero, in the
  totals or any client/model entry.
- `no_duplicate_keys` (WARN): one row per key at the table's grain (raw.usage_users: day +
  user_id; the workspace and Code Review tables: day), and no missing key. It warns: the
  contract promises neither (reference/codex-api.md: "Upsert on (start_time, user_id)" is
  marked an inference, and `user_id` is optional), and the marts sum every row served.
- `rows_match_partition_day` (ERROR, blocking): each row's start_time is 00:00 UTC of its
  partition day and end_time a day later.
- `column_schema_unchanged` (WARN): the columns and types of the latest materialization equal
  those of the previous run's, naming what was added, removed or retyped; and every field the
  API sent in `record` over the checked days is read by the table's typed SQL (or declared
  untyped there), naming the others (`codex_assets/lib/checks/record_fields.py`).

Why not `build_column_schema_change_checks`: it compares the two newest materialization
records, and a 90-day single-run backfill writes 90 records with the same schema, so a change
made by a backfill would never be seen. This check compares with the newest record of an
earlier run.
"""

from collections.abc import Callable, Iterator, Mapping

import dagster as dg

from codex_assets.defs.checks.support import (
    ANALYTICS_TARGETS,
    CheckTarget,
    check_days,
    selected_names,
    to_result,
)
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.checks import CheckOutcome, validity
from codex_assets.lib.checks.record_fields import unread_fields
from codex_assets.lib.checks.tables import CheckedTable
from codex_assets.lib.checks.window import LakeWindow, open_window
from codex_assets.lib.lake import Lake

NO_NEGATIVE_COUNTS = "no_negative_counts"
NO_DUPLICATE_KEYS = "no_duplicate_keys"
ROWS_MATCH_PARTITION_DAY = "rows_match_partition_day"
COLUMN_SCHEMA_UNCHANGED = "column_schema_unchanged"

MAX_RECORD_PAGES = 50
"""How far back (pages of 100 materializations) to look for an earlier run's schema."""


def materialized_schemas(
    instance: dg.DagsterInstance, key: dg.AssetKey
) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """(latest, previous run's) `dagster/column_schema` of `key` as column -> type, or None."""
    latest = instance.fetch_materializations(key, limit=1).records
    if not latest:
        return None, None
    current = _schema(latest[0])
    cursor = None
    for _ in range(MAX_RECORD_PAGES):
        page = instance.fetch_materializations(key, limit=100, cursor=cursor)
        for record in page.records:
            if record.run_id != latest[0].run_id:
                return current, _schema(record)
        if not page.has_more:
            break
        cursor = page.cursor
    return current, None


def _schema(record: dg.EventLogRecord) -> dict[str, str] | None:
    materialization = record.asset_materialization
    value = materialization.metadata.get("dagster/column_schema") if materialization else None
    if not isinstance(value, dg.TableSchemaMetadataValue):
        return None
    return {column.name: column.type for column in value.schema.columns}


def column_schema_spec(key: dg.AssetKey) -> dg.AssetCheckSpec:
    """`column_schema_unchanged` on `key` (WARN)."""
    return dg.AssetCheckSpec(
        COLUMN_SCHEMA_UNCHANGED,
        asset=key,
        blocking=False,
        description=(
            "The columns and types equal those of the previous run's materialization, and "
            "every field the API sent (in `record`, over the checked days) is read by a "
            "column or declared untyped beside the SQL; names the added, removed and retyped "
            "columns and the fields no column reads. Warns."
        ),
    )


RowCheck = Callable[[LakeWindow, CheckedTable], CheckOutcome]


def validity_outcomes(
    context: dg.AssetCheckExecutionContext,
    lake: Lake,
    target: CheckTarget,
    table: CheckedTable,
    row_checks: Mapping[str, RowCheck],
) -> Iterator[tuple[str, CheckOutcome]]:
    """(check name, outcome) of the selected row checks, over the days being checked (one
    window for all), then of `column_schema_unchanged` when selected (its fields part reads
    the same days' `record`)."""
    selected = selected_names(context)
    if not selected & {*row_checks, COLUMN_SCHEMA_UNCHANGED}:
        return
    days = check_days(context, lake, target)
    if selected & set(row_checks):
        with open_window(lake, [target.lake_table], days) as window:
            for name, check in row_checks.items():
                if name in selected:
                    yield name, check(window, table)
    if COLUMN_SCHEMA_UNCHANGED in selected:
        current, previous = materialized_schemas(context.instance, target.key)
        drift = unread_fields(lake, target.lake_table, table.typed_from, days)
        yield (
            COLUMN_SCHEMA_UNCHANGED,
            validity.schema_diff(target.key.to_user_string(), previous, current, drift),
        )


def build_validity_checks(target: CheckTarget) -> dg.AssetChecksDefinition:
    """The validity checks of one raw asset with row-level rules (`target.table`)."""
    table = target.table
    assert table is not None, f"{target.key.to_user_string()} has no row-level rules"
    specs = [
        dg.AssetCheckSpec(
            NO_NEGATIVE_COUNTS,
            asset=target.key,
            blocking=True,
            description=(
                "No count, credit, cost or token value below zero, in the totals or any "
                "breakdown entry (NULL means unavailable). Blocking: sums would be wrong."
            ),
        ),
        dg.AssetCheckSpec(
            NO_DUPLICATE_KEYS,
            asset=target.key,
            blocking=False,
            description=(
                f"One row per {table.grain_text} and no missing key. Warns: the marts sum "
                "every row served, but the contract promises neither (one row per user and "
                "day is an inference, and user_id is optional)."
            ),
        ),
        dg.AssetCheckSpec(
            ROWS_MATCH_PARTITION_DAY,
            asset=target.key,
            blocking=True,
            description=(
                "Every row's start_time is 00:00 UTC of its partition day and end_time one day "
                "later. Blocking: the marts would count the row on the wrong day."
            ),
        ),
        column_schema_spec(target.key),
    ]
    blocking = {spec.name: spec.blocking for spec in specs}
    row_checks = {
        NO_NEGATIVE_COUNTS: validity.negative_counts,
        NO_DUPLICATE_KEYS: validity.duplicate_keys,
        ROWS_MATCH_PARTITION_DAY: validity.rows_outside_partition,
    }

    @dg.multi_asset_check(
        name=f"{target.slug}_validity_checks",
        specs=specs,
        can_subset=True,
        description=f"Validity of {target.key.to_user_string()}.",
    )
    def run_checks(context: dg.AssetCheckExecutionContext, codex: CodexResource):
        for name, outcome in validity_outcomes(context, codex.lake(), target, table, row_checks):
            yield to_result(outcome, asset_key=target.key, check_name=name, blocking=blocking[name])

    return run_checks


validity_checks = [build_validity_checks(target) for target in ANALYTICS_TARGETS]
