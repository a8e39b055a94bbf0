"""marts.adoption_daily and marts.user_activity, against hand-worked answers.

Two datasets: `MAIN_USAGE` (Mar 1-6 2026, see test_marts_rawdata.py) for surfaces, new users
and zero denominators, and `LONG` below (Jan 1 - Feb 15 2026) for 7- and 28-day windows,
streaks and cohorts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_marts_rawdata import (
    D1,
    D2,
    D3,
    D4,
    D5,
    D6,
    Client,
    RawData,
    UserDay,
    build_all,
    directory_settings,
    load_main_dataset,
    raw_warehouse,
    rows,
)

from codex_assets.defs.analytics.marts import MartSettings, last_loaded_day, refresh_mart

approx = pytest.approx


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[RawData]:
    with raw_warehouse(tmp_path) as data:
        yield data


def _adoption(raw: RawData, surface: str) -> list[tuple]:
    return raw.conn.execute(
        "SELECT day, active_users, new_users, wau, mau, stickiness, threads, turns, credits "
        "FROM marts.adoption_daily WHERE surface = ? ORDER BY day",
        [surface],
    ).fetchall()


# --- adoption_daily on the main dataset -------------------------------------------------------


def test_adoption_all_surfaces(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    written = build_all(raw.conn, D1, D6, directory_settings(tmp_path))["adoption_daily"]
    assert written == 42  # 6 days x 7 surfaces
    # Active users by day: Mar 1 u1 u2 u3 | Mar 2 u1 u3 u4 | Mar 3 u3 (u2's row is all zero)
    # | Mar 4 none | Mar 5 u1 u3 | Mar 6 u3 u4. New: u1 u2 u3 on Mar 1, u4 on Mar 2.
    # WAU/MAU: every window reaches back before Mar 1 (the first loaded day) and sees
    # only loaded days: {u1,u2,u3} on Mar 1, all four from Mar 2 on.
    assert _adoption(raw, "all") == [
        # day active new wau mau stickiness threads        turns            credits
        (D1, 3, 3, 3, 3, 1.0, 5, 13, approx(7.5)),  # 3+1+1, 10+2+1, 6.0+1.0+0.5
        (D2, 3, 1, 4, 4, 0.75, 4, 6, approx(3.2)),  # 3+1+0, 4+2+0, 2.0+1.0+0.2
        (D3, 1, 0, 4, 4, 0.25, 1, 1, approx(1.0)),  # u3 1,1,1.0 + u2 0,0,0.0
        (D4, 0, 0, 4, 4, 0.0, 0, 0, 0.0),  # no usage: 0 / 4 is 0, not NULL
        (D5, 2, 0, 4, 4, 0.5, 2, 3, approx(3.0)),  # 1+1, 1+2, 1.0+2.0
        (D6, 2, 0, 4, 4, 0.5, 3, 3, approx(2.0)),  # 2+1, 2+1, 1.0+1.0
    ]


def test_adoption_per_surface_and_new_users_per_surface(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    build_all(raw.conn, D1, D6, directory_settings(tmp_path))
    # cli: u1 u2 on Mar 1 (new), nobody Mar 2-4, u1 u3 on Mar 5 (u3 new to cli), u3 u4 on
    # Mar 6 (u4 new to cli). WAU Mar 5 = {u1, u2, u3}; Mar 6 adds u4.
    assert _adoption(raw, "cli") == [
        (D1, 2, 2, 2, 2, 1.0, 3, 8, approx(5.0)),  # threads 2+1, turns 6+2, credits 4+1
        (D2, 0, 0, 2, 2, 0.0, 0, 0, 0.0),
        (D3, 0, 0, 2, 2, 0.0, 0, 0, 0.0),
        (D4, 0, 0, 2, 2, 0.0, 0, 0, 0.0),
        (D5, 2, 1, 3, 3, approx(2 / 3), 2, 3, approx(3.0)),  # u3 1,1,1.0 + u1 1,2,2.0
        (D6, 2, 1, 4, 4, 0.5, 3, 3, approx(2.0)),  # u3 2,2,1.0 + u4 1,1,1.0
    ]
    # Nobody on cloud before Mar 2: MAU 0, so stickiness is NULL (not 0, not infinity).
    assert _adoption(raw, "cloud") == [
        (D1, 0, 0, 0, 0, None, 0, 0, 0.0),
        (D2, 1, 1, 1, 1, 1.0, 1, 2, 1.0),  # u3 on CODEX_WEB
        (D3, 0, 0, 1, 1, 0.0, 0, 0, 0.0),
        (D4, 0, 0, 1, 1, 0.0, 0, 0, 0.0),
        (D5, 0, 0, 1, 1, 0.0, 0, 0, 0.0),
        (D6, 0, 0, 1, 1, 0.0, 0, 0, 0.0),
    ]
    # Code Review: u4 with credits only (0 threads, 0 turns) is an active, new user.
    assert _adoption(raw, "code_review")[:2] == [
        (D1, 0, 0, 0, 0, None, 0, 0, 0.0),
        (D2, 1, 1, 1, 1, 1.0, 0, 0, approx(0.2)),
    ]
    new_by_surface = dict(
        raw.conn.execute(
            "SELECT surface, sum(new_users) FROM marts.adoption_daily GROUP BY surface"
        ).fetchall()
    )
    # all: u1 u2 u3 u4 | cli: u1 u2 u3 u4 | ide: u1 | cloud: u3 | desktop: u3 | other: u3
    # | code_review: u4
    assert new_by_surface == {
        "all": 4, "cli": 4, "ide": 1, "cloud": 1, "desktop": 1, "other": 1, "code_review": 1,
    }  # fmt: skip


# --- the long dataset: windows, streaks, cohorts ----------------------------------------------


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


JAN = date(2026, 1, 1)
FEB15 = date(2026, 2, 15)
LONG: dict[str, list[date]] = {
    "inactive": _days(JAN, date(2026, 1, 10)),  # 10 days, none in the last 28
    "heavy15": _days(date(2026, 1, 20), date(2026, 2, 3)),  # Jan 20-31 (12) + Feb 1-3 (3) = 15
    "moderate14": _days(date(2026, 2, 2), FEB15),  # 14 days, ending on the last day
    "light4": [date(2026, 1, 19), date(2026, 2, 12), date(2026, 2, 13), FEB15],
    "moderate5": _days(date(2026, 1, 18), date(2026, 1, 23)),  # 6 days, 5 of them from Jan 19
}


def load_long(raw: RawData) -> None:
    """Each active day: 1 thread, 1 turn, 1.0 credit, $0.10, on the CLI."""
    for user, days in LONG.items():
        for day in days:
            raw.user_day(
                UserDay(
                    day, user, f"{user}@example.com", 1, 1, 1.0, 0.10,
                    clients=(Client("CODEX_CLI", 1, 1, 1.0, 0.10),),
                )
            )  # fmt: skip


def test_user_activity_streaks_windows_and_cohorts(raw: RawData) -> None:
    load_long(raw)
    build_all(raw.conn, JAN, FEB15, MartSettings())
    assert last_loaded_day(raw.conn) == FEB15
    got = {
        r.pop("user_id"): r
        for r in rows(
            raw.conn,
            "SELECT user_id, as_of_day, first_active_day, last_active_day, "
            "days_since_last_active, active_days_7d, active_days_28d, current_streak_days, "
            "longest_streak_days, threads_28d, credits_28d, cost_usd_28d, cohort "
            "FROM marts.user_activity",
        )
    }
    # As of Feb 15: the 7-day window is Feb 9-15, the 28-day window Jan 19 - Feb 15.
    assert got == {
        # last active Jan 10: Feb 15 - Jan 10 = 21 + 15 = 36 days; nothing in 28 days
        "inactive": {"as_of_day": FEB15, "first_active_day": JAN, "last_active_day": date(2026, 1, 10),
                     "days_since_last_active": 36, "active_days_7d": 0, "active_days_28d": 0,
                     "current_streak_days": 0, "longest_streak_days": 10, "threads_28d": 0,
                     "credits_28d": 0.0, "cost_usd_28d": 0.0, "cohort": "inactive"},
        # 15 active days, all inside the 28: heavy (the boundary)
        "heavy15": {"as_of_day": FEB15, "first_active_day": date(2026, 1, 20),
                    "last_active_day": date(2026, 2, 3), "days_since_last_active": 12,
                    "active_days_7d": 0, "active_days_28d": 15, "current_streak_days": 0,
                    "longest_streak_days": 15, "threads_28d": 15, "credits_28d": 15.0,
                    "cost_usd_28d": approx(1.5), "cohort": "heavy"},
        # 14 days ending today: moderate (the boundary), streak still running
        "moderate14": {"as_of_day": FEB15, "first_active_day": date(2026, 2, 2),
                       "last_active_day": FEB15, "days_since_last_active": 0,
                       "active_days_7d": 7, "active_days_28d": 14, "current_streak_days": 14,
                       "longest_streak_days": 14, "threads_28d": 14, "credits_28d": 14.0,
                       "cost_usd_28d": approx(1.4), "cohort": "moderate"},
        # Jan 19 is the window's first day; Feb 12, 13, 15 are in the 7 days; Feb 14 breaks
        # the streak: current 1, longest 2
        "light4": {"as_of_day": FEB15, "first_active_day": date(2026, 1, 19),
                   "last_active_day": FEB15, "days_since_last_active": 0, "active_days_7d": 3,
                   "active_days_28d": 4, "current_streak_days": 1, "longest_streak_days": 2,
                   "threads_28d": 4, "credits_28d": 4.0, "cost_usd_28d": approx(0.4),
                   "cohort": "light"},
        # Jan 18 is 28 days back, just outside the window: 5 of 6 days count; Jan 23 -> Feb 15
        # = 8 + 15 = 23 days
        "moderate5": {"as_of_day": FEB15, "first_active_day": date(2026, 1, 18),
                      "last_active_day": date(2026, 1, 23), "days_since_last_active": 23,
                      "active_days_7d": 0, "active_days_28d": 5, "current_streak_days": 0,
                      "longest_streak_days": 6, "threads_28d": 5, "credits_28d": 5.0,
                      "cost_usd_28d": approx(0.5), "cohort": "moderate"},
    }  # fmt: skip


def test_wau_and_mau_windows_on_the_long_dataset(raw: RawData) -> None:
    load_long(raw)
    build_all(raw.conn, JAN, FEB15, MartSettings())
    by_day = {
        r[0]: r[1:]
        for r in raw.conn.execute(
            "SELECT day, active_users, new_users, wau, mau, stickiness "
            "FROM marts.adoption_daily WHERE surface = 'all'"
        ).fetchall()
    }
    # Jan 1: the first loaded day; every window reaches before it. Only "inactive", new.
    assert by_day[JAN] == (1, 1, 1, 1, 1.0)
    # Jan 5: window Dec 9 - Jan 5, of which only Jan 1-5 are loaded: still just "inactive".
    assert by_day[date(2026, 1, 5)] == (1, 0, 1, 1, 1.0)
    # Jan 20: active moderate5 and heavy15 (new). WAU Jan 14-20: + light4 (Jan 19) = 3.
    # MAU Dec 24 - Jan 20: + inactive (Jan 1-10) = 4. Stickiness 2 / 4.
    assert by_day[date(2026, 1, 20)] == (2, 1, 3, 4, 0.5)
    # Jan 28: active heavy15. WAU Jan 22-28: heavy15, moderate5 (Jan 22-23) = 2.
    # MAU Jan 1-28: inactive, moderate5, light4, heavy15 = 4.
    assert by_day[date(2026, 1, 28)] == (1, 0, 2, 4, 0.25)
    # Feb 15: active moderate14, light4. WAU Feb 9-15: the same 2. MAU Jan 19 - Feb 15:
    # + heavy15 and moderate5 (Jan 19-23); inactive dropped out = 4.
    assert by_day[FEB15] == (2, 0, 2, 4, 0.5)
    # New users: one each on Jan 1, 18, 19, 20 and Feb 2.
    assert sorted(day for day, values in by_day.items() if values[1]) == [
        JAN, date(2026, 1, 18), date(2026, 1, 19), date(2026, 1, 20), date(2026, 2, 2),
    ]  # fmt: skip


# --- user_activity on the main dataset ----------------------------------------------------------


def test_user_activity_on_the_main_dataset(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    written = build_all(raw.conn, D1, D6, directory_settings(tmp_path))["user_activity"]
    got = {
        r.pop("user_id"): r
        for r in rows(
            raw.conn,
            "SELECT user_id, email, team, cost_centre, first_active_day, last_active_day, "
            "active_days_7d, active_days_28d, current_streak_days, longest_streak_days, "
            "threads_28d, turns_28d, credits_28d, cost_usd_28d, cohort FROM marts.user_activity",
        )
    }
    assert written == 4
    # As of Mar 6; the 28-day window (Feb 7 - Mar 6) crosses the first loaded day (Mar 1).
    assert got == {
        # active Mar 1, 2, 5: longest 2, not active Mar 6; threads 3+3+1, turns 10+4+2,
        # credits 6+2+2, cost 0.60+0.20+0.20
        "u1": {"email": "alice@example.com", "team": "platform", "cost_centre": "CC-PLAT",
               "first_active_day": D1, "last_active_day": D5, "active_days_7d": 3,
               "active_days_28d": 3, "current_streak_days": 0, "longest_streak_days": 2,
               "threads_28d": 7, "turns_28d": 16, "credits_28d": approx(10.0),
               "cost_usd_28d": approx(1.0), "cohort": "light"},
        # active Mar 1 only (the Mar 3 row is all zero); no email anywhere
        "u2": {"email": None, "team": "data", "cost_centre": "CC-DATA", "first_active_day": D1,
               "last_active_day": D1, "active_days_7d": 1, "active_days_28d": 1,
               "current_streak_days": 0, "longest_streak_days": 1, "threads_28d": 1,
               "turns_28d": 2, "credits_28d": 1.0, "cost_usd_28d": approx(0.10),
               "cohort": "light"},
        # Mar 1-3 then Mar 5-6: the idle Mar 4 breaks the streak (longest 3, current 2);
        # threads 1+1+1+1+2, turns 1+2+1+1+2, credits 0.5+1+1+1+1; two days without an estimate
        "u3": {"email": "bob@example.com", "team": "unassigned", "cost_centre": None,
               "first_active_day": D1, "last_active_day": D6, "active_days_7d": 5,
               "active_days_28d": 5, "current_streak_days": 2, "longest_streak_days": 3,
               "threads_28d": 6, "turns_28d": 7, "credits_28d": approx(4.5),
               "cost_usd_28d": None, "cohort": "moderate"},
        # Mar 2 and Mar 6; credits 0.2 + 1.0, cost 0.02 + 0.10
        "u4": {"email": "Carol@Example.com", "team": "platform", "cost_centre": None,
               "first_active_day": D2, "last_active_day": D6, "active_days_7d": 2,
               "active_days_28d": 2, "current_streak_days": 1, "longest_streak_days": 1,
               "threads_28d": 1, "turns_28d": 1, "credits_28d": approx(1.2),
               "cost_usd_28d": approx(0.12), "cohort": "light"},
    }  # fmt: skip


def test_user_activity_as_of_an_idle_last_day(raw: RawData, tmp_path: Path) -> None:
    """The last loaded day counts even when nobody used Codex on it."""
    load_main_dataset(raw)
    settings = directory_settings(tmp_path)
    build_all(raw.conn, D1, D4, settings)  # Mar 4 has no usage at all
    assert last_loaded_day(raw.conn) == D4
    streaks = raw.conn.execute(
        "SELECT user_id, as_of_day, current_streak_days, longest_streak_days, "
        "days_since_last_active FROM marts.user_activity ORDER BY user_id"
    ).fetchall()
    assert streaks == [
        ("u1", D4, 0, 2, 2),  # last active Mar 2
        ("u2", D4, 0, 1, 3),  # last active Mar 1
        ("u3", D4, 0, 3, 1),  # Mar 1-3, broken by Mar 4
        ("u4", D4, 0, 1, 2),  # Mar 2
    ]


def test_user_activity_as_of_an_explicit_day(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    settings = directory_settings(tmp_path)
    build_all(raw.conn, D1, D6, settings)
    refresh_mart(raw.conn, "user_activity", end=D3, settings=settings)
    # As of Mar 3, u3 is on a 3-day streak and u4 (first seen Mar 2) is included.
    assert raw.conn.execute(
        "SELECT user_id, current_streak_days, last_active_day FROM marts.user_activity "
        "WHERE user_id IN ('u3', 'u4') ORDER BY user_id"
    ).fetchall() == [("u3", 3, D3), ("u4", 0, D2)]


def test_user_activity_before_anything_is_loaded_is_empty(raw: RawData) -> None:
    assert refresh_mart(raw.conn, "user_activity") == 0
