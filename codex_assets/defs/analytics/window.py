"""Which days the Codex Analytics API can serve right now.

The API serves the last 90 days only, and a day's numbers keep moving for up to 12 hours after
it ends. Asking for a day outside that window either fails with an undocumented error or,
worse, returns a partial day that would be landed as if it were complete. So the client checks
the window *before* sending anything and says exactly which days are out and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from codex_assets.lib.api_windows import ANALYTICS_SLA as ANALYTICS_SLA
from codex_assets.lib.http.errors import OutsideApiWindowError

ANALYTICS_LOOKBACK_DAYS = ANALYTICS_SLA.lookback_days
ANALYTICS_LAG = ANALYTICS_SLA.ready_after


def latest_complete_day(now: datetime) -> date:
    """The newest day whose data is final: day D is complete once `now >= D+1 12:00 UTC`."""
    return ANALYTICS_SLA.latest_complete_day(now)


def oldest_servable_day(now: datetime) -> date:
    """The oldest day the API still serves: today (UTC) minus the 90-day lookback."""
    return ANALYTICS_SLA.oldest_refillable_day(now)


def check_days_servable(days: Iterable[date], now: datetime) -> None:
    """Raise `OutsideApiWindowError` naming every day the API cannot serve at `now`."""
    oldest = oldest_servable_day(now)
    latest = latest_complete_day(now)
    wanted = sorted(set(days))
    too_old = [day for day in wanted if day < oldest]
    not_complete = [day for day in wanted if day > latest]
    if too_old or not_complete:
        raise OutsideApiWindowError.build(
            too_old=too_old,
            not_complete=not_complete,
            oldest_servable=oldest,
            latest_complete=latest,
            lookback_days=ANALYTICS_LOOKBACK_DAYS,
            lag_hours=int(ANALYTICS_LAG.total_seconds() // 3600),
        )
