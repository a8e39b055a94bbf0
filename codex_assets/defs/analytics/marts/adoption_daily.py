"""`marts.adoption_daily` (SQL: adoption_daily.sql): active and new users, WAU, MAU and
stickiness per day and surface."""

from __future__ import annotations

from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.defs.analytics.marts.columns import (
    UUD,
    active_users,
    col,
    day,
    ratio,
    surface,
    volume_columns,
)
from codex_assets.lib.tables import TableSpec, refs

TESTS = ("tests/unit/test_marts_adoption.py", "tests/property/test_analytics_conformance.py")
_ACTIVE = refs(UUD, "user_id", "is_active")

SPEC = TableSpec(
    qualified_name="marts.adoption_daily",
    description=(
        "Adoption per day and surface (`all` included, every day of the range present): "
        "active and new users, WAU, MAU, stickiness, and volume."
    ),
    grain=("day", "surface"),
    refresh="daily",
    upstream=(UUD,),
    sql_file="defs/analytics/marts/adoption_daily.sql",
    tests=TESTS,
    columns=(
        day(UUD),
        surface(refs(UUD, "surface")),
        active_users(f"Distinct users active on the day on this surface. {d.ACTIVE}", _ACTIVE),
        col("new_users", "BIGINT", d.NEW_USER, _ACTIVE, nullable=False),
        col("wau", "BIGINT", f"{d.WAU} {d.WINDOW_START}", _ACTIVE, nullable=False),
        col("mau", "BIGINT", f"{d.MAU} {d.WINDOW_START}", _ACTIVE, nullable=False),
        ratio("stickiness", "active_users / mau.", _ACTIVE),
        *volume_columns("{Measure} on the day on this surface.", UUD, nullable=False),
    ),
)
