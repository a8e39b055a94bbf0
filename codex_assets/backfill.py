"""Run a window of days as one Dagster run recorded in the instance, and summarise the result.

This is what `codex-assets demo` and `codex-assets backfill` do. The run goes through the same
Definitions as the UI (resources, checks, pools), so what the CLI lands is what `make ui`
shows afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import dagster as dg
from dagster._utils.error import SerializableErrorInfo

from codex_assets.defs.analytics.window import (
    check_days_servable,
    latest_complete_day,
    oldest_servable_day,
)
from codex_assets.defs.automation import (
    COMPLIANCE_SELECTION,
    TRIGGER_TAG,
    compliance_refresh_job,
    daily_refresh_job,
    partition_range_tags,
)
from codex_assets.defs.automation import RANGE_END_TAG as RANGE_END_TAG
from codex_assets.defs.automation import RANGE_START_TAG as RANGE_START_TAG
from codex_assets.defs.compliance.client import COMPLIANCE_SCOPE
from codex_assets.defs.compliance.landing import RAW_TABLE as COMPLIANCE_RAW_TABLE
from codex_assets.defs.compliance.raw_assets import RAW_KEY as COMPLIANCE_LOG
from codex_assets.defs.compliance.window import oldest_retained_day
from codex_assets.defs.partitions import compliance_partitions
from codex_assets.lib.checks.window import ROWS_KEY, read_footers
from codex_assets.lib.lake import Lake
from codex_assets.lib.settings import Settings
from codex_assets.lib.utc import utc_now


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def last_days_window(
    days: int, settings: Settings, now: datetime | None = None, *, clip: bool = True
) -> Window:
    """The last `days` complete days; clipped to what the API serves, or checked when `clip=False`.

    Before 12:00 UTC yesterday is not complete yet, so "the last 90 days" may be 89 servable days:
    the demo clips, an explicit `backfill --days N` refuses rather than load less than asked.
    """
    now = now or utc_now()
    end = latest_complete_day(now)
    start = end - timedelta(days=days - 1)
    if not clip:
        return checked_window(start, end, settings, now)
    return Window(max(start, oldest_servable_day(now), settings.start_date), end)


def checked_window(
    start: date, end: date, settings: Settings, now: datetime | None = None
) -> Window:
    """`start..end` if the API can serve all of it and the partitions cover it, else a clear error."""
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}.")
    window = Window(start, end)
    check_days_servable(window.days, now or utc_now())  # (the API's reason first, if any)
    if start < settings.start_date:
        raise ValueError(
            f"{start} is before the first partition ({settings.start_date}); set CODEX_START_DATE "
            "earlier to keep older days."
        )
    return window


def default_selection(settings: Settings) -> tuple[dg.AssetSelection | None, str | None]:
    """What `demo` / `backfill` run by default, and a note when something is left out.

    Everything, except that against the real API without CODEX_COMPLIANCE_API_KEY the compliance
    log and what is built on it are left out (with a note) rather than failing the run: many
    teams have the analytics key only.
    """
    if settings.source != "api" or settings.compliance_api_key:
        return None, None
    compliance = dg.AssetSelection.assets(COMPLIANCE_LOG).downstream()
    return dg.AssetSelection.all() - compliance, (
        "CODEX_COMPLIANCE_API_KEY is not set: the compliance log and what is built on it are "
        f"left out of this run (set the key, with the scope {COMPLIANCE_SCOPE}, to include them)."
    )


@dataclass(frozen=True)
class WindowRuns:
    """The runs of one window, one per partition set: the analytics assets (and the snapshots
    and reports) over the whole window, then the compliance log and what only it feeds over
    the days of it the Compliance API can serve (`compliance_days`)."""

    runs: tuple[dg.ExecuteInProcessResult, ...]
    compliance: Window | None = None
    """The compliance log's own days when they differ from the window's (None otherwise)."""
    compliance_left_out: bool = False
    """True when the compliance log could not run at all (no day of the window servable)."""

    @property
    def success(self) -> bool:
        return all(run.success for run in self.runs)

    @property
    def run_ids(self) -> list[str]:
        return [run.run_id for run in self.runs]

    @property
    def all_events(self) -> list[dg.DagsterEvent]:
        return [event for run in self.runs for event in run.all_events]

    def get_asset_check_evaluations(self) -> list[dg.AssetCheckEvaluation]:
        return [e for run in self.runs for e in run.get_asset_check_evaluations()]

    def get_asset_materialization_events(self) -> list[dg.DagsterEvent]:
        return [e for run in self.runs for e in run.get_asset_materialization_events()]

    @property
    def selected_asset_keys(self) -> set[dg.AssetKey]:
        return {k for run in self.runs for k in run.job_def.asset_layer.selected_asset_keys}


def compliance_days(
    window: Window, landed: Iterable[date], now: datetime, first: date | None = None
) -> Window | None:
    """The part of `window` the compliance log can run over: its latest days back to the
    first one the API no longer serves (older than its 30 days, codex-api.md "Compliance
    API") and that was never landed, or to its first partition `first`; None when even the
    last day is such a day.

    Dagster records every day of a run's range as materialized, so a day the API cannot
    serve is never put in the compliance log's range (the asset refuses such a range)."""
    oldest, kept = oldest_retained_day(now), set(landed)
    start = None
    for day in reversed(window.days):
        if (day < oldest and day not in kept) or (first is not None and day < first):
            break
        start = day
    return None if start is None else Window(start, window.end)


def run_window(
    window: Window,
    instance: dg.DagsterInstance,
    selection: str | dg.AssetSelection | None = None,
    log_level: str = "WARNING",
    now: datetime | None = None,
) -> WindowRuns:
    """Materialize every asset (and its checks) for `window`: a run of the analytics assets
    (job `daily_refresh`) and one of the compliance log and what only it feeds (job
    `compliance_refresh`, over the days it can serve): the two have their own partition sets
    (defs/partitions.py), and a job holds one (`WindowRuns`).

    `selection` names an asset group (e.g. `ingest`), or is any `AssetSelection` (assets and/or
    checks), to run only that part of the graph. The console shows warnings and errors only;
    every event is still recorded in the instance.

    The partition freshness checks are left out: they judge whether the day that is due now
    has landed, which says nothing about the old days a backfill loads (and would report them
    stale while it runs). The sensor evaluates them on its own.
    """
    from codex_assets.definitions import defs
    from codex_assets.defs.reconciliation.checks.freshness import freshness_check_selection

    definitions = defs()
    graph = definitions.resolve_asset_graph()
    if selection is None:
        chosen = dg.AssetSelection.all()
    elif isinstance(selection, str):
        chosen = dg.AssetSelection.groups(selection)
    else:
        chosen = selection
    chosen = chosen - freshness_check_selection()
    keys, checks = set(chosen.resolve(graph)), set(chosen.resolve_checks(graph))
    if not keys and not checks:
        raise ValueError(f"The selection {selection!r} matches no asset or check.")
    only_compliance = set(COMPLIANCE_SELECTION.resolve(graph))
    landed = definitions.resources["codex"].lake().landed_days(COMPLIANCE_RAW_TABLE)
    first = compliance_days(window, landed, now or utc_now(), compliance_partitions.start.date())
    # The analytics part first, so that the compliance log's checks reading the analytics
    # tables (`responses_per_turn_in_band`) find their days landed; the reconciliation mart,
    # which reads the compliance activity, is completed after each rebuild of it (`follow`).
    # A check goes with its asset's job.
    late = {c for c in checks if c.asset_key in only_compliance}
    parts = [(daily_refresh_job, window, keys - only_compliance, checks - late)]
    if first is not None:
        parts.append((compliance_refresh_job, first, keys & only_compliance, late))
    split = first != window and bool(keys & only_compliance)
    # Subsets of the schedules' jobs rather than Dagster's hidden implicit asset job: the run
    # list's Target then names a job (`daily_refresh`), where the hidden job's in-process run
    # showed an empty Target (execute_in_process records no asset selection on the run).
    return WindowRuns(
        tuple(
            definitions.resolve_job_def(job.name)
            .get_subset(asset_selection=part_keys, asset_check_selection=part_checks)
            .execute_in_process(
                instance=instance,
                tags={**partition_range_tags(days.start, days.end), TRIGGER_TAG: "cli"},
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
                raise_on_error=False,
            )
            for job, days, part_keys, part_checks in parts
            if part_keys or part_checks
        ),
        compliance=first if split else None,
        compliance_left_out=split and first is None,
    )


def summary(result: WindowRuns, window: Window, settings: Settings) -> str:
    """A short, human summary: rows per table, days loaded, check results, where the data is."""
    runs = "Runs" if len(result.runs) > 1 else "Run"
    lines = [
        f"{runs} {', '.join(result.run_ids)}: {'succeeded' if result.success else 'FAILED'}",
        f"Window: {window.start} .. {window.end} ({len(window.days)} days), source: {settings.source}",
    ]
    if result.compliance is not None:
        lines.append(
            f"Compliance log: {result.compliance.start} .. {result.compliance.end} (the days "
            "the Compliance API still keeps, 30, or already landed)"
        )
    elif result.compliance_left_out:
        lines.append(
            "Compliance log: left out (the Compliance API keeps 30 days, and none of this "
            "window's days are among them or already landed)"
        )
    lines += ["", "Tables:"]
    lake = Lake(settings.lake_root)
    for name, rows in _table_rows(settings.duckdb_path, lake):
        table = name.split(".", 1)[1]
        landed = [d for d in lake.landed_days(table) if window.start <= d <= window.end]
        days = f"  days loaded {len(landed)}/{len(window.days)}" if lake.has_table(table) else ""
        idle = _idle_days(lake, table, landed)
        if idle:  # loaded, but the API served no rows: a day without activity, not a gap
            days += f" ({idle} without activity)"
        lines.append(f"  {name:<40} {rows:>10,} rows{days}")
    evaluations = result.get_asset_check_evaluations()
    if evaluations:
        passed = sum(1 for e in evaluations if e.passed)
        lines += ["", f"Checks: {passed}/{len(evaluations)} passed"]
        order = {dg.AssetCheckSeverity.ERROR: 0, dg.AssetCheckSeverity.WARN: 1}
        for e in sorted(
            evaluations,
            key=lambda e: (e.passed, order.get(e.severity, 2), e.asset_key.to_user_string()),
        ):
            status = "pass" if e.passed else f"FAIL ({e.severity.value})"
            lines.append(f"  {status:<14} {e.asset_key.to_user_string()} {e.check_name}")
            if not e.passed and e.description:
                lines.append(f"  {'':<14}   {e.description}")
        lines.append(
            "  (freshness_check on each raw asset is left out of backfills: the sensor "
            "codex_freshness_checks_sensor evaluates it after each day's deadline)"
        )
    not_built = _not_built(result)
    if not_built:
        lines += ["", "Not built (a step before them failed, or a blocking check failed):"]
        lines += [f"  {key.to_user_string()}" for key in not_built]
    if not result.success:
        lines += ["", "Failures:"]
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data.error:
                lines.append(f"  {event.step_key}: {_cause(event.step_failure_data.error)}")
            elif event.is_resource_init_failure and event.event_specific_data.error:
                # (the preflight in the resources' setup: the run fails before any step)
                lines.append(f"  resources: {_cause(event.event_specific_data.error)}")
    lines += [
        "",
        f"DuckDB warehouse: {settings.duckdb_path}",
        f"Lake: {settings.lake_root}",
        "Open the UI with `make ui` (http://127.0.0.1:3000) to see the run, lineage and checks.",
    ]
    return "\n".join(lines)


def _idle_days(lake: Lake, table: str, days: list[date]) -> int:
    """How many of `days` were landed whole with no rows (the API omits inactive days)."""
    footers = read_footers(lake, table, days) if days else {}
    return sum(1 for footer in footers.values() if footer.get(ROWS_KEY) == "0")


def _not_built(result: WindowRuns) -> list[dg.AssetKey]:
    """Assets the runs selected but did not materialize (skipped behind a failure or a check)."""
    selected = result.selected_asset_keys
    built = {event.asset_key for event in result.get_asset_materialization_events()}
    return sorted(selected - built, key=lambda key: key.to_user_string())


def _table_rows(database: str, lake: Lake) -> list[tuple[str, int]]:
    if not os.path.exists(database):
        return []
    with lake.connect(database, read_only=True) as conn:  # the raw views read the lake
        names = [
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema IN ('raw', 'marts', 'restricted') ORDER BY 1, 2"
            ).fetchall()
        ]
        return [
            (name, conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]) for name in names
        ]


def _cause(error: SerializableErrorInfo) -> str:
    """The message of what went wrong, not Dagster's wrapper around it ("Error occurred while
    initializing resource codex" / "... executing op"): its lines indented under the step."""
    while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
        error = error.cause
    message = error.message.strip()
    name, _, rest = message.partition(": ")
    if rest and name.endswith(error.cls_name or "\0"):  # ("pkg.module.SomeError: ...")
        message = rest
    return message.replace("\n", "\n    ")
