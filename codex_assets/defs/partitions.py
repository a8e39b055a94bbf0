"""Daily UTC partitions shared by every raw asset, mart and check.

Windows stay midnight to midnight UTC, as the API's days are; the 12-hour lag is handled by
when the schedule runs (12:30 UTC), not by shifting the windows. The start date is fixed
(`CODEX_START_DATE`) so the partition set does not move every day.
"""

import dagster as dg

from codex_assets.lib.settings import Settings

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=Settings.from_env().start_date.isoformat(),
    timezone="UTC",
    end_offset=0,
)


def partition_days(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> list:
    """Every day of the run's partition range: one day, or a whole single-run backfill.

    `context.partition_key` raises inside a range run, so always go through the time window.
    """
    from datetime import timedelta

    window = context.partition_time_window
    day, end = window.start.date(), window.end.date()
    days = []
    while day < end:
        days.append(day)
        day += timedelta(days=1)
    return days
