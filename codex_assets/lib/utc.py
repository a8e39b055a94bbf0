"""UTC, the one time zone of the project: the APIs' days, the partitions and the deadlines.

Every day is midnight to midnight UTC, and a naive datetime is taken to be UTC already, never
the machine's local time (`datetime.astimezone` would read it as local), so a test's or a
caller's naive clock means the same thing on every machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def utc_now() -> datetime:
    """Now, aware, in UTC (the default clock of the clients and the schedules)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day_start(day: date) -> datetime:
    """00:00 UTC of `day`, aware."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def day_end(day: date) -> datetime:
    """00:00 UTC of the day after `day`: the exclusive end of `day`."""
    return day_start(day + timedelta(days=1))
