"""Daily UTC partitions shared by every raw asset, mart and check.

Windows stay midnight to midnight UTC, as the API's days are; the 12-hour lag is handled by
when the schedule runs (12:30 UTC), not by shifting the windows. The start date is fixed
(`CODEX_START_DATE`) so the partition set does not move every day; it is the one setting read
when the code is imported, because the partition set is part of the asset definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import dagster as dg

from codex_assets.lib.settings import SettingsError, environment

START_DATE_VAR = "CODEX_START_DATE"
DEFAULT_START_DATE = date(2026, 1, 1)


def start_date(environ: Mapping[str, str]) -> date:
    """The first partition: CODEX_START_DATE as YYYY-MM-DD, else 2026-01-01."""
    raw = environ.get(START_DATE_VAR, "").strip() or DEFAULT_START_DATE.isoformat()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SettingsError(
            f"{START_DATE_VAR} must be a date as YYYY-MM-DD, got {raw!r}."
        ) from None


daily_partitions = dg.DailyPartitionsDefinition(
    start_date=start_date(environment()).isoformat(),
    timezone="UTC",
    end_offset=0,
)


def partition_days(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> list[date]:
    """Every day of the run's partition range: one day, or a whole single-run backfill.

    `context.partition_key` raises inside a range run, so always go through the time window.
    """
    keys = daily_partitions.get_partition_keys_in_time_window(context.partition_time_window)
    return [date.fromisoformat(key) for key in keys]
