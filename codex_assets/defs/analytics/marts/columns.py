"""The spec and column builders the analytics mart specs share, and the tables their lineage
names.

Each mart's spec is in the module named after it, beside its SQL; what several of them repeat
(where the SQL is, the property suite, the day and surface keys, the token and billing columns)
is built here, once.
"""

from __future__ import annotations

from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.lib.tables import Column, ColumnRef, Refresh, TableSpec, refs

UU = "raw.usage_users"
UUC = "raw.usage_user_clients"
UUM = "raw.usage_user_models"
UW = "raw.usage_workspace"
CR = "raw.code_reviews"
CRR = "raw.code_review_responses"
UUD = "marts.usage_user_daily"

CONFORMANCE = "tests/property/test_analytics_conformance.py"
"""The property suite that holds every analytics mart to a pandas reference."""

VOLUMES = (("threads", "BIGINT"), ("turns", "BIGINT"), ("credits", "DOUBLE"))
"""The volume measures of a usage row and their types, in the order the marts carry them."""

RAW_TOKENS = (
    ("uncached_input_tokens", "uncached_text_input_tokens", "Uncached text input tokens."),
    ("cached_input_tokens", "cached_text_input_tokens", "Cached text input tokens."),
    ("output_tokens", "text_output_tokens", "Text output tokens."),
    ("total_tokens", "text_total_tokens", "Total text tokens."),
)


def mart_spec(
    name: str,
    description: str,
    *,
    grain: tuple[str, ...],
    refresh: Refresh,
    upstream: tuple[str, ...],
    unit_test: str,
    columns: tuple[Column, ...],
    state_sql: tuple[str, ...] = (),
) -> TableSpec:
    """The spec of the analytics mart `marts.<name>`, whose SQL is `<name>.sql` beside its
    module, tested by `unit_test` and the property suite."""
    return TableSpec(
        qualified_name=f"marts.{name}",
        description=description,
        grain=grain,
        refresh=refresh,
        upstream=upstream,
        sql_file=f"defs/analytics/marts/{name}.sql",
        state_sql=state_sql,
        tests=(unit_test, CONFORMANCE),
        columns=columns,
    )


def day_surface_mart(name: str, description: str, unit_test: str, *columns: Column) -> TableSpec:
    """A daily mart of one row per day and surface, from marts.usage_user_daily: keyed by the
    day and surface `columns` follow."""
    return mart_spec(
        name,
        description,
        grain=("day", "surface"),
        refresh="daily",
        upstream=(UUD,),
        unit_test=unit_test,
        columns=(day(UUD), surface(refs(UUD, "surface")), *columns),
    )


def col(
    name: str,
    type_: str,
    description: str,
    lineage: tuple[ColumnRef, ...] = (),
    *,
    nullable: bool = True,
) -> Column:
    return Column(name, type_, description, lineage, nullable)


def raw_token_columns(*tables: str) -> tuple[Column, ...]:
    """The four token columns, renamed from the raw text_* fields and summed over `tables`."""
    return tuple(
        col(name, "BIGINT", f"{what} {d.TOKENS}", tuple((t, raw) for t in tables))
        for name, raw, what in RAW_TOKENS
    )


def mart_token_columns(table: str) -> tuple[Column, ...]:
    """The four token columns summed from a mart that already carries them."""
    return tuple(
        col(name, "BIGINT", f"{what} {d.TOKENS}", refs(table, name))
        for name, _raw, what in RAW_TOKENS
    )


def volume_columns(template: str, *tables: str, nullable: bool = True) -> tuple[Column, ...]:
    """threads, turns and credits, each summed from its namesake in `tables`, described by
    `template` with the measure's name in it ("{Measure} on the day.")."""
    return tuple(
        col(
            measure,
            type_,
            template.format(Measure=measure.capitalize()),
            tuple((t, measure) for t in tables),
            nullable=nullable,
        )
        for measure, type_ in VOLUMES
    )


def ratio(name: str, formula: str, lineage: tuple[ColumnRef, ...]) -> Column:
    """A ratio column: `formula` says what over what, and every ratio is NULL the same way."""
    return col(name, "DOUBLE", f"{formula} {d.RATIO}", lineage)


def day(*tables: str) -> Column:
    return col("day", "DATE", "The UTC day.", tuple((t, "day") for t in tables), nullable=False)


def surface(lineage: tuple[ColumnRef, ...]) -> Column:
    return col("surface", "VARCHAR", d.SURFACE, lineage, nullable=False)


def billing_columns(
    unit_lineage: tuple[ColumnRef, ...], cost_lineage: tuple[ColumnRef, ...]
) -> tuple[Column, Column]:
    """billing_unit and billed_cost_usd, the last two columns of every cost mart. Appended
    after the first release: a mart built before them gains them, NULL on the days built then
    until those days are rebuilt."""
    return (
        Column("billing_unit", "VARCHAR", d.BILLING_UNIT, unit_lineage, migrate_from="NULL"),
        Column("billed_cost_usd", "DOUBLE", d.BILLED_COST, cost_lineage, migrate_from="NULL"),
    )


def uncosted_credits(lineage: tuple[ColumnRef, ...]) -> Column:
    return col(
        "uncosted_credits",
        "DOUBLE",
        "Credits whose cost is unknown (no estimate from the API and no price configured); "
        "0 when cost_usd is complete.",
        lineage,
        nullable=False,
    )


def active_users(description: str, lineage: tuple[ColumnRef, ...]) -> Column:
    return col("active_users", "BIGINT", description, lineage, nullable=False)


def active_on_the_day() -> Column:
    """active_users of a day-and-surface mart over marts.usage_user_daily."""
    return active_users(
        f"Distinct users active on the day on this surface. {d.ACTIVE}",
        refs(UUD, "user_id", "is_active"),
    )


def cost_columns(table: str) -> tuple[Column, Column]:
    """cost_usd and uncosted_credits summed from `table`, a mart that already decided them."""
    return (
        col("cost_usd", "DOUBLE", d.COST, refs(table, "cost_usd")),
        uncosted_credits(refs(table, "cost_usd", "credits")),
    )


def cost_per_active_user(table: str) -> Column:
    return ratio(
        "cost_per_active_user",
        "cost_usd / active_users.",
        refs(table, "cost_usd", "user_id", "is_active"),
    )


USER_ID = "The ChatGPT user id."
