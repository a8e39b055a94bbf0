"""The daily schedule: at 12:30 UTC, load yesterday and re-load the two days before it.

Analytics day D is final at D+1 12:00 UTC, and the API restates recent days, so each tick
requests ONE run over the 3-day range [D-2, D] (the partition range tags), covering every asset:
the raw landing (which diffs each replaced partition into `marts.restatements`), the daily
marts in dependency order, and the unpartitioned snapshots and reports after them. One run
rather than three means one mart refresh per table, one DuckDB writer, and one place to read
what changed. Why a schedule rather than declarative automation: see docs/operations.md.
"""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from codex_assets.defs.partitions import daily_partitions

SCHEDULE_CRON = "30 12 * * *"
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
