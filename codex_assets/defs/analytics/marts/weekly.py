"""The weekly marts: each derived from its daily mart's spec, so no fact is written twice.

The API has no weekly buckets we can rely on (reference/codex-api.md, "2026-12 additions":
no `group_by`; compute weeks in the warehouse), so a week is built here from the daily mart:
ISO weeks (Monday to Sunday, UTC), `week` being the Monday. Every column of the daily spec
is carried over by one rule, chosen by its type unless the weekly spec says otherwise:

- counts, credits and tokens are summed (tokens stay NULL when every day is NULL);
- `cost_usd` follows the cost rule (NULL when any day's cost is NULL);
- text attributes (email, team) keep their value; `billing_unit` becomes `credits+usd`
  when the days differ; flags are true when any day's is;
- `active_users` is recounted over marts.usage_user_daily: a user active on several days of
  the week counts once;
- ratios are recomputed from the weekly sums, never averaged;
- windowed columns (WAU, MAU, stickiness) have no weekly meaning and are left out.

`days_loaded` and `partial` say how much of the week is in: a week is partial until all
seven days, its last included, are loaded. The tables are rebuilt whole from the daily
marts (cheap: a GROUP BY over them), so a restated day reaches its week on the next build.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import duckdb

from codex_assets.defs.analytics.marts import (
    adoption_daily,
    review_impact_daily,
    spend_by_model_daily,
    spend_by_surface_daily,
    usage_user_daily,
)
from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.defs.analytics.marts.columns import UUD
from codex_assets.lib.refresh import LEDGER, run_script
from codex_assets.lib.sql import read_sql
from codex_assets.lib.tables import Column, TableSpec, ensure_tables, refs
from codex_assets.lib.warehouse import transaction

WEEK = "The ISO week (Monday to Sunday, UTC), as its Monday."
DAYS_LOADED = "How many of the week's seven days are loaded (idle days included)."
PARTIAL = "True until all seven days of the week, its last included, are loaded."
_DISTINCT = (
    "Distinct users active on at least one day of the week (counted once, never a sum of "
    f"the daily counts). {d.ACTIVE}"
)


@dataclass(frozen=True)
class Weekly:
    """How a daily mart becomes weekly: the columns that need more than their type's rule."""

    daily: TableSpec
    ratios: dict[str, tuple[str, str]] = field(default_factory=dict)
    """column -> (numerator, denominator), SQL over the weekly columns."""
    distinct_users: bool = False
    """Recount `active_users` over marts.usage_user_daily for the week and the same keys."""
    drop: tuple[str, ...] = ()
    """Columns with no weekly meaning (windows over days)."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key in self.daily.grain if key != "day")

    def rule(self, column: Column) -> str:
        """The aggregate that makes the daily `column` weekly (`a` is the daily mart)."""
        name = column.name
        if name == "cost_usd":
            return f"mart_total_cost({name})"
        if name == "billing_unit":
            return f"CASE WHEN count(DISTINCT {name}) > 1 THEN 'credits+usd' ELSE max({name}) END"
        if column.type == "DOUBLE":
            return f"round(sum({name}), 6)"
        if column.type == "BIGINT":
            return f"sum({name})"
        if column.type == "BOOLEAN":
            return f"bool_or({name})"
        if column.type.endswith("[]"):
            return f"list_sort(list_distinct(flatten(list({name}))))"
        return f"max({name})"

    def spec(self) -> TableSpec:
        """The weekly mart's spec, from the daily one's columns."""
        daily = self.daily
        upstream = (daily.qualified_name,) + ((UUD,) if self.distinct_users else ())
        columns = [Column("week", "DATE", WEEK, refs(daily.qualified_name, "day"), False)]
        columns += [
            replace(daily.column(key), lineage=refs(daily.qualified_name, key)) for key in self.keys
        ]
        columns += [
            Column("days_loaded", "BIGINT", DAYS_LOADED, nullable=False),
            Column("partial", "BOOLEAN", PARTIAL, nullable=False),
        ]
        for column in self._measures():
            if column.name in self.ratios:
                numerator, denominator = self.ratios[column.name]
                description = f"{numerator} / {denominator} over the week. {d.RATIO}"
            elif column.name == "active_users" and self.distinct_users:
                columns.append(
                    Column("active_users", "BIGINT", _DISTINCT, refs(UUD, "user_id", "is_active"))
                )
                continue
            else:
                description = f"Over the week: {column.description}"
            # (lineage to the daily mart's column: the weekly mart is built from it)
            lineage = refs(daily.qualified_name, column.name)
            if column.name in self.ratios:
                terms = " ".join(self.ratios[column.name]).replace("+", " ").replace("-", " ")
                lineage = refs(daily.qualified_name, *dict.fromkeys(terms.split()))
            columns.append(Column(column.name, column.type, description, lineage, column.nullable))
        return TableSpec(
            qualified_name=f"marts.{daily.name.removesuffix('_daily')}_weekly",
            description=f"{daily.description.rstrip('.')}, per ISO week (UTC).",
            grain=("week", *self.keys),
            columns=tuple(columns),
            refresh="snapshot",
            upstream=upstream,
            tests=("tests/unit/test_marts_weekly.py",),
        )

    def sql(self) -> str:
        """The SELECT of the weekly rows: `weekly.sql` filled in from the daily spec."""
        keys = "".join(f", {key}" for key in self.keys)
        measures = [c for c in self._measures() if c.name not in self.ratios]
        summed = [c for c in measures if not (c.name == "active_users" and self.distinct_users)]
        outputs = [f"s.{c.name}" for c in summed]
        outputs += [f"mart_ratio({n}, {m}) AS {name}" for name, (n, m) in self.ratios.items()]
        users_cte = users_join = ""
        if self.distinct_users:
            users_cte = read_sql("defs/analytics/marts/weekly_users.sql").format(keys=keys)
            users_join = f"\nLEFT JOIN users AS u USING (week{keys})"
            outputs.append("coalesce(u.active_users, 0) AS active_users")
        return read_sql("defs/analytics/marts/weekly.sql").format(
            weekly=self.spec().name,
            daily=self.daily.name,
            keys=keys,
            aggregates=", ".join(f"{self.rule(c)} AS {c.name}" for c in summed) or "1 AS one",
            users_cte=users_cte,
            key_outputs="".join(f", s.{key}" for key in self.keys),
            outputs=",\n    ".join(outputs),
            users_join=users_join,
        )

    def _measures(self) -> list[Column]:
        skip = {"day", *self.keys, *self.drop}
        return [column for column in self.daily.columns if column.name not in skip]


WEEKLY: dict[str, Weekly] = {
    weekly.spec().name: weekly
    for weekly in (
        Weekly(usage_user_daily.SPEC, drop=()),
        Weekly(adoption_daily.SPEC, distinct_users=True, drop=("wau", "mau", "stickiness")),
        Weekly(
            spend_by_surface_daily.SPEC,
            distinct_users=True,
            ratios={"cost_per_active_user": ("cost_usd", "active_users")},
        ),
        # (no active_users: the daily count is of users of a model, which the daily mart
        # does not keep per user, so a week cannot recount it)
        Weekly(spend_by_model_daily.SPEC, drop=("active_users",)),
        Weekly(
            review_impact_daily.SPEC,
            ratios={
                "comments_per_review": ("comments", "pull_request_reviews"),
                "engagement_rate": ("engaged_comments", "merged_comments"),
                "net_sentiment": ("upvotes - downvotes", "upvotes + downvotes"),
            },
        ),
    )
}
"""Every weekly mart by table name, each after the daily marts it reads."""

WEEKLY_MARTS: dict[str, TableSpec] = {name: weekly.spec() for name, weekly in WEEKLY.items()}


def refresh_weekly(
    conn: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    start: date | None = None,
    end: date | None = None,
    settings: object = None,
) -> int:
    """Rebuild the weekly mart `spec` whole from its daily mart, in one transaction; return rows.

    Takes (and ignores) the range and settings `refresh_mart` takes, so the mart asset
    factory runs it the same way: a week depends on all of its days, whichever were rebuilt.
    """
    weekly = WEEKLY[spec.name]
    ensure_tables(conn, (LEDGER, weekly.daily, spec))
    run_script(conn, read_sql("defs/analytics/marts/_macros.sql"), {})
    with transaction(conn):
        conn.execute(f"DELETE FROM {spec.qualified_name}")
        (written,) = conn.execute(
            f"INSERT INTO {spec.qualified_name} BY NAME {weekly.sql()}"
        ).fetchone() or (0,)
    return int(written)
