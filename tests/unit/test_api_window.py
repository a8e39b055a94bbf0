"""Which days the Analytics API can serve: the 90-day lookback and the 12-hour lag."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from codex_assets.defs.analytics.window import (
    ANALYTICS_LAG,
    ANALYTICS_LOOKBACK_DAYS,
    check_days_servable,
    latest_complete_day,
    oldest_servable_day,
)
from codex_assets.lib.http.errors import OutsideApiWindowError


def test_constants():
    assert ANALYTICS_LOOKBACK_DAYS == 90
    assert timedelta(hours=12) == ANALYTICS_LAG


@pytest.mark.parametrize(
    ("now", "latest"),
    [
        (datetime(2026, 5, 2, 12, 0, tzinfo=UTC), date(2026, 5, 1)),  # exactly complete
        (datetime(2026, 5, 2, 11, 59, 59, tzinfo=UTC), date(2026, 4, 30)),  # a second early
        (datetime(2026, 5, 2, 0, 0, tzinfo=UTC), date(2026, 4, 30)),
        (datetime(2026, 5, 2, 23, 59, tzinfo=UTC), date(2026, 5, 1)),
        (datetime(2026, 3, 1, 12, 0, tzinfo=UTC), date(2026, 2, 28)),  # across a month end
    ],
)
def test_latest_complete_day(now, latest):
    assert latest_complete_day(now) == latest


def test_times_in_other_zones_are_converted_to_utc():
    # 2026-05-02 13:30 at UTC+2 is 11:30 UTC: 2026-05-01 is not complete yet.
    now = datetime(2026, 5, 2, 13, 30, tzinfo=timezone(timedelta(hours=2)))
    assert latest_complete_day(now) == date(2026, 4, 30)
    naive = datetime(2026, 5, 2, 12, 0)  # taken as UTC, never as local time
    assert latest_complete_day(naive) == date(2026, 5, 1)


def test_oldest_servable_day_is_today_minus_90():
    assert oldest_servable_day(datetime(2026, 5, 10, 0, 1, tzinfo=UTC)) == date(2026, 2, 9)
    assert oldest_servable_day(datetime(2026, 5, 10, 23, 59, tzinfo=UTC)) == date(2026, 2, 9)


NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)


def test_the_whole_servable_range_passes():
    days = [date(2026, 2, 9) + timedelta(days=i) for i in range(90)]
    assert days[-1] == date(2026, 5, 9)
    check_days_servable(days, NOW)
    check_days_servable([], NOW)


def test_too_old_days_are_named_with_what_to_do():
    with pytest.raises(OutsideApiWindowError) as caught:
        check_days_servable([date(2026, 2, 7), date(2026, 2, 8), date(2026, 2, 9)], NOW)
    error = caught.value
    assert error.too_old == (date(2026, 2, 7), date(2026, 2, 8))
    assert error.not_complete == ()
    message = str(error)
    assert "2026-02-07..2026-02-08" in message
    assert "only the last 90 days" in message
    assert "already landed" in message and "kept" in message
    assert "Servable now: 2026-02-09..2026-05-09" in message
    assert "no request was sent" in message


def test_incomplete_days_say_when_they_complete():
    with pytest.raises(OutsideApiWindowError) as caught:
        check_days_servable([date(2026, 5, 9), date(2026, 5, 10), date(2026, 5, 12)], NOW)
    error = caught.value
    assert error.not_complete == (date(2026, 5, 10), date(2026, 5, 12))
    message = str(error)
    assert "2026-05-10, 2026-05-12" in message
    assert "D+1 12:00 UTC" in message and "12 hours" in message
    assert "2026-05-11 12:00 UTC" in message and "run again after" in message


def test_both_problems_in_one_message():
    with pytest.raises(OutsideApiWindowError) as caught:
        check_days_servable([date(2025, 1, 1), date(2026, 6, 1)], NOW)
    assert caught.value.too_old == (date(2025, 1, 1),)
    assert caught.value.not_complete == (date(2026, 6, 1),)
    assert (caught.value.oldest_servable, caught.value.latest_complete) == (
        date(2026, 2, 9),
        date(2026, 5, 9),
    )
