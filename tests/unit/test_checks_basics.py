"""The check helpers: day ranges, backfill commands, offenders, and each API's SLA."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from codex_assets.defs.analytics.window import ANALYTICS_SLA
from codex_assets.defs.compliance.window import COMPLIANCE_SLA
from codex_assets.lib.checks.outcome import (
    backfill_commands,
    day_ranges,
    find_offenders,
    format_days,
    plural,
    window_text,
)
from codex_assets.lib.checks.sla import Sla

D = date(2026, 5, 1)


def days(*offsets: int) -> list[date]:
    return [D + timedelta(days=i) for i in offsets]


def test_consecutive_days_collapse_into_ranges():
    assert day_ranges(days(3, 0, 1, 2, 5, 7, 8)) == [
        (D, D + timedelta(days=3)),
        (D + timedelta(days=5), D + timedelta(days=5)),
        (D + timedelta(days=7), D + timedelta(days=8)),
    ]
    assert format_days(days(0, 1, 2, 5)) == "2026-05-01..2026-05-03, 2026-05-06"
    assert (
        format_days(days(*range(0, 60, 2)), cap=2) == "2026-05-01, 2026-05-03, and 28 more ranges"
    )


def test_backfill_commands_are_the_exact_cli_per_range():
    assert backfill_commands(days(0, 1, 4)) == [
        "uv run codex-assets backfill --start 2026-05-01 --end 2026-05-02",
        "uv run codex-assets backfill --start 2026-05-05 --end 2026-05-05",
    ]


def test_plural_and_window_text():
    assert plural(1, "day") == "1 day"
    assert plural(3, "day") == "3 days"
    assert plural(2, "copy", "copies") == "2 copies"
    assert window_text(days(2, 0, 1)) == "2026-05-01..2026-05-03 (3 days)"
    assert window_text([]) == "no days"


def test_offenders_report_the_total_the_days_and_only_the_latest_rows():
    with duckdb.connect() as conn:
        conn.execute(
            "CREATE TABLE t AS SELECT (DATE '2026-05-01' + (i % 3)::INT) AS day, i AS value "
            "FROM range(50) AS r(i)"
        )
        found = find_offenders(
            conn, "SELECT * FROM t WHERE value >= $low ORDER BY value", {"low": 10}, cap=5
        )
        none = find_offenders(conn, "SELECT * FROM t WHERE value < 0")
    assert found.total == 40
    assert found.days == days(0, 1, 2)
    # The sample shown in the UI: the latest day first, whatever order the check's query has.
    assert [(row["day"], row["value"]) for row in found.rows] == [
        (D + timedelta(days=2), value) for value in (11, 14, 17, 20, 23)
    ]
    assert (none.total, none.days, none.rows) == (0, [], [])


def test_analytics_day_is_due_by_14_utc_next_day_and_served_for_90_days():
    assert ANALYTICS_SLA.deadline_cron == "0 14 * * *"
    assert ANALYTICS_SLA.deadline_text == "D+1 14:00 UTC"
    assert ANALYTICS_SLA.deadline_of(D) == datetime(2026, 5, 2, 14, tzinfo=UTC)
    assert ANALYTICS_SLA.latest_due_day(datetime(2026, 5, 2, 13, 59, tzinfo=UTC)) == D - timedelta(
        days=1
    )
    assert ANALYTICS_SLA.latest_due_day(datetime(2026, 5, 2, 14, 0, tzinfo=UTC)) == D
    now = datetime(2026, 8, 1, 15, tzinfo=UTC)
    expected = ANALYTICS_SLA.expected_days(now)
    assert (expected[0], expected[-1], len(expected)) == (date(2026, 5, 3), date(2026, 7, 31), 90)
    # The first partition bounds it too.
    assert ANALYTICS_SLA.expected_days(now, start_date=date(2026, 7, 30)) == [
        date(2026, 7, 30),
        date(2026, 7, 31),
    ]


def test_compliance_day_is_due_by_02_utc_next_day_and_kept_30_days():
    assert COMPLIANCE_SLA.deadline_cron == "0 2 * * *"
    assert COMPLIANCE_SLA.latest_due_day(datetime(2026, 5, 2, 2, 0, tzinfo=UTC)) == D
    assert COMPLIANCE_SLA.latest_due_day(datetime(2026, 5, 2, 1, 59, tzinfo=UTC)) == D - timedelta(
        days=1
    )
    # Files expire 30 days after they end: on 08-01 03:00 the oldest whole day is 07-03.
    expected = COMPLIANCE_SLA.expected_days(datetime(2026, 8, 1, 3, tzinfo=UTC))
    assert (expected[0], expected[-1]) == (date(2026, 7, 3), date(2026, 7, 31))


def test_time_window_policies_allow_a_day_plus_the_slack_to_the_deadline():
    assert ANALYTICS_SLA.fail_window == timedelta(hours=26)
    assert ANALYTICS_SLA.warn_window == timedelta(hours=25)
    assert COMPLIANCE_SLA.fail_window == timedelta(hours=25)
    assert COMPLIANCE_SLA.warn_window == timedelta(hours=24)


def test_an_sla_must_make_sense():
    with pytest.raises(ValueError):
        Sla("x", ready_after=timedelta(hours=3), due_after=timedelta(hours=2), lookback_days=1)
    with pytest.raises(ValueError):
        Sla("x", ready_after=timedelta(0), due_after=timedelta(hours=2), lookback_days=0)
    assert Sla("x", timedelta(0), timedelta(hours=2, minutes=30), 1).deadline_cron == "30 2 * * *"


@pytest.mark.parametrize("hour", [0, 1, 2, 11, 12, 13, 14, 23])
def test_the_slas_agree_with_the_api_clients_windows(hour):
    """The checks expect exactly the days the clients can fetch (a drift would make coverage
    ask for days no command can load)."""
    from codex_assets.defs.analytics import window
    from codex_assets.defs.compliance import client as compliance

    now = datetime(2026, 8, 1, hour, 30, tzinfo=UTC)
    assert ANALYTICS_SLA.oldest_refillable_day(now) == window.oldest_servable_day(now)
    assert COMPLIANCE_SLA.oldest_refillable_day(now) == compliance.oldest_retained_day(now)
    # Due never comes before the client can fetch the day.
    assert ANALYTICS_SLA.latest_due_day(now) <= window.latest_complete_day(now)
    assert COMPLIANCE_SLA.latest_due_day(now) <= compliance.latest_complete_day(now)
