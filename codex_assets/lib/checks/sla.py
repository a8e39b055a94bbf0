"""The service level of a source's daily partitions: when day D is final, when it is due, and
how far back the source can still refill it.

One `Sla` per source (`ANALYTICS_SLA`, `COMPLIANCE_SLA` in lib/api_windows.py, each re-exported
by its slice's window.py), so the client's window, the partition freshness
checks (deadline cron), the asset-level freshness policies (time windows) and the coverage
checks (which days must be present) all read the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from codex_assets.lib.utc import as_utc as _utc
from codex_assets.lib.utc import day_end


@dataclass(frozen=True)
class Sla:
    """The service level of one API's daily partitions.

    ready_after: how long after the end of day D its data is complete at the source.
    due_after: how long after the end of day D it must be loaded (the freshness deadline).
    lookback_days: how many days back the source still serves, so a missing day can be refilled.
    whole_day_retention: the source forgets data `lookback_days` after it was produced (the
      compliance files), so a day can be refilled only while all of it is younger than that;
      otherwise the source serves any day starting within the lookback (the analytics API).
    """

    name: str
    ready_after: timedelta
    due_after: timedelta
    lookback_days: int
    whole_day_retention: bool = False

    def __post_init__(self) -> None:
        if not timedelta(0) <= self.ready_after <= self.due_after < timedelta(days=1):
            raise ValueError("need 0 <= ready_after <= due_after < 1 day")
        if self.lookback_days < 1:
            raise ValueError("lookback_days must be at least 1")

    @property
    def deadline_cron(self) -> str:
        """The daily UTC cron tick by which yesterday must be loaded, e.g. `0 14 * * *`."""
        minutes = int(self.due_after.total_seconds() // 60)
        return f"{minutes % 60} {minutes // 60} * * *"

    @property
    def deadline_text(self) -> str:
        """`D+1 14:00 UTC`."""
        return f"D+1 {(datetime.min + self.due_after).strftime('%H:%M')} UTC"

    @property
    def fail_window(self) -> timedelta:
        """For an asset-level time-window policy: a daily load may start once the day is ready,
        so the next one is late when the last is older than a day plus the slack to the deadline."""
        return timedelta(days=1) + self.due_after - self.ready_after

    @property
    def warn_window(self) -> timedelta:
        """An hour before `fail_window`: the daily load has not landed and the deadline is near."""
        return max(self.fail_window - timedelta(hours=1), timedelta(days=1))

    def latest_complete_day(self, now: datetime) -> date:
        """The newest day that is final at the source at `now`: day D once `now >= D+1 + ready_after`."""
        return (_utc(now) - self.ready_after).date() - timedelta(days=1)

    def latest_due_day(self, now: datetime) -> date:
        """The newest day whose deadline has passed at `now`."""
        return (_utc(now) - self.due_after).date() - timedelta(days=1)

    def oldest_refillable_day(self, now: datetime) -> date:
        """The oldest day the source still serves whole at `now`."""
        if self.whole_day_retention:
            return (_utc(now) - timedelta(days=self.lookback_days)).date() + timedelta(days=1)
        return _utc(now).date() - timedelta(days=self.lookback_days)

    def expected_days(
        self, now: datetime, start_date: date | None = None, last_day: date | None = None
    ) -> list[date]:
        """Every day that must be loaded at `now`: due, still refillable, not before `start_date`
        (the first partition) and not after `last_day` (when given).

        Older days cannot be fetched again, so a gap there is permanent and not worth a warning
        every day; days not yet due are not missing yet.
        """
        first = self.oldest_refillable_day(now)
        if start_date is not None:
            first = max(first, start_date)
        last = self.latest_due_day(now)
        if last_day is not None:
            last = min(last, last_day)
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def deadline_of(self, day: date) -> datetime:
        """When `day` is due, as an aware UTC datetime."""
        return day_end(day) + self.due_after
