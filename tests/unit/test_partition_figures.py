"""The plain pieces behind each partition's own figures and the days a run may cover: which
days the compliance log runs over, each day's row count, and the compliance landing plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from codex_assets.backfill import Window, compliance_days
from codex_assets.defs.compliance.client import ComplianceWindowError
from codex_assets.defs.compliance.landing import plan_days
from codex_assets.defs.metadata import rows_by_day

NOW = datetime(2026, 12, 4, 13, 0, tzinfo=UTC)
OLDEST = date(2026, 11, 5)  # the oldest day whose files are all within 30 days at NOW
END = date(2026, 12, 3)


def _days(start: date, end: date) -> list[date]:
    return Window(start, end).days


def test_the_oldest_retained_day_of_these_tests():
    from codex_assets.defs.compliance.window import oldest_retained_day

    assert oldest_retained_day(NOW) == OLDEST


@pytest.mark.parametrize(
    ("landed", "start"),
    [
        ((), OLDEST),  # a fresh install: the 30 days the API keeps
        (_days(date(2026, 10, 20), date(2026, 11, 4)), date(2026, 10, 20)),  # landed before
        ([date(2026, 10, 20), date(2026, 11, 4)], date(2026, 11, 4)),  # a gap stops it
    ],
)
def test_the_compliance_log_runs_over_the_latest_days_it_can_serve_or_has(landed, start):
    window = Window(END - timedelta(days=89), END)
    assert compliance_days(window, landed, NOW) == Window(start, END)


def test_a_window_the_compliance_api_can_no_longer_serve_leaves_the_log_out():
    old = Window(date(2026, 9, 1), date(2026, 9, 30))
    assert compliance_days(old, (), NOW) is None
    assert compliance_days(Window(OLDEST, END), (), NOW) == Window(OLDEST, END)


def test_a_compliance_range_holding_a_day_never_landed_and_gone_is_refused():
    gone = OLDEST - timedelta(days=1)
    with pytest.raises(ComplianceWindowError) as caught:
        plan_days(_days(gone - timedelta(days=2), END), NOW, landed=[gone - timedelta(days=2)])
    message = str(caught.value)
    assert f"{gone - timedelta(days=1)}..{gone}" in message and "no request was sent" in message
    assert f"Fetchable now: {OLDEST}..{END}" in message
    # Days beyond retention already landed are kept, the rest fetched.
    plan = plan_days(_days(gone, END), NOW, landed=[gone])
    assert plan.kept == (gone,) and plan.fetch == tuple(_days(OLDEST, END))


@dataclass(frozen=True)
class _Spec:
    qualified_name: str
    partition_column: str | None


def test_rows_by_day_counts_each_day_and_gives_zero_to_an_idle_one():
    with duckdb.connect() as conn:
        conn.execute(
            "CREATE TABLE daily AS SELECT * FROM (VALUES "
            "(DATE '2026-11-01'), (DATE '2026-11-01'), (DATE '2026-11-03')) t(day)"
        )
        conn.execute(
            "CREATE TABLE monthly AS SELECT * FROM (VALUES "
            "(DATE '2026-10-01'), (DATE '2026-11-01'), (DATE '2026-11-01')) t(month)"
        )
        days = _days(date(2026, 10, 31), date(2026, 11, 3))
        assert rows_by_day(conn, _Spec("daily", "day"), days) == {
            date(2026, 10, 31): 0,
            date(2026, 11, 1): 2,
            date(2026, 11, 2): 0,
            date(2026, 11, 3): 1,
        }
        # A monthly table: each day counts the rows of its month.
        assert rows_by_day(conn, _Spec("monthly", "month"), days) == {
            date(2026, 10, 31): 1,
            date(2026, 11, 1): 2,
            date(2026, 11, 2): 2,
            date(2026, 11, 3): 2,
        }
        # A table whose spec names no partition column is counted by the column given.
        assert rows_by_day(conn, _Spec("daily", None), days[:2], column="day") == {
            date(2026, 10, 31): 0,
            date(2026, 11, 1): 2,
        }
