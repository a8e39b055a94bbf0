"""`marts.usage_user_daily` (SQL: usage_user_daily.sql) and the two state tables its refresh
keeps (user_first_active.sql, user_active_runs.sql): the usage every other usage mart reads."""

from __future__ import annotations

from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.defs.analytics.marts.columns import (
    USER_ID,
    UU,
    UUC,
    billing_columns,
    col,
    day,
    mart_spec,
    raw_token_columns,
    surface,
    volume_columns,
)
from codex_assets.lib.tables import Column, TableSpec, refs

_USAGE_KEYS = refs(UU, "user_id", "email")

SPEC = mart_spec(
    "usage_user_daily",
    (
        "Codex usage per day, user and surface: an `all` row per user-day from the user's "
        "totals, and one row per surface the user's clients map to, summed."
    ),
    grain=("day", "user_id", "surface"),
    refresh="daily",
    upstream=(UU, UUC),
    state_sql=(
        "defs/analytics/marts/user_first_active.sql",
        "defs/analytics/marts/user_active_runs.sql",
    ),
    unit_test="tests/unit/test_marts_usage.py",
    columns=(
        day(UU, UUC),
        col("user_id", "VARCHAR", USER_ID, refs(UU, "user_id") + refs(UUC, "user_id")),
        col("email", "VARCHAR", d.EMAIL, refs(UU, "email") + refs(UUC, "email")),
        col("team", "VARCHAR", f"The user's team. {d.TEAM}", _USAGE_KEYS, nullable=False),
        col("cost_centre", "VARCHAR", f"The user's cost centre. {d.TEAM}", _USAGE_KEYS),
        surface(refs(UUC, "client_id")),
        col(
            "client_ids",
            "VARCHAR[]",
            "The client ids summed into this row (on `all`: every client the user used that "
            "day), to check the surfaces file against.",
            refs(UUC, "client_id"),
            nullable=False,
        ),
        *volume_columns(
            "{Measure}: the user's totals on `all`, the sum over the surface's clients otherwise.",
            UU,
            UUC,
        ),
        col(
            "cost_usd",
            "DOUBLE",
            d.COST,
            refs(UU, "cost_usd", "estimated_cost_usd", "credits")
            + refs(UUC, "cost_usd", "estimated_cost_usd", "credits"),
        ),
        *raw_token_columns(UU, UUC),
        col(
            "is_active",
            "BOOLEAN",
            d.ACTIVE,
            refs(UU, "threads", "turns", "credits") + refs(UUC, "threads", "turns", "credits"),
            nullable=False,
        ),
        *billing_columns(
            refs(UU, "credits", "cost_usd") + refs(UUC, "credits", "cost_usd"),
            refs(UU, "cost_usd") + refs(UUC, "cost_usd"),
        ),
    ),
)


def _state_table(
    name: str, description: str, grain: tuple[str, ...], *columns: Column
) -> TableSpec:
    """A table this mart's refresh keeps beside it (its state SQL), one row per user and
    `grain`'s other key."""
    return TableSpec(
        qualified_name=f"marts.{name}",
        description=description,
        grain=grain,
        maintained_by=SPEC.name,
        tests=("tests/unit/test_marts_refresh.py",),
        columns=(col("user_id", "VARCHAR", USER_ID, nullable=False), *columns),
    )


USER_FIRST_ACTIVE = _state_table(
    "user_first_active",
    "Each user's first active day per surface (and `all`) over all loaded history: "
    "what adoption_daily counts new users from.",
    ("user_id", "surface"),
    col("surface", "VARCHAR", d.SURFACE, nullable=False),
    col("first_active_day", "DATE", d.NEW_USER, nullable=False),
)

USER_ACTIVE_RUNS = _state_table(
    "user_active_runs",
    "Each user's runs of consecutive active days (any surface): what user_activity "
    "reads first and last active days and streaks from.",
    ("user_id", "run_start"),
    col("run_start", "DATE", "First day of the run.", nullable=False),
    col("run_end", "DATE", "Last day of the run.", nullable=False),
    col("email", "VARCHAR", f"The last email seen in the run. {d.EMAIL}"),
)
