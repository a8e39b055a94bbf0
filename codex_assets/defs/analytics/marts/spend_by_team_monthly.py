"""`marts.spend_by_team_monthly` (SQL: spend_by_team_monthly.sql): credits, cost and active
users per calendar month and team; a refresh rebuilds every month its days touch."""

from __future__ import annotations

from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.defs.analytics.marts.columns import (
    UUD,
    active_users,
    billing_columns,
    col,
    cost_columns,
    cost_per_active_user,
    mart_spec,
)
from codex_assets.lib.tables import refs

SPEC = mart_spec(
    "spend_by_team_monthly",
    (
        "Spend per calendar month and team, from the users' `all` rows: credits, cost, "
        "active users. A month is rebuilt whole whenever a refresh touches one of its days."
    ),
    grain=("month", "team"),
    refresh="monthly",
    upstream=(UUD,),
    unit_test="tests/unit/test_marts_usage.py",
    columns=(
        col(
            "month",
            "DATE",
            "The first day of the UTC calendar month.",
            refs(UUD, "day"),
            nullable=False,
        ),
        col(
            "team",
            "VARCHAR",
            f"The team the directory gave when the day was built. {d.TEAM}",
            refs(UUD, "team"),
            nullable=False,
        ),
        col("credits", "DOUBLE", "Credits used in the month.", refs(UUD, "credits")),
        *cost_columns(UUD),
        active_users(
            f"Distinct users active on at least one day of the month. {d.ACTIVE}",
            refs(UUD, "user_id", "is_active"),
        ),
        cost_per_active_user(UUD),
        *billing_columns(refs(UUD, "credits", "billed_cost_usd"), refs(UUD, "billed_cost_usd")),
    ),
)
