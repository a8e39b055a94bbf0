"""Run a window of days as one Dagster run recorded in the instance, and summarise the result.

This is what `codex-assets demo` and `codex-assets backfill` do. The run goes through the same
Definitions as the UI (resources, checks, pools), so what the CLI lands is what `make ui`
shows afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Sequence
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
from codex_assets.defs.compliance.window import RETENTION_DAYS, oldest_retained_day
from codex_assets.defs.compliance.window import latest_complete_day as compliance_complete_day
from codex_assets.defs.partitions import compliance_partitions
from codex_assets.lib.checks.outcome import plural
from codex_assets.lib.checks.window import ROWS_KEY, read_footers
from codex_assets.lib.lake import Lake
from codex_assets.lib.settings import Settings
from codex_assets.lib.utc import utc_now
from codex_assets.progress import RunProgress, watching

COMPLIANCE_TABLE = COMPLIANCE_LOG.path[-1]
"""The compliance log's lake table (its raw and restricted views share the name)."""


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


def compliance_tail(window: Window, now: datetime | None = None) -> Window | None:
    """The compliance days after `window` that are complete at `now`, or None.

    A window ending at the analytics API's latest complete day stops short of the compliance
    log's between 01:00 and 12:00 UTC: yesterday's log files are all published by 01:00
    (p99 30 minutes, reference/codex-api.md 2.3) and due by 02:00, while analytics data "can
    lag by up to 12 hours" (Part 1). The demo loads that day too, as the 01:15 compliance
    schedule would, so the compliance freshness check finds it landed."""
    end = compliance_complete_day(now or utc_now())
    if end <= window.end:
        return None
    return Window(window.end + timedelta(days=1), end)


def compliance_ahead(
    start: date, end: date, settings: Settings, now: datetime | None = None
) -> Window | None:
    """`start..end` when the compliance log can serve all of it now and the analytics API none
    of it yet (yesterday, between 01:00 and 12:00 UTC), so `backfill --start D --end D`, the
    command the compliance freshness check names, loads the log now; else None."""
    now = now or utc_now()
    if start < max(settings.start_date, oldest_retained_day(now)) or end < start:
        return None
    if start > latest_complete_day(now) and end <= compliance_complete_day(now):
        return Window(start, end)
    return None


def compliance_only(
    selection: dg.AssetSelection | None, graph: dg.AssetGraph | None = None
) -> set[dg.AssetKey]:
    """The assets of `selection` (everything when None) on the compliance log's partition set
    (`COMPLIANCE_SELECTION`): the log and what only it feeds, run over the log's own days."""
    if graph is None:
        from codex_assets.definitions import defs

        graph = defs().resolve_asset_graph()
    fed = set(COMPLIANCE_SELECTION.resolve(graph))
    return fed if selection is None else fed & set(selection.resolve(graph))


@dataclass(frozen=True)
class WindowRun:
    """One run of a window: what it covered and how it went."""

    window: Window
    result: dg.ExecuteInProcessResult
    label: str = "every asset"


@dataclass(frozen=True)
class WindowRuns:
    """The runs of one window, one per partition set: the analytics assets (and the snapshots
    and reports) over the whole window, then the compliance log and what only it feeds over
    its own days (`compliance_days`, and any day complete after the window, `compliance_tail`)."""

    runs: tuple[WindowRun, ...]
    compliance: Window | None = None
    """The compliance log's own days when they differ from the window's (None otherwise)."""

    @property
    def success(self) -> bool:
        return all(run.result.success for run in self.runs)

    @property
    def run_ids(self) -> list[str]:
        return [run.result.run_id for run in self.runs]

    @property
    def all_events(self) -> list[dg.DagsterEvent]:
        return [event for run in self.runs for event in run.result.all_events]

    def get_asset_check_evaluations(self) -> list[dg.AssetCheckEvaluation]:
        return [e for run in self.runs for e in run.result.get_asset_check_evaluations()]

    def get_asset_materialization_events(self) -> list[dg.DagsterEvent]:
        return [e for run in self.runs for e in run.result.get_asset_materialization_events()]

    @property
    def selected_asset_keys(self) -> set[dg.AssetKey]:
        return {
            key for run in self.runs for key in run.result.job_def.asset_layer.selected_asset_keys
        }


