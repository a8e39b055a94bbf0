"""The daily schedules: analytics at 12:30 UTC, compliance at 01:15 UTC.

`daily_refresh_schedule`: at 12:30 UTC, load yesterday and re-load the two days before it.

Analytics day D is final at D+1 12:00 UTC, and the API restates recent days, so each tick
requests ONE run over the 3-day range [D-2, D] (the partition range tags), covering every
analytics asset: the raw landing (which diffs each replaced partition into `marts.restatements`),
the daily marts in dependency order, and the unpartitioned snapshots and reports after them. One
run rather than three means one mart refresh per table, one DuckDB writer, and one place to read
what changed. Why a schedule rather than declarative automation: see docs/operations.md.
`compliance_restate_schedule` ticks at the same time for the compliance assets: they have their
own partition set (defs/partitions.py), and a Dagster job holds assets of one set only.

`compliance_refresh_schedule`: the compliance log of day D is due by D+1 02:00 UTC, ten hours
before the analytics day is final, so it has its own tick at 01:15 UTC (D's files are all
published by D+1 01:00, `PUBLICATION_LAG`) for the compliance asset and what is built on it.
The 12:30 compliance run loads those days again, which picks up any file published later.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import dagster as dg

from codex_assets.defs.compliance.raw_assets import RAW_KEY as COMPLIANCE_RAW_KEY
from codex_assets.defs.compliance.window import latest_complete_day
from codex_assets.defs.partitions import compliance_partitions, daily_partitions
from codex_assets.lib.utc import as_utc

SCHEDULE_CRON = "30 12 * * *"
COMPLIANCE_SCHEDULE_CRON = "15 1 * * *"
RESTATED_DAYS = 2
"""How many days before yesterday each tick re-loads (the API revises recent days)."""

TRIGGER_TAG = "codex/trigger"
"""What started a run: the schedule's job name, or `cli` (`codex-assets demo` / `backfill`)."""

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
"""Dagster's tags for a run over a range of partitions (one run, every day of the range)."""


def partition_range_tags(start: date, end: date) -> dict[str, str]:
    """The tags of one run over the days `start..end` (inclusive)."""
    return {RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()}


COMPLIANCE_SELECTION = dg.AssetSelection.assets(COMPLIANCE_RAW_KEY).downstream()
"""The compliance log and what is built on it: the assets of `compliance_partitions`."""

daily_refresh_job = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all() - COMPLIANCE_SELECTION,
    description=(
        "Every analytics asset, for a range of days in one run: raw landing (with restatement "
        "diffs), the daily marts, then the snapshots and reports. Launched by "
        "`daily_refresh_schedule`, and (a subset of it) by `codex-assets demo` / `backfill`, "
        "tagged codex/trigger=cli."
    ),
    tags={TRIGGER_TAG: "daily_refresh"},
)


def scheduled_range(
    scheduled_time: datetime, partitions: dg.DailyPartitionsDefinition = daily_partitions
) -> tuple[date, date] | None:
    """The days a tick at `scheduled_time` loads: [yesterday - 2, yesterday], in UTC.

    Clipped to the first of `partitions`; None when even yesterday is before it.
    """
    yesterday = as_utc(scheduled_time).date() - timedelta(days=1)
    start = yesterday - timedelta(days=RESTATED_DAYS)
    first = partitions.start.date()
    if yesterday < first:
        return None
    return max(start, first), yesterday


compliance_refresh_job = dg.define_asset_job(
    "compliance_refresh",
    selection=COMPLIANCE_SELECTION,
    description=(
        "The compliance log of a range of days and everything built on it (deduplicated events, "
        "DLP findings, compliance marts, SIEM export). Launched by `compliance_refresh_schedule`, "
        "`compliance_restate_schedule`, and (a subset of it) by `codex-assets demo` / `backfill`."
    ),
    tags={TRIGGER_TAG: "compliance_refresh"},
)


def compliance_scheduled_day(scheduled_time: datetime) -> date | None:
    """The day a compliance tick at `scheduled_time` loads: yesterday (UTC), once all its files
    are published; None before that or before the first partition."""
    day = latest_complete_day(scheduled_time)
    return day if day >= compliance_partitions.start.date() else None


def daily_tick(
    name: str,
    cron: str,
    job: Any,
    description: str,
    days: Callable[[datetime], tuple[date, date] | None],
    *,
    run_key: str,
    skip: str,
    one_partition: bool = False,
) -> dg.ScheduleDefinition:
    """A schedule of `job` at `cron` (UTC, running once deployed) over `days(tick time)`: one
    run over that range (the range tags), or with `one_partition` one run of its last day,
    keyed `<run_key>-<last day>`; skipped with `skip` when `days` is None. (`job` is what
    `dg.define_asset_job` returns, a type Dagster does not export.)"""

    @dg.schedule(
        name=name,
        cron_schedule=cron,
        execution_timezone="UTC",
        job=job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description,
    )
    def tick(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        window = days(context.scheduled_execution_time)
        if window is None:
            return dg.SkipReason(skip)
        start, end = window
        key = f"{run_key}-{end.isoformat()}"
        if one_partition:
            return dg.RunRequest(run_key=key, partition_key=end.isoformat())
        return dg.RunRequest(run_key=key, tags=partition_range_tags(start, end))

    return tick


daily_refresh_schedule = daily_tick(
    "daily_refresh_schedule",
    SCHEDULE_CRON,
    daily_refresh_job,
    "12:30 UTC daily: load yesterday (final since 12:00 UTC) and re-load the two days before "
    "it, as one run over the 3-day range; changed values land in marts.restatements.",
    scheduled_range,
    run_key="daily",
    skip=f"Yesterday is before the first partition ({daily_partitions.start.date()}).",
)

compliance_refresh_schedule = daily_tick(
    "compliance_refresh_schedule",
    COMPLIANCE_SCHEDULE_CRON,
    compliance_refresh_job,
    "01:15 UTC daily: land yesterday's compliance log (all files published by 01:00 UTC) and "
    "rebuild what is built on it, ahead of its 02:00 UTC freshness deadline.",
    lambda tick: None if (day := compliance_scheduled_day(tick)) is None else (day, day),
    run_key="compliance",
    skip=(
        "Yesterday's compliance log is before the first partition "
        f"({compliance_partitions.start.date()}) or not published yet."
    ),
    one_partition=True,
)

compliance_restate_schedule = daily_tick(
    "compliance_restate_schedule",
    SCHEDULE_CRON,
    compliance_refresh_job,
    "12:30 UTC daily, beside daily_refresh_schedule: re-load the compliance log of yesterday "
    "and the two days before it (files published late) and rebuild what is built on it.",
    lambda tick: scheduled_range(tick, compliance_partitions),
    run_key="compliance-restate",
    skip=f"Yesterday is before the first partition ({compliance_partitions.start.date()}).",
)
