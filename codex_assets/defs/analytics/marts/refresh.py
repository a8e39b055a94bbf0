"""Build the marts: create their tables, and refresh one for a range of days.

A refresh is one transaction: delete the range (the days, the months they touch, or the whole
snapshot), insert what the mart's SQL returns for it, update the state tables, record the
refresh. A re-run therefore replaces exactly, and a failure leaves the previous rows in place.

The surfaces file and the directory are loaded into the connection as temp tables
(`mart_surface_map`, `mart_directory`) and the shared rules as temp macros, so the SQL joins
and calls them like anything else, and nothing about them is spelled in Python strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb

from codex_assets.defs.analytics.marts.definitions import CREDITS_TOLERANCE
from codex_assets.defs.analytics.marts.specs import MARTS, STATE_TABLES, Column, MartSpec
from codex_assets.defs.analytics.pricing import check_usd_per_credit
from codex_assets.defs.analytics.surfaces import REPORTED_SURFACES, SurfaceMap, load_surface_map
from codex_assets.defs.compliance.specs import ACTIVITY_SPEC
from codex_assets.defs.directory.people import Directory, load_directory
from codex_assets.lib.settings import Settings
from codex_assets.lib.sql import read_sql

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


class MartSchemaError(RuntimeError):
    """A mart table exists with columns this version does not write; the message says the fix."""


@dataclass(frozen=True)
class MartSettings:
    """What the marts need beyond the raw data: a price, the surfaces file, the directory."""

    usd_per_credit: float | None = None
    surfaces: SurfaceMap = field(default_factory=load_surface_map)
    directory: Directory = field(default_factory=Directory.empty)

    def __post_init__(self) -> None:
        check_usd_per_credit(self.usd_per_credit)

    @classmethod
    def from_settings(cls, settings: Settings) -> MartSettings:
        """From the validated environment: CODEX_USD_PER_CREDIT, CODEX_SURFACES_CSV (the
        packaged default when unset) and CODEX_DIRECTORY_CSV (none when unset). A malformed
        file raises here, before any table is touched."""
        return cls(
            usd_per_credit=settings.usd_per_credit,
            surfaces=load_surface_map(settings.surfaces_csv),
            directory=load_directory(settings.directory_csv),
        )


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create schema `marts`, every mart and state table, and their column comments.

    Idempotent. A table left by an older version that lacks only columns this version appends
    gains them (NULL on the days built before, until those days are rebuilt); a table with
    other columns is not altered (marts are derived, so the fix is to drop and rebuild it) but
    reported, before any refresh writes.
    """
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    tables: dict[str, tuple[str, str, tuple[Column, ...]]] = {
        spec.name: (spec.ddl(), spec.description, spec.columns) for spec in MARTS.values()
    } | {t.name: (t.ddl(), t.description, t.columns) for t in STATE_TABLES.values()}
    existing = _existing_columns(conn)
    for name, (ddl, description, columns) in tables.items():
        if name not in existing:
            conn.execute(ddl)
            existing = _existing_columns(conn)
        if _add_appended_columns(conn, name, columns, existing[name]):
            existing = _existing_columns(conn)
        _check_columns(name, columns, existing[name])
        _comment(conn, name, description, columns, existing[name])
    # usage_reconciliation_daily reads the compliance activity for its compliance columns; an
    # empty table when the compliance log is not loaded leaves them NULL.
    ACTIVITY_SPEC.ensure(conn)