def run_window(
    window: Window,
    instance: dg.DagsterInstance,
    selection: str | dg.AssetSelection | None = None,
    log_level: str = "WARNING",
    *,
    now: datetime | None = None,
    compliance_through: date | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> WindowRuns:
    """Materialize every asset (and its checks) for `window`: a run of the analytics assets
    (job `daily_refresh`), then one of the compliance log and what only it feeds (job
    `compliance_refresh`) over its own days: those of the window it can serve, through
    `compliance_through` (a day complete after the window). The two have their own partition
    sets (defs/partitions.py), and a job holds one (`WindowRuns`).

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
    only_compliance = compliance_only(None, graph)
    landed = definitions.resources["codex"].lake().landed_days(COMPLIANCE_RAW_TABLE)
    first = compliance_days(window, landed, now or utc_now(), compliance_partitions.start.date())
    if first is not None and compliance_through is not None:
        first = Window(first.start, max(first.end, compliance_through))
    # The analytics part first, so that the compliance log's checks reading the analytics
    # tables (`responses_per_turn_in_band`) find their days landed; the reconciliation mart,
    # which reads the compliance activity, is completed after each rebuild of it (`follow`).
    # A check goes with its asset's job.
    late = {c for c in checks if c.asset_key in only_compliance}
    parts = [
        (daily_refresh_job, window, keys - only_compliance, checks - late, "the analytics assets")
    ]
    if first is not None:
        compliance = "the compliance log and what only it feeds"
        parts.append((compliance_refresh_job, first, keys & only_compliance, late, compliance))
    # Subsets of the schedules' jobs rather than Dagster's hidden implicit asset job: the run
    # list's Target then names a job (`daily_refresh`), where the hidden job's in-process run
    # showed an empty Target (execute_in_process records no asset selection on the run).
    return WindowRuns(
        tuple(
            WindowRun(
                days,
                _execute(
                    definitions.resolve_job_def(job.name).get_subset(
                        asset_selection=part_keys, asset_check_selection=part_checks
                    ),
                    days,
                    instance,
                    log_level,
                    {key for key in part_keys if graph.get(key).is_partitioned},
                    on_progress,
                ),
                label,
            )
            for job, days, part_keys, part_checks, label in parts
            if part_keys or part_checks
        ),
        compliance=first if first != window and keys & only_compliance else None,
    )


def _execute(
    job: dg.JobDefinition,
    window: Window,
    instance: dg.DagsterInstance,
    log_level: str,
    partitioned: set[dg.AssetKey],
    on_progress: Callable[[str], None] | None,
) -> dg.ExecuteInProcessResult:
    """One run of `job` over `window`, its progress printed as it goes (`on_progress`)."""
    run_id = str(uuid.uuid4())

    def execute() -> dg.ExecuteInProcessResult:
        return job.execute_in_process(
            instance=instance,
            run_id=run_id,
            tags={**partition_range_tags(window.start, window.end), TRIGGER_TAG: "cli"},
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            raise_on_error=False,
        )

    if on_progress is None:
        return execute()
    oldest = oldest_retained_day(utc_now())
    served = {COMPLIANCE_TABLE: [day for day in window.days if day >= oldest]}
    progress = RunProgress(window.days, partitioned, on_progress, days_of=served)
    with watching(instance, run_id, progress):
        return execute()


def run_command_window(
    window: Window,
    instance: dg.DagsterInstance,
    selection: dg.AssetSelection | None,
    *,
    with_compliance_tail: bool,
    only_compliance: bool = False,
    on_progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> list[WindowRun]:
    """`demo` / `backfill`: `run_window`, the compliance log also over the days already
    complete after the window (`with_compliance_tail`, for a window ending at the latest
    analytics day). With `only_compliance` (a `compliance_ahead` window), the compliance log
    and what only it feeds alone."""
    if only_compliance:
        chosen = compliance_only(selection)
        if not chosen:
            return []
        if on_progress is not None:
            on_progress(
                f"Compliance log of {window_text_short(window)}: its files are complete (from "
                "01:00 UTC), the analytics day only from 12:00 UTC ..."
            )
        selected = dg.AssetSelection.assets(*chosen)
        return list(
            run_window(
                window,
                instance,
                selected,
                now=now,
                on_progress=on_progress,
            ).runs
        )
    tail = compliance_tail(window, now) if with_compliance_tail else None
    return list(
        run_window(
            window,
            instance,
            selection,
            now=now,
            compliance_through=tail.end if tail else None,
            on_progress=on_progress,
        ).runs
    )


def window_text_short(window: Window) -> str:
    """`2026-12-03`, or `2026-12-01 .. 2026-12-03 (3 days)`."""
    if window.start == window.end:
        return window.start.isoformat()
    return f"{window.start} .. {window.end} ({len(window.days)} days)"


def summary(result: WindowRuns, window: Window, settings: Settings) -> str:
    """`summarize` of a `run_window`'s runs."""
    return summarize(result.runs, window, settings)


def summarize(
    runs: Sequence[WindowRun], window: Window, settings: Settings, now: datetime | None = None
) -> str:
    """A short, human summary: rows per table, days loaded, check results, where the data is."""
    lines = [
        f"Run {run.result.run_id} ({run.label}, {window_text_short(run.window)}): "
        f"{'succeeded' if run.result.success else 'FAILED'}"
        for run in runs
    ]
    lines += [
        f"Window: {window.start} .. {window.end} ({plural(len(window.days), 'day')}), "
        f"source: {settings.source}",
        "",
        "Tables:",
    ]
    lake = Lake(settings.lake_root)
    every_day = sorted({day for run in runs for day in run.window.days})
    for name, rows in _table_rows(settings.duckdb_path, lake):
        table = name.split(".", 1)[1]
        days = _days_loaded(lake, table, window.days, every_day, now)
        lines.append(f"  {name:<40} {rows:>10,} rows{days}")
    evaluations = [(run, e) for run in runs for e in run.result.get_asset_check_evaluations()]
    if evaluations:
        passed = sum(1 for _, e in evaluations if e.passed)
        lines += ["", f"Checks: {passed}/{len(evaluations)} passed"]
        order = {dg.AssetCheckSeverity.ERROR: 0, dg.AssetCheckSeverity.WARN: 1}
        for run, e in sorted(
            evaluations,
            key=lambda pair: (
                pair[1].passed,
                order.get(pair[1].severity, 2),
                pair[1].asset_key.to_user_string(),
            ),
        ):
            status = "pass" if e.passed else f"FAIL ({e.severity.value})"
            where = "" if run.window == window else f"  [{window_text_short(run.window)}]"
            lines.append(f"  {status:<14} {e.asset_key.to_user_string()} {e.check_name}{where}")
            if not e.passed and e.description:
                lines.append(f"  {'':<14}   {e.description}")
        lines.append(
            "  (freshness_check on each raw asset is left out of backfills: the sensor "
            "codex_freshness_checks_sensor evaluates it after each day's deadline)"
        )
    for run in runs:
        lines += _failures(run.result)
    dashboard = settings.data_path / "exports" / "dashboard.html"
    lines += [
        "",
        *([f"Dashboard: {dashboard.as_uri()}"] if dashboard.is_file() else []),
        f"DuckDB warehouse: {settings.duckdb_path}",
        f"Lake: {settings.lake_root}",
        "Open the UI with `make ui` (http://127.0.0.1:3000) to see the run, lineage and checks.",
    ]
    return "\n".join(lines)


def _days_loaded(
    lake: Lake,
    table: str,
    window_days: list[date],
    every_day: list[date],
    now: datetime | None,
) -> str:
    """`  days loaded 89/89 (5 without activity)`; for the compliance log, out of the days its
    API keeps, with the older days of the window named as the documented limit they are."""
    if not lake.has_table(table):
        return ""
    expected, older = window_days, []
    if table == COMPLIANCE_TABLE:
        oldest = oldest_retained_day(now or utc_now())
        expected = [day for day in every_day if day >= oldest]
        older = [day for day in every_day if day < oldest]
    landed_days = set(lake.landed_days(table))
    landed = [day for day in expected if day in landed_days]
    notes = []
    idle = _idle_days(lake, table, landed)
    if idle:  # loaded, but the API served no rows: a day without activity, not a gap
        notes.append(f"{idle} without activity")
    if older:
        notes.append(
            f"the API keeps {RETENTION_DAYS} days: the window's {plural(len(older), 'older day')} "
            "are not served, as documented"
        )
    text = f"  days loaded {len(landed)}/{len(expected)}"
    return text + (f" ({'; '.join(notes)})" if notes else "")


def _failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """What a run did not build, and why it failed."""
    lines = []
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
    return lines


def _idle_days(lake: Lake, table: str, days: list[date]) -> int:
    """How many of `days` were landed whole with no rows (the API omits inactive days)."""
    footers = read_footers(lake, table, days) if days else {}
    return sum(1 for footer in footers.values() if footer.get(ROWS_KEY) == "0")


def _not_built(result: dg.ExecuteInProcessResult) -> list[dg.AssetKey]:
    """Assets the run selected but did not materialize (skipped behind a failure or a check)."""
    selected = result.job_def.asset_layer.selected_asset_keys
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
