"""Refresh the compliance marts: activity per day and user, agent activity per day, user and
agent, and the access-token events.

All read `restricted.compliance_events` and hold no text and no emails. Each is rebuilt from
its SQL by `codex_assets.lib.refresh.rebuild`, the path every mart takes (one transaction:
delete, insert, record). Activity is by the events' own UTC dates, so a refresh rebuilds exactly
the days whose events changed (`EventsRefresh.event_days`: the loaded partitions' days plus the
days of late events they delivered). A mart of another slice that reads one of these without
depending on its asset follows its refresh (`codex_assets.lib.refresh.follow`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb

from codex_assets.defs.compliance.specs import (
    ACCESS_TOKENS_SPEC,
    ACTIVITY_SPEC,
    AGENT_ACTIVITY_SPEC,
    EVENTS_SPEC,
)
from codex_assets.lib.refresh import rebuild


def refresh_activity(conn: duckdb.DuckDBPyConnection, days: Sequence[date]) -> int:
    """Rebuild `marts.compliance_activity_daily` for `days`; return the rows written."""
    EVENTS_SPEC.ensure(conn)
    return rebuild(conn, ACTIVITY_SPEC, days)


def refresh_agent_activity(conn: duckdb.DuckDBPyConnection, days: Sequence[date]) -> int:
    """Rebuild `marts.compliance_agent_activity_daily` for `days`; return the rows written."""
    EVENTS_SPEC.ensure(conn)
    return rebuild(conn, AGENT_ACTIVITY_SPEC, days)


def refresh_access_token_events(conn: duckdb.DuckDBPyConnection) -> int:
    """Rebuild `marts.access_token_events` whole (a few events a day); return its rows."""
    EVENTS_SPEC.ensure(conn)
    return rebuild(conn, ACCESS_TOKENS_SPEC)