def refresh_mart(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    start: date | None = None,
    end: date | None = None,
    settings: MartSettings | None = None,
) -> int:
    """Rebuild mart `name` for the UTC days [start, end] (both inclusive); return rows written.

    Daily marts replace exactly those days; `spend_by_team_monthly` replaces the whole months
    the range touches; `user_activity` (a snapshot) ignores `start` and is rebuilt as of `end`,
    or of the last day usage_user_daily was built for when `end` is None. Marts built on
    marts.usage_user_daily expect it to be built for the range (and, for windows, the 27 days
    before it) first: `MARTS` is in that order.
    """
    spec = MARTS.get(name)
    if spec is None:
        raise KeyError(f"no mart named {name!r}; the marts are {', '.join(MARTS)}")
    settings = settings or MartSettings()
    ensure_schema(conn)
    _install_helpers(conn, settings)
    params: dict[str, Any] = {
        "usd_per_credit": settings.usd_per_credit,
        "surfaces": list(REPORTED_SURFACES),
        "credits_tolerance": CREDITS_TOLERANCE,
        "mart": spec.name,
        "refreshed_at": datetime.now(UTC).replace(tzinfo=None),
    }
    if spec.partitioned:
        if start is None or end is None:
            raise ValueError(f"{spec.qualified_name} is partitioned: give start and end days")
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        if spec.refresh == "monthly":
            start, end = _month_bounds(start, end)
        params |= {"start": start, "end": end}
        delete = f"DELETE FROM {spec.qualified_name} WHERE {spec.partition_column} BETWEEN $start AND $end"
    else:
        as_of = end or last_loaded_day(conn)
        if as_of is None:
            return 0
        params |= {"as_of": as_of}
        delete = f"DELETE FROM {spec.qualified_name}"

    conn.begin()
    try:
        _execute(conn, delete, params)
        insert = f"INSERT INTO {spec.qualified_name} BY NAME {read_sql(spec.sql_file)}"
        (written,) = _execute(conn, insert, params).fetchone() or (0,)
        for state_file in spec.state_sql:
            run_script(conn, read_sql(state_file), params)
        _record_refresh(conn, spec, params)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return int(written)


def refresh_marts(
    conn: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    settings: MartSettings | None = None,
    names: Iterable[str] | None = None,
) -> dict[str, int]:
    """Refresh several marts (all by default) for [start, end], in dependency order.

    Snapshot marts are rebuilt as of the last loaded day, whatever `end` is.
    """
    wanted = set(MARTS) if names is None else set(names)
    unknown = wanted - set(MARTS)
    if unknown:
        raise KeyError(f"no marts named {sorted(unknown)}; the marts are {', '.join(MARTS)}")
    settings = settings or MartSettings()
    written: dict[str, int] = {}
    for name, spec in MARTS.items():
        if name in wanted:
            partitioned = spec.partitioned
            written[name] = refresh_mart(
                conn, name, start if partitioned else None, end if partitioned else None, settings
            )
    return written


def last_loaded_day(conn: duckdb.DuckDBPyConnection) -> date | None:
    """The last day marts.usage_user_daily has been built for (None before the first build).

    Read from the refresh ledger rather than the data, so a last day without any usage still
    counts as loaded.
    """
    ensure_schema(conn)
    row = conn.execute(
        "SELECT max(partition_day) FROM marts.refreshed_partitions WHERE mart = 'usage_user_daily'"
    ).fetchone()
    return row[0] if row else None


def run_script(
    conn: duckdb.DuckDBPyConnection, script: str, params: Mapping[str, Any]
) -> duckdb.DuckDBPyConnection:
    """Run the `;`-separated statements of `script`, each with the parameters it names."""
    result = conn
    for statement in _COMMENT.sub("", script).split(";"):
        if statement.strip():
            result = _execute(conn, statement, params)
    return result


def _execute(
    conn: duckdb.DuckDBPyConnection, statement: str, params: Mapping[str, Any]
) -> duckdb.DuckDBPyConnection:
    """Execute one statement with only the `$name` parameters it uses (DuckDB rejects extras)."""
    names = set(_PARAMETER.findall(_COMMENT.sub("", statement)))
    missing = names - set(params)
    if missing:
        raise KeyError(f"SQL parameters without a value: {sorted(missing)}")
    return conn.execute(statement, {name: params[name] for name in names})


def _install_helpers(conn: duckdb.DuckDBPyConnection, settings: MartSettings) -> None:
    """The shared macros, and the surfaces file and directory as temp tables."""
    run_script(conn, read_sql("defs/analytics/marts/_macros.sql"), {})
    rules = settings.surfaces.as_rows()
    people = settings.directory.as_rows()
    run_script(
        conn,
        read_sql("defs/analytics/marts/_lookups.sql"),
        {
            "patterns": [pattern for pattern, _, _ in rules],
            "pattern_surfaces": [surface for _, surface, _ in rules],
            "priorities": [priority for _, _, priority in rules],
            "user_ids": [user_id for user_id, _, _, _ in people],
            "emails": [email for _, email, _, _ in people],
            "teams": [team for _, _, team, _ in people],
            "cost_centres": [cost_centre for _, _, _, cost_centre in people],
        },
    )


