"""Which days the Compliance API can serve right now, and when a day of its log is due.

Its files are kept 30 days after they end, with no backfill, so a day can be fetched only while
all of it is younger than that; a day's last files are published within 30 minutes (p99), so
the client waits an hour after the day ends before it counts the day as complete. The daily
compliance run starts at 01:15 UTC, and the day is due by 02:00 UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from codex_assets.lib.api_windows import COMPLIANCE_SLA as COMPLIANCE_SLA

RETENTION_DAYS = COMPLIANCE_SLA.lookback_days
PUBLICATION_LAG = COMPLIANCE_SLA.ready_after
"""A day is complete this long after it ends (the documented p99 file latency is 30 min)."""


def oldest_retained_day(now: datetime) -> date:
    """The oldest day all of whose files are still within the 30-day retention at `now`."""
    return COMPLIANCE_SLA.oldest_refillable_day(now)


def latest_complete_day(now: datetime) -> date:
    """The newest day all of whose files are published at `now` (D once D+1 01:00 UTC passed).

    The same rule as the analytics API's (`Sla.latest_complete_day`), with the compliance
    files' one-hour publication lag instead of the analytics API's 12 hours."""
    return COMPLIANCE_SLA.latest_complete_day(now)
