"""Land API days into the lake, one whole partition per day, as the fetches complete."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from codex_assets.defs.analytics.client import AnalyticsClient, DayFetch
from codex_assets.defs.analytics.restatements import track_restatement
from codex_assets.defs.analytics.schema import landing_sql
from codex_assets.defs.analytics.tables import RawTable
from codex_assets.lib.lake import Lake


@dataclass
class LandingReport:
    """What one materialization fetched and landed, for the run's metadata."""

    rows_by_day: dict[date, int] = field(default_factory=dict)
    pages: int = 0
    requests: int = 0
    retries: int = 0
    restated_by_day: dict[date, int] = field(default_factory=dict)
    """Values that changed on days re-loaded over an existing partition (see restatements)."""

    @property
    def rows(self) -> int:
        return sum(self.rows_by_day.values())

    @property
    def restated(self) -> int:
        return sum(self.restated_by_day.values())


def unservable_message(error: Exception, lake: Lake, table: RawTable, days: Sequence[date]) -> str:
    """Why a load stopped because the API would not serve the days, and what is kept.

    The API forgets days after 90 days; a partition landed before that is the lasting copy,
    and a failed re-load never touches it (a partition is replaced only once its new rows are
    all fetched). The message says so, with the requested days already in the lake.
    """
    wanted = set(days)
    kept = [day for day in lake.landed_days(table.name) if day in wanted]
    if kept:
        held = (
            f"{len(kept)} of the {len(wanted)} requested day(s) are already landed "
            f"({kept[0]}..{kept[-1]}) and are kept unchanged"
        )
    else:
        held = f"none of the {len(wanted)} requested day(s) were landed before"
    cause = str(error)
    if getattr(error, "status", None) == 422 and getattr(error, "body_excerpt", ""):
        cause = f"HTTP 422 for GET {error.url}: {error.body_excerpt}"  # type: ignore[attr-defined]
    return (
        f"raw.{table.name}: the Codex Analytics API did not serve the requested days, so nothing "
        f"was replaced: {held}; the marts built from them are not rebuilt. The API serves only "
        "the last 90 complete days: re-load only days inside that window (`codex-assets "
        f"backfill --days N`, N <= 90). Cause: {cause}"
    )


def land_analytics_days(
    client: AnalyticsClient,
    lake: Lake,
    table: RawTable,
    days: Sequence[date],
    *,
    source: str,
    run_id: str = "",
    on_day: Callable[[date, int], None] | None = None,
) -> LandingReport:
    """Fetch each day of `table` from the API and land it as a whole partition.

    Each day is landed as soon as it arrives, by the thread that fetched it (so landing one day
    overlaps with fetching the next), memory holds a few days at most, and a run that dies
    halfway keeps every day it finished. The client checks the API's window before the
    first request, so a window it cannot serve fails before anything is touched. A day that
    replaces an existing partition records the values that changed (`run_id` names the run).
    """
    report = LandingReport()

    def land(fetch: DayFetch) -> tuple[DayFetch, int, int]:
        # In the thread that fetched the day (see AnalyticsClient.map_days).
        partition = lake.partition_file(table.name, fetch.day)
        with track_restatement(partition, lake.root, table.name, fetch.day, run_id) as restated:
            landed = write_partition(
                lake,
                table.name,
                fetch.day,
                fetch.rows,
                metadata={
                    "source": source,
                    "endpoint": table.endpoint,
                    "pages": fetch.pages,
                    "requests": fetch.requests,
                    "complete": "true",
                },
            )
        fetch.rows = []  # landed: let the day's rows go while the others are in flight
        return fetch, landed, restated.changed

    for fetch, landed, changed in client.map_days(table.endpoint, days, land):
        report.rows_by_day[fetch.day] = landed
        if changed:
            report.restated_by_day[fetch.day] = changed
        report.pages += fetch.pages
        report.requests += fetch.requests
        report.retries += fetch.retries
        if on_day is not None:
            on_day(fetch.day, landed)
    return report


def write_partition(
    lake: Lake,
    table: str,
    day: date,
    rows: Sequence[Mapping[str, Any]],
    *,
    metadata: Mapping[str, str | int] | None = None,
) -> int:
    """Land `rows` of the analytics table `table` as its whole partition for `day`."""
    return lake.write_partition(table, day, rows, select=landing_sql(table), metadata=metadata)
