"""When each API's day is due, and how far back its API can still refill a missing day.

One description per API, so the partition freshness checks (deadline cron), the asset-level
freshness policies (time windows) and the coverage checks (which days must be present) all
agree:

- Analytics day D is complete at D+1 12:00 UTC (the documented 12-hour lag) and is due, loaded,
  by D+1 14:00 UTC. The API serves the last 90 days.
- Compliance day D is complete at D+1 01:00 UTC (files land with a p99 under 30 minutes; the
  client waits an hour) and is due by D+1 02:00 UTC. Compliance files are kept 30 days after they end, so a day can
  be fetched again while all of it is younger than that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


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
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC) + self.due_after


def _utc(now: datetime) -> datetime:
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


ANALYTICS_SLA = Sla(
    name="analytics",
    ready_after=timedelta(hours=12),
    due_after=timedelta(hours=14),
    lookback_days=90,
)
COMPLIANCE_SLA = Sla(
    name="compliance",
    ready_after=timedelta(hours=1),
    due_after=timedelta(hours=2),
    lookback_days=30,
    whole_day_retention=True,
)