def _record_refresh(
    conn: duckdb.DuckDBPyConnection, spec: MartSpec, params: Mapping[str, Any]
) -> None:
    """Replace the ledger rows of what was just rebuilt: one per day, month, or the snapshot."""
    table = spec.qualified_name
    if spec.refresh == "snapshot":
        _execute(conn, "DELETE FROM marts.refreshed_partitions WHERE mart = $mart", params)
        _execute(
            conn,
            "INSERT INTO marts.refreshed_partitions "
            f"SELECT $mart, $as_of, (SELECT count(*) FROM {table}), $refreshed_at",
            params,
        )
        return
    step = "1 DAY" if spec.refresh == "daily" else "1 MONTH"
    column = spec.partition_column
    _execute(
        conn,
        "DELETE FROM marts.refreshed_partitions "
        "WHERE mart = $mart AND partition_day BETWEEN $start AND $end",
        params,
    )
    _execute(
        conn,
        "INSERT INTO marts.refreshed_partitions "
        "SELECT $mart, k.key, coalesce(c.n, 0), $refreshed_at "
        f"FROM (SELECT range::DATE AS key FROM range($start::DATE, $end::DATE + 1, INTERVAL {step})) AS k "
        f"LEFT JOIN (SELECT {column} AS key, count(*) AS n FROM {table} "
        f"WHERE {column} BETWEEN $start AND $end GROUP BY {column}) AS c USING (key)",
        params,
    )


def _month_bounds(start: date, end: date) -> tuple[date, date]:
    """The first day of start's month and the last day of end's month."""
    first = start.replace(day=1)
    next_month = (end.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first, next_month - timedelta(days=1)


_Existing = dict[str, dict[str, Any]]
"""table -> {"columns": [(name, type, comment)], "comment": table comment}."""


def _existing_columns(conn: duckdb.DuckDBPyConnection) -> _Existing:
    """What schema `marts` holds now, in two catalog queries (not one per table)."""
    existing: _Existing = {
        name: {"columns": [], "comment": comment}
        for name, comment in conn.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts'"
        ).fetchall()
    }
    for table, column, column_type, comment in conn.execute(
        "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = 'marts' ORDER BY table_name, column_index"
    ).fetchall():
        if table in existing:
            existing[table]["columns"].append((column, column_type, comment))
    return existing


def _add_appended_columns(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    columns: tuple[Column, ...],
    existing: dict[str, Any],
) -> bool:
    """Add the columns a newer version appended to `marts.<name>`; True if any was added.

    Only when the table's columns are exactly the first ones of this version's, so an added
    column is the only difference; any other difference is `_check_columns`' to report.
    """
    actual = [(column, column_type) for column, column_type, _ in existing["columns"]]
    expected = [(column.name, column.type) for column in columns]
    if len(actual) >= len(expected) or expected[: len(actual)] != actual:
        return False
    for column in columns[len(actual) :]:
        conn.execute(f'ALTER TABLE marts.{name} ADD COLUMN "{column.name}" {column.type}')
    return True


def _check_columns(name: str, columns: tuple[Column, ...], existing: dict[str, Any]) -> None:
    actual = [(column, column_type) for column, column_type, _ in existing["columns"]]
    expected = [(column.name, column.type) for column in columns]
    if actual != expected:
        raise MartSchemaError(
            f"marts.{name} has columns {actual}, but this version writes {expected}. Marts are "
            f"derived from the raw layer, so rebuild it: DROP TABLE marts.{name} (and, for "
            "usage_user_daily, marts.user_first_active and marts.user_active_runs), then "
            "materialize the mart again for the days you need."
        )


def _comment(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    description: str,
    columns: tuple[Column, ...],
    existing: dict[str, Any],
) -> None:
    """Store the descriptions as DuckDB comments (only when they changed: comments are writes)."""
    if existing["comment"] != description:
        conn.execute(f"COMMENT ON TABLE marts.{name} IS {_quote(description)}")
    current = {column: comment for column, _, comment in existing["columns"]}
    for column in columns:
        if current.get(column.name) != column.description:
            conn.execute(
                f"COMMENT ON COLUMN marts.{name}.{column.name} IS {_quote(column.description)}"
            )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def fill_reconciliation_compliance(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    """Bring the compliance columns of usage_reconciliation_daily up to date for [start, end]
    after the compliance activity changed (a no-op until the reconciliation mart exists)."""
    reconciliation = MARTS["usage_reconciliation_daily"]
    if reconciliation.name in _existing_columns(conn):
        for state_file in reconciliation.state_sql:
            run_script(conn, read_sql(state_file), {"start": start, "end": end})
