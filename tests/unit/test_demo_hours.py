"""`codex-assets demo` leaves every freshness check green at any hour of the day.

The trap it avoids: between 01:00 and 12:00 UTC the compliance log of yesterday is complete
(and due by 02:00) while the analytics day is not (its 12-hour lag), so a demo that loads one
window for both APIs leaves the compliance day the check expects unloaded. The clock is set to
every hour and to each boundary minute, and the freshness rules are asked about the days the
demo loads at that moment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from codex_assets.backfill import compliance_tail, last_days_window
from codex_assets.defs.analytics.window import ANALYTICS_SLA
from codex_assets.defs.analytics.window import latest_complete_day as analytics_complete_day
from codex_assets.defs.compliance.checks.freshness import (
    API_NOT_OFFERED,
    ApiNewestEvent,
    LakeNewestEvent,
    compliance_freshness,
)
from codex_assets.defs.compliance.window import COMPLIANCE_SLA
from codex_assets.defs.compliance.window import latest_complete_day as compliance_complete_day

DAY = datetime(2026, 12, 4, tzinfo=UTC)
MOMENTS = sorted(
    {DAY + timedelta(hours=hour) for hour in range(24)}
    | {
        DAY + timedelta(hours=h, minutes=m)
        for h, m in ((0, 59), (1, 1), (1, 59), (2, 1), (11, 59), (12, 1), (13, 59), (14, 1))
    }
)


def _loaded(now: datetime) -> tuple[list[date], list[date]]:
    """(analytics days, compliance days) `demo` loads at `now`."""
    window = last_days_window(90, SimpleNamespace(start_date=date(2026, 1, 1)), now)  # type: ignore[arg-type]
    tail = compliance_tail(window, now)
    return window.days, window.days + (tail.days if tail else [])


@pytest.mark.parametrize("now", MOMENTS, ids=lambda now: now.strftime("%H:%M"))
def test_the_demo_loads_every_day_the_freshness_checks_expect(now: datetime) -> None:
    analytics, compliance = _loaded(now)
    assert ANALYTICS_SLA.latest_due_day(now) in analytics
    due = COMPLIANCE_SLA.latest_due_day(now)
    outcome = compliance_freshness(
        table="compliance_codex_log",
        sla=COMPLIANCE_SLA,
        due_day=due,
        landed=due in compliance,
        lake=LakeNewestEvent(None, None, 0),
        api=ApiNewestEvent(API_NOT_OFFERED),
    )
    assert outcome.passed, outcome.summary
    # ... and asks neither API for a day it cannot serve yet.
    assert max(analytics) == analytics_complete_day(now)
    assert max(compliance) == compliance_complete_day(now)


@pytest.mark.parametrize("hour", range(24))
def test_the_compliance_log_runs_ahead_only_while_the_analytics_day_waits(hour: int) -> None:
    """From 01:00 to 12:00 UTC one more compliance day (yesterday), at any other hour none."""
    now = DAY + timedelta(hours=hour)
    analytics, compliance = _loaded(now)
    extra = sorted(set(compliance) - set(analytics))
    assert extra == ([date(2026, 12, 3)] if 1 <= hour < 12 else [])


def test_the_compliance_run_builds_only_what_the_compliance_log_alone_feeds() -> None:
    """The cross-source mart waits for its analytics day; without the compliance key (the
    compliance assets left out of the run) there is no second run at all."""
    import dagster as dg

    from codex_assets.backfill import compliance_only
    from codex_assets.defs.compliance.raw_assets import RAW_KEY

    chosen = {key.to_user_string() for key in compliance_only(None)}
    assert {
        "raw/compliance_codex_log",
        "restricted/compliance_events",
        "marts/compliance_activity_daily",
        "reports/compliance_export",
    } <= chosen
    assert "marts/usage_reconciliation_daily" not in chosen
    assert not any(key.startswith(("raw/usage", "raw/code_review")) for key in chosen)
    without = dg.AssetSelection.all() - dg.AssetSelection.assets(RAW_KEY).downstream()
    assert compliance_only(without) == set()


@pytest.mark.parametrize("hour", range(24))
def test_backfilling_yesterday_loads_its_compliance_log_whenever_it_is_complete(hour: int) -> None:
    """`backfill --start D --end D`, the command the compliance freshness check names, for
    yesterday: before 12:00 UTC only the compliance log can serve it (from 01:00), so it
    alone is loaded; a range reaching into days the analytics API serves is not cut short."""
    from codex_assets.backfill import compliance_ahead

    now = DAY + timedelta(hours=hour)
    settings = SimpleNamespace(start_date=date(2026, 1, 1))
    yesterday = date(2026, 12, 3)
    ahead = compliance_ahead(yesterday, yesterday, settings, now)  # type: ignore[arg-type]
    assert (ahead is not None) == (1 <= hour < 12)
    two_days = compliance_ahead(yesterday - timedelta(days=1), yesterday, settings, now)  # type: ignore[arg-type]
    assert two_days is None  # the day before is an analytics day: refused whole, with why
