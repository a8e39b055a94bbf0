"""Land API days into the lake, one whole partition per day, as the fetches complete."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from codex_assets.lib.api.analytics import AnalyticsClient
from codex_assets.lib.lake import Lake
from codex_assets.lib.raw_tables import RawTable


@dataclass
class LandingReport:
    """What one materialization fetched and landed, for the run's metadata."""

    rows_by_day: dict[date, int] = field(default_factory=dict)
    pages: int = 0
    requests: int = 0
    retries: int = 0

    @property
    def rows(self) -> int:
        return sum(self.rows_by_day.values())


def land_analytics_days(
    client: AnalyticsClient,
    lake: Lake,
    table: RawTable,
    days: Sequence[date],
    *,
    source: str,
    on_day: Callable[[date, int], None] | None = None,
) -> LandingReport:
    """Fetch each day of `table` from the API and land it as a whole partition.

    Days are landed as soon as they arrive, so memory holds a few days at most and a run that
    dies halfway keeps every day it finished. The client checks the API's window before the
    first request, so a window it cannot serve fails before anything is touched.
    """
    report = LandingReport()
    for fetch in client.iter_days(table.endpoint, days):
        landed = lake.write_partition(
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
        report.rows_by_day[fetch.day] = landed
        report.pages += fetch.pages
        report.requests += fetch.requests
        report.retries += fetch.retries
        if on_day is not None:
            on_day(fetch.day, landed)
    return report
