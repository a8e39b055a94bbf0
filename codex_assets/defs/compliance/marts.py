"""Refresh the compliance marts: activity per day and user, agent activity per day, user and
agent, and the access-token events.

All read `restricted.compliance_events` and hold no text and no emails. Activity is by the
events' own UTC dates, so a refresh rebuilds exactly the days whose events changed
(`EventsRefresh.event_days`: the loaded partitions' days plus the days of late events they
delivered), each in one transaction (delete the days, insert them again).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import duckdb

from codex_assets.defs.analytics.marts.refresh import fill_reconciliation_compliance
from codex_assets.defs.compliance.specs import (
    ACCESS_TOKENS_SPEC,
    ACTIVITY_SPEC,
    AGENT_ACTIVITY_SPEC,
    EVENTS_SPEC,
    TableSpec,
)
from codex_assets.lib.sql import read_sql


def refresh_activity(conn: duckdb.DuckDBPyConnection, days: Sequence[date]) -> int:
    """Rebuild `marts.compliance_activity_daily` for `days` (and the compliance columns of the
    usage reconciliation for them); return the rows written."""
    return _rebuild_days(
        conn,
        ACTIVITY_SPEC,
        "defs/compliance/activity_daily.sql",
        days,
        then=fill_reconciliation_compliance,
    )


def refresh_agent_activity(conn: duckdb.DuckDBPyConnection, days: Sequence[date]) -> int:
    """Rebuild `marts.compliance_agent_activity_daily` for `days`; return the rows written."""
    return _rebuild_days(
        conn, AGENT_ACTIVITY_SPEC, "defs/compliance/agent_activity_daily.sql", days
    )


def _rebuild_days(
    conn: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    sql_file: str,
    days: Sequence[date],
    *,
    then: Callable[[duckdb.DuckDBPyConnection, date, date], None] | None = None,
) -> int:
    """Delete `days` from the mart `spec` and insert them again from `sql_file`, with `then`
    (given the first and last day) in the same transaction; return the rows written."""
    EVENTS_SPEC.ensure(conn)
    spec.ensure(conn)
    wanted = sorted(set(days))
    if not wanted:
        return 0
    table = spec.qualified_name
    params = {"days": wanted}
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(f"DELETE FROM {table} WHERE day IN (SELECT unnest($days::DATE[]))", params)
        inserted = conn.execute(
            f"INSERT INTO {table} BY NAME {read_sql(sql_file)}", params
        ).fetchone()
        if then is not None:
            then(conn, wanted[0], wanted[-1])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return int(inserted[0]) if inserted else 0


def refresh_access_token_events(conn: duckdb.DuckDBPyConnection) -> int:
    """Rebuild `marts.access_token_events` whole (a few events a day); return its rows."""
    EVENTS_SPEC.ensure(conn)
    ACCESS_TOKENS_SPEC.ensure(conn)
    table = ACCESS_TOKENS_SPEC.qualified_name
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(f"DELETE FROM {table}")
        inserted = conn.execute(
            f"INSERT INTO {table} BY NAME {read_sql('defs/compliance/access_token_events.sql')}"
        ).fetchone()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return int(inserted[0]) if inserted else 0
