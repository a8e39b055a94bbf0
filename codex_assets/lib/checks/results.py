"""The Dagster glue every check shares: an outcome becomes an `AssetCheckResult`, and groups of
checks become one multi-asset check.

A plain rule returns a `CheckOutcome`; a `CheckGroup` says which specs it answers and how to
evaluate them in a run; `build_checks` turns the groups of one asset into a single
`multi_asset_check` (one step, the selected checks only), so no source writes the decorator,
the subsetting or the severity mapping again.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dagster as dg

from codex_assets.lib.checks.outcome import CheckOutcome, format_days

RESOURCE_KEY = "codex"
"""The resource the checks read the lake (`.lake()`) and the APIs through (`CodexResource`)."""


@dataclass(frozen=True)
class Evaluation:
    """One check's outcome in a run, with any metadata Dagster itself reads (freshness keys)."""

    name: str
    outcome: CheckOutcome
    metadata: Mapping[str, Any] = field(default_factory=dict)


Evaluate = Callable[[dg.AssetCheckExecutionContext, set[str]], Iterable[Evaluation]]
"""Evaluate the selected checks (names) of a group in a run."""


@dataclass(frozen=True)
class CheckGroup:
    """Checks of one asset that are evaluated together (they read the same days once)."""

    specs: tuple[dg.AssetCheckSpec, ...]
    evaluate: Evaluate

    @property
    def names(self) -> set[str]:
        return {spec.name for spec in self.specs}


def build_checks(
    key: dg.AssetKey, kind: str, groups: Sequence[CheckGroup], description: str
) -> dg.AssetChecksDefinition:
    """One multi-asset check, `<asset>_<kind>_checks`, running the selected checks of `groups`.

    Blocking checks fail with ERROR severity (they stop what is built on the asset in the run);
    the others warn.
    """
    specs = [spec for group in groups for spec in group.specs]
    blocking = {spec.name: spec.blocking for spec in specs}

    @dg.multi_asset_check(
        name=f"{'_'.join(key.path)}_{kind}_checks",
        specs=specs,
        can_subset=True,
        description=description,
        required_resource_keys={RESOURCE_KEY},
    )
    def run_checks(context: dg.AssetCheckExecutionContext):
        selected = selected_names(context)
        for group in groups:
            if selected & group.names:
                for evaluation in group.evaluate(context, selected):
                    yield to_result(
                        evaluation.outcome,
                        asset_key=key,
                        check_name=evaluation.name,
                        blocking=blocking[evaluation.name],
                        extra_metadata=evaluation.metadata,
                    )

    return run_checks


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
