"""`marts.adoption_daily` (SQL: adoption_daily.sql): active and new users, WAU, MAU and
stickiness per day and surface."""

from __future__ import annotations

from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.defs.analytics.marts.columns import (
    UUD,
    active_on_the_day,
    col,
    day_surface_mart,
    ratio,
    volume_columns,
)
from codex_assets.lib.tables import refs

_ACTIVE = refs(UUD, "user_id", "is_active")

SPEC = day_surface_mart(
    "adoption_daily",
    "Adoption per day and surface (`all` included, every day of the range present): "
    "active and new users, WAU, MAU, stickiness, and volume.",
    "tests/unit/test_marts_adoption.py",
    active_on_the_day(),
    col("new_users", "BIGINT", d.NEW_USER, _ACTIVE, nullable=False),
    col("wau", "BIGINT", f"{d.WAU} {d.WINDOW_START}", _ACTIVE, nullable=False),
    col("mau", "BIGINT", f"{d.MAU} {d.WINDOW_START}", _ACTIVE, nullable=False),
    ratio("stickiness", "active_users / mau.", _ACTIVE),
    *volume_columns("{Measure} on the day on this surface.", UUD, nullable=False),
)
