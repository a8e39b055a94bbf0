"""What each mart table is: grain, how it is refreshed, its SQL, and its columns.

One description of every table that everything else is derived from: the DuckDB DDL
(`ensure_schema`), the column comments, docs/marts.md, and the metadata the Dagster assets
attach (`dagster/column_schema` from `columns`, `dagster/column_lineage` from `lineage`,
asset deps from `upstream`). Lineage names the upstream table as `schema.table`: `raw.*` views,
or another mart when a mart is built on one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from codex_assets.defs.analytics.marts import definitions as d

Refresh = Literal["daily", "monthly", "snapshot"]
ColumnRef = tuple[str, str]
"""(upstream table as `schema.table`, column)."""


@dataclass(frozen=True)
class Column:
    """A mart column: DuckDB type, description, nullability, and the columns it derives from."""

    name: str
    type: str
    description: str
    lineage: tuple[ColumnRef, ...] = ()
    nullable: bool = True


@dataclass(frozen=True)
class MartSpec:
    """One table in schema `marts`.

    `refresh` says how `refresh_mart` rewrites it: `daily` replaces the days of the range,
    `monthly` the whole months the range touches, `snapshot` the whole table (as of the last
    loaded day). `state_sql` files run after the insert in the same transaction, to maintain
    the state tables other marts read instead of history.
    """

    name: str
    description: str
    grain: tuple[str, ...]
    refresh: Refresh
    columns: tuple[Column, ...]
    upstream: tuple[str, ...]
    sql_file: str
    state_sql: tuple[str, ...] = ()
    also_reads: tuple[str, ...] = ()
    """Tables read (and named in the column lineage) whose assets are not dependencies."""

    @property
    def qualified_name(self) -> str:
        return f"marts.{self.name}"

    @property
    def partitioned(self) -> bool:
        return self.refresh != "snapshot"

    @property
    def partition_column(self) -> str | None:
        """The column a refresh range deletes by: `day`, `month`, or None for snapshots."""
        return {"daily": "day", "monthly": "month"}.get(self.refresh)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.qualified_name} has no column {name!r}")

    def column_descriptions(self) -> dict[str, str]:
        return {column.name: column.description for column in self.columns}

    def lineage(self) -> dict[str, list[ColumnRef]]:
        """Output column -> the upstream (table, column) pairs it is computed from."""
        return {column.name: list(column.lineage) for column in self.columns if column.lineage}

    def ddl(self) -> str:
        """CREATE TABLE IF NOT EXISTS with explicit types (no keys: DuckDB indexes would slow
        the delete-and-insert refresh, and the grain is held by the SQL and the tests)."""
        body = ",\n    ".join(
            f"{column.name} {column.type}{'' if column.nullable else ' NOT NULL'}"
            for column in self.columns
        )
        return f"CREATE TABLE IF NOT EXISTS {self.qualified_name} (\n    {body}\n)"


def refs(table: str, *columns: str) -> tuple[ColumnRef, ...]:
    """Lineage entries for several columns of one upstream table."""
    return tuple((table, column) for column in columns)


def _col(
    name: str,
    type_: str,
    description: str,
    lineage: tuple[ColumnRef, ...] = (),
    *,
    nullable: bool = True,
) -> Column:
    return Column(name, type_, description, lineage, nullable)


UU = "raw.usage_users"
UUC = "raw.usage_user_clients"
UUM = "raw.usage_user_models"
UW = "raw.usage_workspace"
CR = "raw.code_reviews"
CRR = "raw.code_review_responses"
UUD = "marts.usage_user_daily"
CAD = "marts.compliance_activity_daily"

RAW_TOKENS = (
    ("uncached_input_tokens", "uncached_text_input_tokens", "Uncached text input tokens."),
    ("cached_input_tokens", "cached_text_input_tokens", "Cached text input tokens."),
    ("output_tokens", "text_output_tokens", "Text output tokens."),
    ("total_tokens", "text_total_tokens", "Total text tokens."),
)


def _raw_token_columns(*tables: str) -> tuple[Column, ...]:
    """The four token columns, renamed from the raw text_* fields and summed over `tables`."""
    return tuple(
        _col(name, "BIGINT", f"{what} {d.TOKENS}", tuple((t, raw) for t in tables))
        for name, raw, what in RAW_TOKENS
    )


def _mart_token_columns(table: str) -> tuple[Column, ...]:
    """The four token columns summed from a mart that already carries them."""
    return tuple(
        _col(name, "BIGINT", f"{what} {d.TOKENS}", refs(table, name))
        for name, _raw, what in RAW_TOKENS
    )


def _day(*tables: str) -> Column:
    return _col("day", "DATE", "The UTC day.", tuple((t, "day") for t in tables), nullable=False)


def _billing_unit(lineage: tuple[ColumnRef, ...]) -> Column:
    return _col("billing_unit", "VARCHAR", d.BILLING_UNIT, lineage)


def _billed_cost(lineage: tuple[ColumnRef, ...]) -> Column:
    return _col("billed_cost_usd", "DOUBLE", d.BILLED_COST, lineage)


def _surface(lineage: tuple[ColumnRef, ...]) -> Column:
    return _col("surface", "VARCHAR", d.SURFACE, lineage, nullable=False)


_USAGE_KEYS = refs(UU, "user_id", "email")

USAGE_USER_DAILY = MartSpec(
    name="usage_user_daily",
    description=(
        "Codex usage per day, user and surface: an `all` row per user-day from the user's "
        "totals, and one row per surface the user's clients map to, summed."
    ),
    grain=("day", "user_id", "surface"),
    refresh="daily",
    upstream=(UU, UUC),
    sql_file="defs/analytics/marts/usage_user_daily.sql",
    state_sql=(
        "defs/analytics/marts/user_first_active.sql",
        "defs/analytics/marts/user_active_runs.sql",
    ),
    columns=(
        _day(UU, UUC),
        _col(
            "user_id", "VARCHAR", "The ChatGPT user id.", refs(UU, "user_id") + refs(UUC, "user_id")
        ),
        _col("email", "VARCHAR", d.EMAIL, refs(UU, "email") + refs(UUC, "email")),
        _col("team", "VARCHAR", f"The user's team. {d.TEAM}", _USAGE_KEYS, nullable=False),
        _col("cost_centre", "VARCHAR", f"The user's cost centre. {d.TEAM}", _USAGE_KEYS),
        _surface(refs(UUC, "client_id")),
        _col(
            "client_ids",
            "VARCHAR[]",
            "The client ids summed into this row (on `all`: every client the user used that "
            "day), to check the surfaces file against.",
            refs(UUC, "client_id"),
            nullable=False,
        ),
        _col(
            "threads",
            "BIGINT",
            "Threads: the user's totals on `all`, the sum over the surface's clients otherwise.",
            refs(UU, "threads") + refs(UUC, "threads"),
        ),
        _col(
            "turns",
            "BIGINT",
            "Turns: the user's totals on `all`, the sum over the surface's clients otherwise.",
            refs(UU, "turns") + refs(UUC, "turns"),
        ),
        _col(
            "credits",
            "DOUBLE",
            "Credits: the user's totals on `all`, the sum over the surface's clients otherwise.",
            refs(UU, "credits") + refs(UUC, "credits"),
        ),
        _col(
            "cost_usd",
            "DOUBLE",
            d.COST,
            refs(UU, "cost_usd", "estimated_cost_usd", "credits")
            + refs(UUC, "cost_usd", "estimated_cost_usd", "credits"),
        ),
        *_raw_token_columns(UU, UUC),
        _col(
            "is_active",
            "BOOLEAN",
            d.ACTIVE,
            refs(UU, "threads", "turns", "credits") + refs(UUC, "threads", "turns", "credits"),
            nullable=False,
        ),
        _billing_unit(refs(UU, "credits", "cost_usd") + refs(UUC, "credits", "cost_usd")),
        _billed_cost(refs(UU, "cost_usd") + refs(UUC, "cost_usd")),
    ),
)

ADOPTION_DAILY = MartSpec(
    name="adoption_daily",
    description=(
        "Adoption per day and surface (`all` included, every day of the range present): "
        "active and new users, WAU, MAU, stickiness, and volume."
    ),
    grain=("day", "surface"),
    refresh="daily",
    upstream=(UUD,),
    sql_file="defs/analytics/marts/adoption_daily.sql",
    columns=(
        _day(UUD),
        _surface(refs(UUD, "surface")),
        _col(
            "active_users",
            "BIGINT",
            f"Distinct users active on the day on this surface. {d.ACTIVE}",
            refs(UUD, "user_id", "is_active"),
            nullable=False,
        ),
        _col("new_users", "BIGINT", d.NEW_USER, refs(UUD, "user_id", "is_active"), nullable=False),
        _col(
            "wau",
            "BIGINT",
            f"{d.WAU} {d.WINDOW_START}",
            refs(UUD, "user_id", "is_active"),
            nullable=False,
        ),
        _col(
            "mau",
            "BIGINT",
            f"{d.MAU} {d.WINDOW_START}",
            refs(UUD, "user_id", "is_active"),
            nullable=False,
        ),
        _col(
            "stickiness",
            "DOUBLE",
            f"active_users / mau. {d.RATIO}",
            refs(UUD, "user_id", "is_active"),
        ),
        _col(
            "threads",
            "BIGINT",
            "Threads on the day on this surface.",
            refs(UUD, "threads"),
            nullable=False,
        ),
        _col(
            "turns",
            "BIGINT",
            "Turns on the day on this surface.",
            refs(UUD, "turns"),
            nullable=False,
        ),
        _col(
            "credits",
            "DOUBLE",
            "Credits on the day on this surface.",
            refs(UUD, "credits"),
            nullable=False,
        ),
    ),
)

USER_ACTIVITY = MartSpec(
    name="user_activity",
    description=(
        "One row per user who has been active, as of the last loaded day: first and last "
        "active day, recent activity, streaks and cohort."
    ),
    grain=("user_id",),
    refresh="snapshot",
    upstream=(UUD,),
    sql_file="defs/analytics/marts/user_activity.sql",
    columns=(
        _col(
            "as_of_day",
            "DATE",
            "The day this snapshot describes: the last day usage_user_daily was built for.",
            refs(UUD, "day"),
            nullable=False,
        ),
        _col("user_id", "VARCHAR", "The ChatGPT user id.", refs(UUD, "user_id"), nullable=False),
        _col(
            "email",
            "VARCHAR",
            f"The latest email seen for the user. {d.EMAIL}",
            refs(UUD, "email"),
        ),
        _col(
            "team",
            "VARCHAR",
            f"The user's team now. {d.TEAM}",
            refs(UUD, "user_id", "email"),
            nullable=False,
        ),
        _col(
            "cost_centre",
            "VARCHAR",
            f"The user's cost centre now. {d.TEAM}",
            refs(UUD, "user_id", "email"),
        ),
        _col(
            "first_active_day",
            "DATE",
            f"The first day the user was active, over all loaded history. {d.ACTIVE}",
            refs(UUD, "day", "is_active"),
            nullable=False,
        ),
        _col(
            "last_active_day",
            "DATE",
            "The last day the user was active, on or before as_of_day.",
            refs(UUD, "day", "is_active"),
            nullable=False,
        ),
        _col(
            "days_since_last_active",
            "BIGINT",
            "as_of_day - last_active_day, in days (0: active on as_of_day).",
            refs(UUD, "day", "is_active"),
            nullable=False,
        ),
        _col(
            "active_days_7d",
            "BIGINT",
            f"Days the user was active in the 7 days ending on as_of_day. {d.WINDOW_START}",
            refs(UUD, "day", "is_active"),
            nullable=False,
        ),
        _col(
            "active_days_28d",
            "BIGINT",
            f"Days the user was active in the 28 days ending on as_of_day. {d.WINDOW_START}",
            refs(UUD, "day", "is_active"),
            nullable=False,
        ),
        _col(
            "current_streak_days",
            "BIGINT",
            f"Length of the streak ending on as_of_day (0 when not active that day). {d.STREAK}",
            refs(UUD, "day", "is_active"),
            nullable=False,
        ),
        _col(
            "longest_streak_days",
            "BIGINT",
            f"Length of the longest streak over all loaded history. {d.STREAK}",
            refs(UUD, "day", "is_active"),
            nullable=False,
        ),
        _col(
            "threads_28d",
            "BIGINT",
            "Threads in the 28 days ending on as_of_day.",
            refs(UUD, "threads"),
            nullable=False,
        ),
        _col(
            "turns_28d",
            "BIGINT",
            "Turns in the 28 days ending on as_of_day.",
            refs(UUD, "turns"),
            nullable=False,
        ),
        _col(
            "credits_28d",
            "DOUBLE",
            "Credits in the 28 days ending on as_of_day.",
            refs(UUD, "credits"),
            nullable=False,
        ),
        _col(
            "cost_usd_28d",
            "DOUBLE",
            f"Cost in the 28 days ending on as_of_day. {d.COST}",
            refs(UUD, "cost_usd"),
        ),
        _col("cohort", "VARCHAR", d.COHORT, refs(UUD, "day", "is_active"), nullable=False),
    ),
)

SPEND_BY_SURFACE_DAILY = MartSpec(
    name="spend_by_surface_daily",
    description=(
        "Spend per day and surface (`all` included, every day of the range present): credits, "
        "cost, cost per active user, tokens."
    ),
    grain=("day", "surface"),
    refresh="daily",
    upstream=(UUD,),
    sql_file="defs/analytics/marts/spend_by_surface_daily.sql",
    columns=(
        _day(UUD),
        _surface(refs(UUD, "surface")),
        _col("credits", "DOUBLE", "Credits used.", refs(UUD, "credits"), nullable=False),
        _col("cost_usd", "DOUBLE", d.COST, refs(UUD, "cost_usd")),
        _col(
            "uncosted_credits",
            "DOUBLE",
            "Credits whose cost is unknown (no estimate from the API and no price configured); "
            "0 when cost_usd is complete.",
            refs(UUD, "cost_usd", "credits"),
            nullable=False,
        ),
        _col(
            "active_users",
            "BIGINT",
            f"Distinct users active on the day on this surface. {d.ACTIVE}",
            refs(UUD, "user_id", "is_active"),
            nullable=False,
        ),
        _col(
            "cost_per_active_user",
            "DOUBLE",
            f"cost_usd / active_users. {d.RATIO}",
            refs(UUD, "cost_usd", "user_id", "is_active"),
        ),
        *_mart_token_columns(UUD),
        _billing_unit(refs(UUD, "credits", "billed_cost_usd")),
        _billed_cost(refs(UUD, "billed_cost_usd")),
    ),
)

SPEND_BY_MODEL_DAILY = MartSpec(
    name="spend_by_model_daily",
    description=(
        "Spend per day, model and speed, from the per-user model breakdown: credits, cost, "
        "users, tokens."
    ),
    grain=("day", "model", "speed"),
    refresh="daily",
    upstream=(UUM,),
    sql_file="defs/analytics/marts/spend_by_model_daily.sql",
    columns=(
        _day(UUM),
        _col(
            "model",
            "VARCHAR",
            "The model as the API names it; models it does not recognise come back as `other`.",
            refs(UUM, "model"),
        ),
        _col(
            "speed",
            "VARCHAR",
            "standard or fast; NULL when the API gives no speed.",
            refs(UUM, "speed"),
        ),
        _col("credits", "DOUBLE", "Credits used on this model and speed.", refs(UUM, "credits")),
        _col("cost_usd", "DOUBLE", d.COST, refs(UUM, "cost_usd", "estimated_cost_usd", "credits")),
        _col(
            "uncosted_credits",
            "DOUBLE",
            "Credits whose cost is unknown (no estimate from the API and no price configured); "
            "0 when cost_usd is complete.",
            refs(UUM, "estimated_cost_usd", "credits"),
            nullable=False,
        ),
        _col(
            "active_users",
            "BIGINT",
            "Distinct users with credits above zero on this model and speed that day.",
            refs(UUM, "user_id", "credits"),
            nullable=False,
        ),
        *_raw_token_columns(UUM),
        _billing_unit(refs(UUM, "credits", "cost_usd")),
        _billed_cost(refs(UUM, "cost_usd")),
    ),
)

SPEND_BY_TEAM_MONTHLY = MartSpec(
    name="spend_by_team_monthly",
    description=(
        "Spend per calendar month and team, from the users' `all` rows: credits, cost, "
        "active users. A month is rebuilt whole whenever a refresh touches one of its days."
    ),
    grain=("month", "team"),
    refresh="monthly",
    upstream=(UUD,),
    sql_file="defs/analytics/marts/spend_by_team_monthly.sql",
    columns=(
        _col(
            "month",
            "DATE",
            "The first day of the UTC calendar month.",
            refs(UUD, "day"),
            nullable=False,
        ),
        _col(
            "team",
            "VARCHAR",
            f"The team the directory gave when the day was built. {d.TEAM}",
            refs(UUD, "team"),
            nullable=False,
        ),
        _col("credits", "DOUBLE", "Credits used in the month.", refs(UUD, "credits")),
        _col("cost_usd", "DOUBLE", d.COST, refs(UUD, "cost_usd")),
        _col(
            "uncosted_credits",
            "DOUBLE",
            "Credits whose cost is unknown (no estimate from the API and no price configured); "
            "0 when cost_usd is complete.",
            refs(UUD, "cost_usd", "credits"),
            nullable=False,
        ),
        _col(
            "active_users",
            "BIGINT",
            f"Distinct users active on at least one day of the month. {d.ACTIVE}",
            refs(UUD, "user_id", "is_active"),
            nullable=False,
        ),
        _col(
            "cost_per_active_user",
            "DOUBLE",
            f"cost_usd / active_users. {d.RATIO}",
            refs(UUD, "cost_usd", "user_id", "is_active"),
        ),
        _billing_unit(refs(UUD, "credits", "billed_cost_usd")),
        _billed_cost(refs(UUD, "billed_cost_usd")),
    ),
)


def _count(name: str, table: str, raw: str, description: str) -> Column:
    return _col(
        name,
        "BIGINT",
        f"{description} (0 on a day without a row).",
        refs(table, raw),
        nullable=False,
    )


REVIEW_IMPACT_DAILY = MartSpec(
    name="review_impact_daily",
    description=(
        "Codex Code Review per day (every day of the range present): reviews and findings by "
        "priority, and how people engaged with the comments on pull requests merged that day."
    ),
    grain=("day",),
    refresh="daily",
    upstream=(CR, CRR),
    sql_file="defs/analytics/marts/review_impact_daily.sql",
    columns=(
        _day(CR, CRR),
        _count("pull_request_reviews", CR, "pull_request_reviews", "Pull requests Codex reviewed"),
        _count("comments", CR, "comments", "Review comments Codex made"),
        _count("p0", CR, "p0", "Comments of priority P0"),
        _count("p1", CR, "p1", "Comments of priority P1"),
        _count("p2", CR, "p2", "Comments of priority P2"),
        _col(
            "comments_per_review",
            "DOUBLE",
            f"comments / pull_request_reviews. {d.RATIO}",
            refs(CR, "comments", "pull_request_reviews"),
        ),
        _count(
            "merged_pull_request_reviews",
            CRR,
            "pull_request_reviews",
            "Reviewed pull requests merged that day",
        ),
        _count(
            "merged_comments",
            CRR,
            "comments",
            "Codex comments on the pull requests merged that day",
        ),
        _count("replies", CRR, "replies", "Replies to those comments"),
        _count("reactions", CRR, "reactions", "Reactions to those comments"),
        _count("engaged_comments", CRR, "engaged", "Comments with at least one reaction or reply"),
        _count("reacted_comments", CRR, "reacted", "Comments with at least one reaction"),
        _count("replied_comments", CRR, "replied", "Comments with at least one reply"),
        _count("upvoted_comments", CRR, "upvoted", "Comments with at least one +1"),
        _count("downvoted_comments", CRR, "downvoted", "Comments with at least one -1"),
        _count(
            "reacted_other_comments",
            CRR,
            "reacted_other",
            "Comments with a reaction other than +/-1",
        ),
        _col(
            "engagement_rate",
            "DOUBLE",
            f"{d.ENGAGEMENT_RATE} {d.RATIO}",
            refs(CRR, "engaged", "comments"),
        ),
        _count("upvotes", CRR, "upvotes", "+1 reactions"),
        _count("downvotes", CRR, "downvotes", "-1 reactions"),
        _count("other_reactions", CRR, "other_reactions", "Reactions other than +/-1"),
        _col(
            "net_sentiment",
            "DOUBLE",
            f"{d.NET_SENTIMENT} {d.RATIO}",
            refs(CRR, "upvotes", "downvotes"),
        ),
    ),
)

USAGE_RECONCILIATION_DAILY = MartSpec(
    name="usage_reconciliation_daily",
    description=(
        "Per day (every day of the range present): the per-user usage summed against the "
        "workspace totals, with deltas and whether they match, and the compliance log's "
        "responses against the turns."
    ),
    grain=("day",),
    refresh="daily",
    upstream=(UU, UW),
    sql_file="defs/analytics/marts/usage_reconciliation_daily.sql",
    # The compliance columns, from marts.compliance_activity_daily when it has the days. Not an
    # upstream asset on purpose: a workspace without a compliance key still reconciles usage.
    state_sql=("defs/analytics/marts/usage_reconciliation_compliance.sql",),
    also_reads=(CAD,),
    columns=(
        _day(UU, UW),
        _col(
            "user_rows", "BIGINT", "Per-user rows for the day.", refs(UU, "user_id"), nullable=False
        ),
        _col(
            "workspace_rows",
            "BIGINT",
            "Workspace rows for the day (normally 1).",
            refs(UW, "day"),
            nullable=False,
        ),
        _col(
            "user_threads",
            "BIGINT",
            "Threads summed over the per-user rows.",
            refs(UU, "threads"),
            nullable=False,
        ),
        _col(
            "workspace_threads",
            "BIGINT",
            "Threads on the workspace row.",
            refs(UW, "threads"),
            nullable=False,
        ),
        _col(
            "threads_delta",
            "BIGINT",
            "user_threads - workspace_threads.",
            refs(UU, "threads") + refs(UW, "threads"),
            nullable=False,
        ),
        _col(
            "user_turns",
            "BIGINT",
            "Turns summed over the per-user rows.",
            refs(UU, "turns"),
            nullable=False,
        ),
        _col(
            "workspace_turns",
            "BIGINT",
            "Turns on the workspace row.",
            refs(UW, "turns"),
            nullable=False,
        ),
        _col(
            "turns_delta",
            "BIGINT",
            "user_turns - workspace_turns.",
            refs(UU, "turns") + refs(UW, "turns"),
            nullable=False,
        ),
        _col(
            "user_credits",
            "DOUBLE",
            "Credits summed over the per-user rows (rounded to 6 decimals).",
            refs(UU, "credits"),
            nullable=False,
        ),
        _col(
            "workspace_credits",
            "DOUBLE",
            "Credits on the workspace row (rounded to 6 decimals).",
            refs(UW, "credits"),
            nullable=False,
        ),
        _col(
            "credits_delta",
            "DOUBLE",
            "user_credits - workspace_credits.",
            refs(UU, "credits") + refs(UW, "credits"),
            nullable=False,
        ),
        _col(
            "matches",
            "BOOLEAN",
            d.MATCHES,
            refs(UU, "threads", "turns", "credits") + refs(UW, "threads", "turns", "credits"),
            nullable=False,
        ),
        _col(
            "compliance_responses",
            "BIGINT",
            "Codex responses in the compliance log that day (PROMPT_RESPONSE_RECEIVED, "
            "deduplicated, by the event's UTC day); NULL when the day has no compliance "
            "activity loaded.",
            refs(CAD, "responses"),
        ),
        _col(
            "compliance_responses_per_turn",
            "DOUBLE",
            "compliance_responses / user_turns: near 1 when both APIs see the same traffic "
            f"(they cover different authentication paths, so it may differ). {d.RATIO}",
            refs(UU, "turns") + refs(CAD, "responses"),
        ),
    ),
)

MARTS: dict[str, MartSpec] = {
    spec.name: spec
    for spec in (
        USAGE_USER_DAILY,
        ADOPTION_DAILY,
        SPEND_BY_SURFACE_DAILY,
        SPEND_BY_MODEL_DAILY,
        SPEND_BY_TEAM_MONTHLY,
        REVIEW_IMPACT_DAILY,
        USAGE_RECONCILIATION_DAILY,
        USER_ACTIVITY,
    )
}
"""Every mart, in an order that builds each after the marts it reads."""


@dataclass(frozen=True)
class StateTable:
    """A bookkeeping table in schema `marts` that lets refreshes avoid scanning history.

    Not an asset of its own: each is written by the refresh named in `maintained_by`, in the
    same transaction, so it can never disagree with that mart.
    """

    name: str
    description: str
    maintained_by: str
    columns: tuple[Column, ...]

    @property
    def qualified_name(self) -> str:
        return f"marts.{self.name}"

    def ddl(self) -> str:
        return MartSpec(self.name, self.description, (), "snapshot", self.columns, (), "").ddl()


STATE_TABLES: dict[str, StateTable] = {
    table.name: table
    for table in (
        StateTable(
            name="user_first_active",
            description=(
                "Each user's first active day per surface (and `all`) over all loaded history: "
                "what adoption_daily counts new users from."
            ),
            maintained_by="usage_user_daily",
            columns=(
                _col("user_id", "VARCHAR", "The ChatGPT user id.", nullable=False),
                _col("surface", "VARCHAR", d.SURFACE, nullable=False),
                _col("first_active_day", "DATE", d.NEW_USER, nullable=False),
            ),
        ),
        StateTable(
            name="user_active_runs",
            description=(
                "Each user's runs of consecutive active days (any surface): what user_activity "
                "reads first and last active days and streaks from."
            ),
            maintained_by="usage_user_daily",
            columns=(
                _col("user_id", "VARCHAR", "The ChatGPT user id.", nullable=False),
                _col("run_start", "DATE", "First day of the run.", nullable=False),
                _col("run_end", "DATE", "Last day of the run.", nullable=False),
                _col("email", "VARCHAR", f"The last email seen in the run. {d.EMAIL}"),
            ),
        ),
        StateTable(
            name="refreshed_partitions",
            description=(
                "Which days (months, for monthly marts; the as-of day for snapshots) each mart "
                "was last built for, with row counts: what 'the last loaded day' means."
            ),
            maintained_by="every mart",
            columns=(
                _col("mart", "VARCHAR", "The mart's table name.", nullable=False),
                _col(
                    "partition_day",
                    "DATE",
                    "The day, the first day of the month, or the snapshot's as-of day.",
                    nullable=False,
                ),
                _col("rows", "BIGINT", "Rows the refresh wrote for it.", nullable=False),
                _col("refreshed_at", "TIMESTAMP", "When (UTC).", nullable=False),
            ),
        ),
    )
}
