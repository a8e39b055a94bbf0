"""The daily schedules: analytics at 12:30 UTC, compliance at 01:15 UTC.

`daily_refresh_schedule`: at 12:30 UTC, load yesterday and re-load the two days before it.

Analytics day D is final at D+1 12:00 UTC, and the API restates recent days, so each tick
requests ONE run over the 3-day range [D-2, D] (the partition range tags), covering every asset:
the raw landing (which diffs each replaced partition into `marts.restatements`), the daily
marts in dependency order, and the unpartitioned snapshots and reports after them. One run
rather than three means one mart refresh per table, one DuckDB writer, and one place to read
what changed. Why a schedule rather than declarative automation: see docs/operations.md.

`compliance_refresh_schedule`: the compliance log of day D is due by D+1 02:00 UTC, ten hours
before the analytics day is final, so it has its own tick at 01:15 UTC (D's files are all
published by D+1 01:00, `PUBLICATION_LAG`) for the compliance asset and what is built on it.
The 12:30 run loads those days again, which picks up any file published later than that.
"""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from codex_assets.defs.compliance.raw_assets import RAW_KEY as COMPLIANCE_RAW_KEY
from codex_assets.defs.compliance.window import latest_complete_day
from codex_assets.defs.partitions import daily_partitions

SCHEDULE_CRON = "30 12 * * *"
COMPLIANCE_SCHEDULE_CRON = "15 1 * * *"
RESTATED_DAYS = 2
"""How many days before yesterday each tick re-loads (the API revises recent days)."""

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

daily_refresh_job = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all(),
    description=(
        "Everything, for a range of days in one run: raw landing (with restatement diffs), the "
        "daily marts, then the snapshots and reports. Launched by `daily_refresh_schedule`."
    ),
    tags={"codex/trigger": "daily_refresh"},
)


def scheduled_range(scheduled_time: datetime) -> tuple[date, date] | None:
    """The days a tick at `scheduled_time` loads: [yesterday - 2, yesterday], in UTC.

    Clipped to the first partition (CODEX_START_DATE); None when even yesterday is before it.
    """
    if scheduled_time.tzinfo is None:
        scheduled_time = scheduled_time.replace(tzinfo=UTC)
    yesterday = scheduled_time.astimezone(UTC).date() - timedelta(days=1)
    start = yesterday - timedelta(days=RESTATED_DAYS)
    first = daily_partitions.start.date()
    if yesterday < first:
        return None
    return max(start, first), yesterday


@dg.schedule(
    cron_schedule=SCHEDULE_CRON,
    execution_timezone="UTC",
    job=daily_refresh_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "12:30 UTC daily: load yesterday (final since 12:00 UTC) and re-load the two days "
        "before it, as one run over the 3-day range; changed values land in marts.restatements."
    ),
)
def daily_refresh_schedule(context: dg.ScheduleEvaluationContext):
    window = scheduled_range(context.scheduled_execution_time)
    if window is None:
        return dg.SkipReason(
            f"Yesterday is before the first partition ({daily_partitions.start.date()})."
        )
    start, end = window
    return dg.RunRequest(
        run_key=f"daily-{end.isoformat()}",
        tags={RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()},
    )


compliance_refresh_job = dg.define_asset_job(
    "compliance_refresh",
    selection=dg.AssetSelection.assets(COMPLIANCE_RAW_KEY).downstream(),
    description=(
        "The compliance log of a day and everything built on it (deduplicated events, DLP "
        "findings, compliance marts, SIEM export). Launched by `compliance_refresh_schedule`."
    ),
    tags={"codex/trigger": "compliance_refresh"},
)


def compliance_scheduled_day(scheduled_time: datetime) -> date | None:
    """The day a compliance tick at `scheduled_time` loads: yesterday (UTC), once all its files
    are published; None before that or before the first partition."""
    day = latest_complete_day(scheduled_time)
    return day if day >= daily_partitions.start.date() else None


@dg.schedule(
    cron_schedule=COMPLIANCE_SCHEDULE_CRON,
    execution_timezone="UTC",
    job=compliance_refresh_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "01:15 UTC daily: land yesterday's compliance log (all files published by 01:00 UTC) "
        "and rebuild what is built on it, ahead of its 02:00 UTC freshness deadline."
    ),
)
def compliance_refresh_schedule(context: dg.ScheduleEvaluationContext):
    day = compliance_scheduled_day(context.scheduled_execution_time)
    if day is None:
        return dg.SkipReason(
            f"Yesterday's compliance log is before the first partition "
            f"({daily_partitions.start.date()}) or not published yet."
        )
    return dg.RunRequest(run_key=f"compliance-{day.isoformat()}", partition_key=day.isoformat())
