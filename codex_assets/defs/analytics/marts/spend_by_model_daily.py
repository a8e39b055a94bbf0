"""`marts.spend_by_model_daily` (SQL: spend_by_model_daily.sql): credits, cost, users and
tokens per day, model and speed, from the per-user model breakdown."""

from __future__ import annotations

from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.defs.analytics.marts.columns import (
    UUM,
    active_users,
    billing_columns,
    col,
    day,
    mart_spec,
    raw_token_columns,
    uncosted_credits,
)
from codex_assets.lib.tables import refs

SPEC = mart_spec(
    "spend_by_model_daily",
    (
        "Spend per day, model and speed, from the per-user model breakdown: credits, cost, "
        "users, tokens."
    ),
    grain=("day", "model", "speed"),
    refresh="daily",
    upstream=(UUM,),
    unit_test="tests/unit/test_marts_usage.py",
    columns=(
        day(UUM),
        col(
            "model",
            "VARCHAR",
            "The model as the API names it; models it does not recognise come back as `other`.",
            refs(UUM, "model"),
        ),
        col(
            "speed",
            "VARCHAR",
            "standard or fast; NULL when the API gives no speed.",
            refs(UUM, "speed"),
        ),
        col("credits", "DOUBLE", "Credits used on this model and speed.", refs(UUM, "credits")),
        col("cost_usd", "DOUBLE", d.COST, refs(UUM, "cost_usd", "estimated_cost_usd", "credits")),
        uncosted_credits(refs(UUM, "estimated_cost_usd", "credits")),
        active_users(
            "Distinct users with credits above zero on this model and speed that day.",
            refs(UUM, "user_id", "credits"),
        ),
        *raw_token_columns(UUM),
        *billing_columns(refs(UUM, "credits", "cost_usd"), refs(UUM, "cost_usd")),
    ),
)
