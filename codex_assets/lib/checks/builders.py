"""The check groups every source builds the same way: paging, coverage and validity.

A source passes its `CheckTarget`, its specs and its rules; the group reads the lake through the
`codex` resource (`LakeSource`) and yields one `Evaluation` per selected check. `build_checks`
(`results.py`) makes a Dagster multi-asset check of the groups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Protocol

import dagster as dg

from codex_assets.lib.checks import completeness, validity
from codex_assets.lib.checks.outcome import CheckOutcome
from codex_assets.lib.checks.record_fields import unread_fields
from codex_assets.lib.checks.results import RESOURCE_KEY, CheckGroup, Evaluation
from codex_assets.lib.checks.specs import PAGING_COMPLETE, CheckSpec
from codex_assets.lib.checks.tables import CheckedTable
from codex_assets.lib.checks.targets import CheckTarget, check_days, utc_now
from codex_assets.lib.checks.window import LakeWindow, open_window, read_footers
from codex_assets.lib.lake import Lake

MAX_RECORD_PAGES = 50
"""How far back (pages of 100 materializations) to look for an earlier run's schema."""

RowCheck = Callable[[LakeWindow, CheckedTable], CheckOutcome]


class _Settings(Protocol):
    start_date: date


class LakeSource(Protocol):
    """What the shared groups ask of the `codex` resource (`CodexResource` is one)."""

    def lake(self) -> Lake: ...

    def settings(self) -> _Settings: ...


def source(context: dg.AssetCheckExecutionContext) -> LakeSource:
    return getattr(context.resources, RESOURCE_KEY)


def paging_group(target: CheckTarget) -> CheckGroup:
    """`paging_complete` on `target`: every day of the run was landed whole."""

    def evaluate(context: dg.AssetCheckExecutionContext, selected: set[str]):
        lake = source(context).lake()
        days = check_days(context, lake, target)
        footers = read_footers(lake, target.lake_table, days)
        oldest = target.sla.oldest_refillable_day(utc_now())
        outcome = completeness.paging_complete(target.lake_table, days, footers, oldest)
        yield Evaluation(PAGING_COMPLETE.name, outcome)

    return CheckGroup((PAGING_COMPLETE.asset_check_spec(target.key),), evaluate)


def coverage_group(
    target: CheckTarget, spec: CheckSpec, last_day: Callable[[datetime], date]
) -> CheckGroup:
    """`spec` (`last_<N>_days_loaded`) on `target`: no day the source can still refill is
    missing, up to `last_day(now)` (the newest day `codex-assets backfill` can load now)."""

    def evaluate(context: dg.AssetCheckExecutionContext, selected: set[str]):
        codex = source(context)
        lake = codex.lake()
        now = utc_now()
        outcome = completeness.coverage(
            target.lake_table,
            lake.landed_days(target.lake_table),
            target.sla,
            now,
            codex.settings().start_date,
            last_day=last_day(now),
        )
        yield Evaluation(spec.name, outcome)

    return CheckGroup((spec.asset_check_spec(target.key),), evaluate)


def validity_group(
    target: CheckTarget, row_checks: Sequence[tuple[CheckSpec, RowCheck]], schema: CheckSpec
) -> CheckGroup:
    """The row rules `row_checks` over the run's days (one window for all), then `schema`
    (`column_schema_unchanged`: the materialized schema, and the fields of `record` no column
    reads over the same days)."""
    rules = {spec.name: rule for spec, rule in row_checks}

    def evaluate(context: dg.AssetCheckExecutionContext, selected: set[str]):
        lake = source(context).lake()
        days = check_days(context, lake, target)
        if selected & set(rules):
            with open_window(lake, [target.table], days) as window:
                for name, rule in rules.items():
                    if name in selected:
                        yield Evaluation(name, rule(window, target.table))
        if schema.name in selected:
            yield Evaluation(schema.name, schema_outcome(context, lake, target, days))

    specs = (*(spec for spec, _ in row_checks), schema)
    return CheckGroup(tuple(spec.asset_check_spec(target.key) for spec in specs), evaluate)


def schema_outcome(
    context: dg.AssetCheckExecutionContext, lake: Lake, target: CheckTarget, days: list[date]
) -> CheckOutcome:
    current, previous = materialized_schemas(context.instance, target.key)
    drift = unread_fields(lake, target.lake_table, target.table.typed_from, days)
    return validity.schema_diff(target.key.to_user_string(), previous, current, drift)


def materialized_schemas(
    instance: dg.DagsterInstance, key: dg.AssetKey
) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """(latest, previous run's) `dagster/column_schema` of `key` as column -> type, or None.

    Why not `build_column_schema_change_checks`: it compares the two newest materialization
    records, and a 90-day single-run backfill writes 90 records with the same schema, so a
    change made by a backfill would never be seen. This compares with the newest record of an
    earlier run.
    """
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
