"""`marts.spend_by_surface_daily` (SQL: spend_by_surface_daily.sql): credits, cost, cost per
active user and tokens per day and surface."""

from __future__ import annotations

from codex_assets.defs.analytics.marts.columns import (
    UUD,
    active_on_the_day,
    billing_columns,
    col,
    cost_columns,
    cost_per_active_user,
    day_surface_mart,
    mart_token_columns,
)
from codex_assets.lib.tables import refs

SPEC = day_surface_mart(
    "spend_by_surface_daily",
    "Spend per day and surface (`all` included, every day of the range present): credits, "
    "cost, cost per active user, tokens.",
    "tests/unit/test_marts_usage.py",
    col("credits", "DOUBLE", "Credits used.", refs(UUD, "credits"), nullable=False),
    *cost_columns(UUD),
    active_on_the_day(),
    cost_per_active_user(UUD),
    *mart_token_columns(UUD),
    *billing_columns(refs(UUD, "credits", "billed_cost_usd"), refs(UUD, "billed_cost_usd")),
)
