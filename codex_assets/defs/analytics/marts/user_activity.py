"""`marts.user_activity` (SQL: user_activity.sql): one row per user who has been active, as of
the last loaded day, read from the state table marts.user_active_runs and the last 28 days."""

from __future__ import annotations

from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.defs.analytics.marts.columns import USER_ID, UUD, col, mart_spec
from codex_assets.lib.tables import Column, refs

_DAYS_ACTIVE = refs(UUD, "day", "is_active")


def _by_day(name: str, description: str) -> Column:
    """A per-user figure derived from the days the user was active."""
    return col(name, "BIGINT", description, _DAYS_ACTIVE, nullable=False)


def _last_28_days(name: str, type_: str, what: str, source: str) -> Column:
    return col(
        name,
        type_,
        f"{what} in the 28 days ending on as_of_day.",
        refs(UUD, source),
        nullable=False,
    )


SPEC = mart_spec(
    "user_activity",
    (
        "One row per user who has been active, as of the last loaded day: first and last "
        "active day, recent activity, streaks and cohort."
    ),
    grain=("user_id",),
    refresh="snapshot",
    upstream=(UUD,),
    unit_test="tests/unit/test_marts_adoption.py",
    columns=(
        col(
            "as_of_day",
            "DATE",
            "The day this snapshot describes: the last day usage_user_daily was built for.",
            refs(UUD, "day"),
            nullable=False,
        ),
        col("user_id", "VARCHAR", USER_ID, refs(UUD, "user_id"), nullable=False),
        col(
            "email",
            "VARCHAR",
            f"The latest email seen for the user. {d.EMAIL}",
            refs(UUD, "email"),
        ),
        col(
            "team",
            "VARCHAR",
            f"The user's team now. {d.TEAM}",
            refs(UUD, "user_id", "email"),
            nullable=False,
        ),
        col(
            "cost_centre",
            "VARCHAR",
            f"The user's cost centre now. {d.TEAM}",
            refs(UUD, "user_id", "email"),
        ),
        col(
            "first_active_day",
            "DATE",
            f"The first day the user was active, over all loaded history. {d.ACTIVE}",
            _DAYS_ACTIVE,
            nullable=False,
        ),
        col(
            "last_active_day",
            "DATE",
            "The last day the user was active, on or before as_of_day.",
            _DAYS_ACTIVE,
            nullable=False,
        ),
        _by_day(
            "days_since_last_active",
            "as_of_day - last_active_day, in days (0: active on as_of_day).",
        ),
        _by_day(
            "active_days_7d",
            f"Days the user was active in the 7 days ending on as_of_day. {d.WINDOW_START}",
        ),
        _by_day(
            "active_days_28d",
            f"Days the user was active in the 28 days ending on as_of_day. {d.WINDOW_START}",
        ),
        _by_day(
            "current_streak_days",
            f"Length of the streak ending on as_of_day (0 when not active that day). {d.STREAK}",
        ),
        _by_day(
            "longest_streak_days",
            f"Length of the longest streak over all loaded history. {d.STREAK}",
        ),
        _last_28_days("threads_28d", "BIGINT", "Threads", "threads"),
        _last_28_days("turns_28d", "BIGINT", "Turns", "turns"),
        _last_28_days("credits_28d", "DOUBLE", "Credits", "credits"),
        col(
            "cost_usd_28d",
            "DOUBLE",
            f"Cost in the 28 days ending on as_of_day. {d.COST}",
            refs(UUD, "cost_usd"),
        ),
        col("cohort", "VARCHAR", d.COHORT, _DAYS_ACTIVE, nullable=False),
    ),
)
