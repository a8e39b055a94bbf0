"""`marts.spend_by_surface_daily` (SQL: spend_by_surface_daily.sql): credits, cost, cost per
active user and tokens per day and surface."""

from __future__ import annotations

from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.defs.analytics.marts.columns import (
    UUD,
    active_users,
    billing_columns,
    col,
    cost_columns,
    cost_per_active_user,
    day,
    mart_token_columns,
    surface,
)
from codex_assets.lib.tables import TableSpec, refs

TESTS = ("tests/unit/test_marts_usage.py", "tests/property/test_analytics_conformance.py")

SPEC = TableSpec(
    qualified_name="marts.spend_by_surface_daily",
    description=(
        "Spend per day and surface (`all` included, every day of the range present): credits, "
        "cost, cost per active user, tokens."
    ),
    grain=("day", "surface"),
    refresh="daily",
    upstream=(UUD,),
    sql_file="defs/analytics/marts/spend_by_surface_daily.sql",
    tests=TESTS,
    columns=(
        day(UUD),
        surface(refs(UUD, "surface")),
        col("credits", "DOUBLE", "Credits used.", refs(UUD, "credits"), nullable=False),
        *cost_columns(UUD),
        active_users(
            f"Distinct users active on the day on this surface. {d.ACTIVE}",
            refs(UUD, "user_id", "is_active"),
        ),
        cost_per_active_user(UUD),
        *mart_token_columns(UUD),
        *billing_columns(refs(UUD, "credits", "billed_cost_usd"), refs(UUD, "billed_cost_usd")),
    ),
)
