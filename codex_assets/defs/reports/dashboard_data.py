"""The dashboard's data: the marts read into compact columnar arrays the page draws from.

Columnar (one array per measure, indexed by day or week) rather than one object per row,
because the page must stay under 3 MB at 10,000 users x 90 days: the ranking alone has a row
per active user-day and surface. Days and weeks are sent once and referenced by index;
users likewise. Nothing here decides a number: every value is a mart's (or, for the client
panel, the raw client breakdown's), so the page shows what the warehouse holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import duckdb
import numpy

from codex_assets.lib.sql import read_sql

USER_ROW_BUDGET = 150_000
"""The most user-day rows the page carries; past it the ranking's rows are weekly, which
keeps a 10,000-user, 90-day page under 3 MB (docs/reports.md, "Size")."""
REQUIRED = frozenset(
    {
        "marts.adoption_daily",
        "marts.adoption_weekly",
        "marts.spend_by_surface_daily",
        "marts.spend_by_surface_weekly",
        "marts.spend_by_model_daily",
        "marts.spend_by_model_weekly",
        "marts.review_impact_daily",
        "marts.review_impact_weekly",
        "marts.usage_user_daily",
        "marts.usage_user_weekly",
        "marts.user_activity",
        "raw.usage_user_clients",
    }
)
"""The tables the dashboard cannot do without (the compliance panels can: "not available")."""
SURFACES = ("all", "cli", "ide", "cloud", "desktop", "code_review", "other")
GRAINS = ("day", "week")
_SURFACE_MEASURES = (
    "active_users",
    "new_users",
    "threads",
    "turns",
    "credits",
    "cost_usd",
    "total_tokens",
    "uncached_input_tokens",
    "cached_input_tokens",
    "output_tokens",
)
_REVIEW_MEASURES = (
    "pull_request_reviews",
    "comments",
    "p0",
    "p1",
    "p2",
    "replies",
    "reactions",
    "engaged_comments",
    "merged_comments",
    "upvotes",
    "downvotes",
    "other_reactions",
    "engagement_rate",
    "net_sentiment",
)


def _sql(name: str) -> str:
    return read_sql(f"defs/reports/dashboard_{name}.sql")


def dashboard_data(conn: duckdb.DuckDBPyConnection, *, emails: bool = False) -> dict[str, Any]:
    """Everything the page shows, read from the marts; `emails` labels users by email (only
    when CODEX_EXPORT_EMAILS=true), else by user id."""
    tables = {name for (name,) in conn.execute(_sql("tables")).fetchall()}
    if "marts.refreshed_partitions" not in tables:
        return {"days": []}  # nothing built yet: the page says to run a backfill
    missing = sorted(REQUIRED - tables)
    if missing:
        raise RuntimeError(
            f"The dashboard reads {', '.join(missing)}, which the warehouse does not have: "
            "materialize the marts first (codex-assets backfill --days 90, or the UI's "
            "Materialize all), then the dashboard."
        )
    days = conn.execute(_sql("days")).fetchall()
    if not days:
        return {"days": []}
    weeks = conn.execute(_sql("weeks")).fetchall()
    axis = {
        "day": [d.isoformat() for d, _ in days],
        "week": [w.isoformat() for w, _, _ in weeks],
    }
    index = {grain: {value: i for i, value in enumerate(axis[grain])} for grain in GRAINS}
    first, last = days[0][0], days[-1][0]
    users = conn.execute(_sql("users"), {"emails": emails}).fetchall()
    return {
        "days": axis["day"],
        "weeks": axis["week"],
        "week_days_loaded": [n for _, n, _ in weeks],
        "week_partial": [p for _, _, p in weeks],
        "idle_days": [d.isoformat() for d, active in days if active == 0],
        "missing_days": _missing(first, last, [d for d, _ in days]),
        "surfaces": list(SURFACES),
        "usage": _series(conn, _sql("surfaces"), index, "surface", _SURFACE_MEASURES),
        "models": _series(
            conn, _sql("models"), index, "model", ("credits", "cost_usd", "total_tokens")
        ),
        "clients": _series(
            conn,
            _sql("clients"),
            index,
            "client_id",
            ("threads", "turns"),
            {"first_day": first, "last_day": last},
        ),
        "review": _series(conn, _sql("review"), index, None, _REVIEW_MEASURES),
        "users": {
            "label": [u[1] for u in users],
            "team": [u[2] for u in users],
            "cost_centre": [u[3] for u in users],
            "streak": [u[4] for u in users],
            "cohort": [u[5] for u in users],
        },
        "user_rows": _user_rows(conn),
        "access_tokens": _daily(conn, "access_tokens", "marts.access_token_events" in tables),
        "agents": _daily(conn, "agents", "marts.compliance_agent_activity_daily" in tables),
    }


def _series(
    conn: duckdb.DuckDBPyConnection,
    sql: str,
    index: dict[str, dict[str, int]],
    key: str | None,
    measures: Sequence[str],
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """{grain: {key: {measure: [value per period]}}}: a null where the mart has no row or a
    NULL (unknown cost, tokens unavailable), so the page can say so rather than draw a 0."""
    cursor = conn.execute(sql, params or {})
    names = [column[0] for column in cursor.description]
    out: dict[str, Any] = {grain: {} for grain in GRAINS}
    for row in cursor.fetchall():
        record = dict(zip(names, row, strict=True))
        grain = record["grain"]
        slot = index[grain].get(record["period"].isoformat())
        if slot is None:  # a week of days not in the ledger (never: the weeks come from it)
            continue
        name = record[key] if key else "all"
        series = out[grain].setdefault(name, {m: [None] * len(index[grain]) for m in measures})
        for measure in measures:
            series[measure][slot] = _number(record[measure])
    return out


def _user_rows(conn: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The ranking's rows as parallel arrays (user, surface and period indexes, then the
    measures), by day when they fit `USER_ROW_BUDGET`, else by ISO week. Users are sorted, so
    `du` is the step from the row before (mostly 0), which compresses well."""
    (active,) = conn.execute(
        "SELECT count(*) FROM marts.usage_user_daily WHERE is_active"
    ).fetchone() or (0,)
    grain = "day" if active <= USER_ROW_BUDGET else "week"
    columns = conn.execute(
        _sql("user_days"), {"grain": grain, "surfaces": list(SURFACES)}
    ).fetchnumpy()
    users = columns.pop("u")
    steps = numpy.diff(users, prepend=0) if len(users) else users
    out: dict[str, Any] = {"grain": grain, "du": steps.tolist()}
    for name, values in columns.items():
        out[name] = values.tolist()  # (a NULL, tokens the API did not report, becomes null)
    return out


def _daily(conn: duckdb.DuckDBPyConnection, name: str, available: bool) -> dict | None:
    """A compliance panel's rows as columns, or None when its table does not exist."""
    if not available:
        return None
    cursor = conn.execute(_sql(name))
    names = [column[0] for column in cursor.description]
    rows = cursor.fetchall()
    return {
        column: [v.isoformat() if isinstance(v, date) else v for v in values]
        for column, values in zip(
            names, zip(*rows, strict=True) if rows else [()] * len(names), strict=True
        )
    }


def _missing(first: date, last: date, loaded: list[date]) -> list[str]:
    """Days between the first and last loaded day that were never loaded (gaps)."""
    have = set(loaded)
    span = (last - first).days + 1
    return [
        day.isoformat()
        for day in (date.fromordinal(first.toordinal() + n) for n in range(span))
        if day not in have
    ]


def _number(value: Any) -> Any:
    """Floats rounded to what a reader sees (cents, 4 digits for ratios), to keep the page small."""
    if isinstance(value, float):
        return round(value, 4)
    return value
