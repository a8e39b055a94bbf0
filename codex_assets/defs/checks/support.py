"""What the check modules share: the checked assets, the days a check looks at, the results.

No Dagster definitions live here (the defs loader imports this module and finds none); the
check modules beside it build them. A module that adds checks for another asset (compliance,
say) uses `CheckTarget`, `check_days` and `to_result` the same way.
"""

import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import dagster as dg

from codex_assets.defs.partitions import partition_days
from codex_assets.lib.checks import (
    ANALYTICS_CHECKED_TABLES,
    ANALYTICS_SLA,
    COMPLIANCE_SLA,
    CheckedTable,
    CheckOutcome,
    Sla,
    format_days,
)
from codex_assets.lib.lake import Lake

COMPLIANCE_KEY = dg.AssetKey(["raw", "compliance_codex_log"])
COMPLIANCE_MODULE = "codex_assets.defs.compliance.raw_assets"


@dataclass(frozen=True)
class CheckTarget:
    """An asset the checks watch: its key, its lake table and the SLA of its API.

    `table` describes the rows for the row-level checks; None means only the checks that read
    the lake's partitions and Dagster's records apply (paging, coverage, freshness).
    """

    key: dg.AssetKey
    lake_table: str
    sla: Sla
    table: CheckedTable | None = None

    @property
    def slug(self) -> str:
        """`raw_usage_users`: a name fragment for the check ops of this asset."""
        return "_".join(self.key.path)


ANALYTICS_TARGETS: tuple[CheckTarget, ...] = tuple(
    CheckTarget(dg.AssetKey(["raw", table.name]), table.name, ANALYTICS_SLA, table)
    for table in ANALYTICS_CHECKED_TABLES.values()
)


def analytics_target(table: str) -> CheckTarget:
    for target in ANALYTICS_TARGETS:
        if target.lake_table == table:
            return target
    raise KeyError(table)


def compliance_asset() -> dg.AssetsDefinition | None:
    """The `raw/compliance_codex_log` asset if the compliance ingest module defines it, else None.

    Looked up rather than imported by name so that the checks load whether or not (and however)
    the compliance module is there; only a daily time-partitioned asset is checked.
    """
    try:
        module = importlib.import_module(COMPLIANCE_MODULE)
    except ModuleNotFoundError as error:
        if error.name == COMPLIANCE_MODULE:
            return None
        raise
    for value in _definitions_in(vars(module).values()):
        if COMPLIANCE_KEY in value.keys:
            partitions = value.specs_by_key[COMPLIANCE_KEY].partitions_def
            if isinstance(partitions, dg.TimeWindowPartitionsDefinition):
                return value
    return None


def compliance_targets() -> tuple[CheckTarget, ...]:
    """The compliance log as a check target (lake-level checks only), when the asset exists."""
    if compliance_asset() is None:
        return ()
    return (CheckTarget(COMPLIANCE_KEY, COMPLIANCE_KEY.path[-1], COMPLIANCE_SLA),)


def _definitions_in(values: Iterable[Any]) -> Iterable[dg.AssetsDefinition]:
    for value in values:
        if isinstance(value, dg.AssetsDefinition):
            yield value
        elif type(value) in (list, tuple):
            yield from (v for v in value if isinstance(v, dg.AssetsDefinition))


def utc_now() -> datetime:
    return datetime.now(UTC)


def check_days(
    context: dg.AssetCheckExecutionContext, lake: Lake, target: CheckTarget
) -> list[date]:
    """The days a check looks at.

    In a partitioned run (one day, or a single-run range of 90): the run's days, read from the
    partition time window (never `partition_key`, which a range run does not have). Run on its
    own (the UI's "Execute" on a check, a sensor): every landed day the source could still
    refill, i.e. the last `lookback_days` days.
    """
    if context.has_partition_key or context.has_partition_key_range:
        return partition_days(context)
    oldest = target.sla.oldest_refillable_day(utc_now())
    return [day for day in lake.landed_days(target.lake_table) if day >= oldest]


def selected_names(context: dg.AssetCheckExecutionContext) -> set[str]:
    return {key.name for key in context.selected_asset_check_keys}


def to_result(
    outcome: CheckOutcome,
    *,
    asset_key: dg.AssetKey,
    check_name: str,
    blocking: bool,
    extra_metadata: Mapping[str, Any] | None = None,
) -> dg.AssetCheckResult:
    """An AssetCheckResult whose metadata says what was measured, the threshold and the offenders.

    Blocking checks fail with ERROR severity (they stop the downstream marts in the run); the
    others warn. `extra_metadata` is added as given (Dagster's own keys, say).
    """
    metadata: dict[str, Any] = {"threshold": outcome.threshold, **(extra_metadata or {})}
    for name, value in outcome.measured.items():
        if value is not None:
            metadata[name] = _metadata_value(value)
    if not outcome.passed:
        metadata["offending_count"] = outcome.offending_total
        if outcome.offending_days:
            metadata["offending_days"] = format_days(outcome.offending_days)
        if outcome.offending:
            shown = len(outcome.offending)
            title = (
                f"first {shown} of {outcome.offending_total}"
                if outcome.offending_total > shown
                else f"all {shown}"
            )
            metadata["offending_rows"] = dg.MetadataValue.md(
                f"Offending rows ({title}):\n\n" + markdown_table(outcome.offending)
            )
    return dg.AssetCheckResult(
        passed=outcome.passed,
        asset_key=asset_key,
        check_name=check_name,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        description=outcome.summary,
        metadata=metadata,
    )


def markdown_table(rows: Sequence[Mapping[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(name for name in row if name not in columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(name)) for name in columns) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("|", "\\|")


def _metadata_value(value: Any) -> Any:
    if isinstance(value, (int, float, str, bool)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
