"""The asset a check watches, and the days it looks at in a run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import dagster as dg

from codex_assets.lib.checks.sla import Sla
from codex_assets.lib.checks.tables import CheckedTable
from codex_assets.lib.lake import Lake
from codex_assets.lib.utc import utc_now as utc_now


@dataclass(frozen=True)
class CheckTarget:
    """An asset the checks watch: its key, its lake table and the SLA of its source."""

    key: dg.AssetKey
    table: CheckedTable
    sla: Sla

    @property
    def lake_table(self) -> str:
        return self.table.name


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
        window = context.partition_time_window
        first, end = window.start.date(), window.end.date()
        return [first + timedelta(days=i) for i in range((end - first).days)]
    oldest = target.sla.oldest_refillable_day(utc_now())
    return [day for day in lake.landed_days(target.lake_table) if day >= oldest]
