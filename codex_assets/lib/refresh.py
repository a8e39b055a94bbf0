"""Rebuild a mart from its SQL: the one refresh path of every mart, whatever its source.

A rebuild is one transaction: delete what is rebuilt (the given days, the months they touch,
or the whole table for a snapshot), insert what the mart's SQL returns for it, run its state
SQL, record the rebuild in `marts.refreshed_partitions`, and run the state SQL of the marts
that follow it (`follow`). A re-run therefore replaces exactly, and a failure leaves the
previous rows in place.

The SQL reads its range from parameters: `$start` and `$end` (the first and last day rebuilt,
both inclusive), `$days` (daily) or `$months` (monthly) for the exact keys when they are not
one run, `$as_of` for a snapshot that has one, and whatever the caller adds (a source's
settings). Each statement gets only the parameters it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import duckdb

from codex_assets.lib.sql import read_sql
from codex_assets.lib.tables import Column, TableSpec, ensure_tables
from codex_assets.lib.warehouse import transaction

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")

LEDGER = TableSpec(
    qualified_name="marts.refreshed_partitions",
    description=(
        "Which days (months, for monthly marts; the as-of day for snapshots) each mart was "
        "last built for, with row counts: what 'the last loaded day' means."
    ),
    grain=("mart", "partition_day"),
    maintained_by="every mart",
    columns=(
        Column("mart", "VARCHAR", "The mart's table name.", nullable=False),
        Column(
            "partition_day",
            "DATE",
            "The day, the first day of the month, or the snapshot's as-of day.",
            nullable=False,
        ),
        Column("rows", "BIGINT", "Rows the refresh wrote for it.", nullable=False),
        Column("refreshed_at", "TIMESTAMP", "When (UTC).", nullable=False),
    ),
)

_FOLLOWERS: dict[str, list[TableSpec]] = {}


def follow(source: TableSpec, follower: TableSpec) -> None:
    """After every rebuild of `source`, run `follower`'s state SQL for the same days, in the
    same transaction (while `follower`'s table exists).

    For a mart that reads another without depending on its asset (`TableSpec.also_reads`), so
    that whichever of the two is rebuilt last leaves it right. Registered by the follower's
    module, which is what keeps the source's slice from knowing about it.
    """
    followers = _FOLLOWERS.setdefault(source.qualified_name, [])
    if follower not in followers:
        followers.append(follower)


def rebuild(
    conn: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    days: Iterable[date] = (),
    *,
    as_of: date | None = None,
    params: Mapping[str, Any] | None = None,
) -> int:
    """Rebuild the mart `spec` (see module doc) and return the rows its SQL inserted.

    A partitioned mart is rebuilt for `days` (a daily mart those days, a monthly one every
    month they touch; none: nothing to do); a snapshot is rebuilt whole, given `$as_of` when
    `as_of` is set. The tables it needs are created first (`ensure_tables`).
    """
    if spec.refresh is None or spec.sql_file is None:
        raise ValueError(f"{spec.qualified_name} is not rebuilt from SQL (no refresh, no sql_file)")
    ensure_tables(conn, (*spec.also_reads, LEDGER, spec))
    table = spec.qualified_name
    values: dict[str, Any] = {
        **(params or {}),
        "mart": spec.name,
        "refreshed_at": datetime.now(UTC).replace(tzinfo=None),
    }
    keys: tuple[date, ...] = ()
    if spec.partitioned:
        keys = partition_keys(spec, days)
        if not keys:
            return 0
        values |= _range_values(spec, keys)
        delete = f"DELETE FROM {table} WHERE {_range_filter(spec, keys)}"
    else:
        if as_of is not None:
            values["as_of"] = as_of
        delete = f"DELETE FROM {table}"
    with transaction(conn):
        execute(conn, delete, values)
        insert = f"INSERT INTO {table} BY NAME {read_sql(spec.sql_file)}"
        (written,) = execute(conn, insert, values).fetchone() or (0,)
        for state_file in spec.state_sql:
            run_script(conn, read_sql(state_file), values)
        _record(conn, spec, keys, values)
        if keys:
            for follower in _FOLLOWERS.get(table, ()):
                run_state_sql(conn, follower, values["start"], values["end"])
    return int(written)


def run_state_sql(conn: duckdb.DuckDBPyConnection, spec: TableSpec, start: date, end: date) -> None:
    """Run `spec`'s state SQL for the days [start, end] (a no-op while its table is missing)."""
    exists = conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = $schema AND table_name = $name",
        {"schema": spec.schema, "name": spec.name},
    ).fetchone()
    if exists and exists[0]:
        for state_file in spec.state_sql:
            run_script(conn, read_sql(state_file), {"start": start, "end": end})


def partition_keys(spec: TableSpec, days: Iterable[date]) -> tuple[date, ...]:
    """The partitions `days` rebuild: the days themselves, or the first days of their months."""
    if spec.refresh == "monthly":
        return tuple(sorted({day.replace(day=1) for day in days}))
    return tuple(sorted(set(days)))


def days_between(start: date, end: date) -> list[date]:
    """Every day of [start, end], both inclusive."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _next_key(spec: TableSpec, key: date) -> date:
    if spec.refresh == "monthly":
        return (key + timedelta(days=32)).replace(day=1)
    return key + timedelta(days=1)


def _is_one_run(spec: TableSpec, keys: tuple[date, ...]) -> bool:
    return all(_next_key(spec, a) == b for a, b in pairwise(keys))


def _keys_param(spec: TableSpec) -> str:
    return "months" if spec.refresh == "monthly" else "days"


def _range_values(spec: TableSpec, keys: tuple[date, ...]) -> dict[str, Any]:
    """$start and $end (the last day of the last month, for a monthly mart) and the keys."""
    end = _next_key(spec, keys[-1]) - timedelta(days=1)
    return {"start": keys[0], "end": end, _keys_param(spec): list(keys)}


def _range_filter(spec: TableSpec, keys: tuple[date, ...]) -> str:
    """The rows of the rebuilt partitions: a range scan, narrowed to the keys when they are not
    one run (the late events of a compliance day land on scattered days)."""
    column = spec.partition_column
    where = f"{column} BETWEEN $start AND $end"
    if not _is_one_run(spec, keys):
        where += f" AND {column} IN (SELECT unnest(${_keys_param(spec)}::DATE[]))"
    return where


def _record(
    conn: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    keys: tuple[date, ...],
    values: Mapping[str, Any],
) -> None:
    """Replace the ledger rows of what was just rebuilt: one per day, month, or the snapshot's
    as-of day (a snapshot without one is not recorded)."""
    table = spec.qualified_name
    if not spec.partitioned:
        if "as_of" in values:
            execute(conn, f"DELETE FROM {LEDGER.qualified_name} WHERE mart = $mart", values)
            execute(
                conn,
                f"INSERT INTO {LEDGER.qualified_name} "
                f"SELECT $mart, $as_of, (SELECT count(*) FROM {table}), $refreshed_at",
                values,
            )
        return
    column = spec.partition_column
    ledger = dict(values) | {"keys": list(keys)}
    execute(
        conn,
        f"DELETE FROM {LEDGER.qualified_name} "
        "WHERE mart = $mart AND partition_day IN (SELECT unnest($keys::DATE[]))",
        ledger,
    )
    execute(
        conn,
        f"INSERT INTO {LEDGER.qualified_name} "
        "SELECT $mart, k.key, coalesce(c.n, 0), $refreshed_at "
        "FROM (SELECT unnest($keys::DATE[]) AS key) AS k "
        f"LEFT JOIN (SELECT {column} AS key, count(*) AS n FROM {table} "
        f"WHERE {_range_filter(spec, keys)} GROUP BY {column}) AS c USING (key)",
        ledger,
    )


def run_script(
    conn: duckdb.DuckDBPyConnection, script: str, params: Mapping[str, Any]
) -> duckdb.DuckDBPyConnection:
    """Run the `;`-separated statements of `script`, each with the parameters it names."""
    result = conn
    for statement in _COMMENT.sub("", script).split(";"):
        if statement.strip():
            result = execute(conn, statement, params)
    return result


def execute(
    conn: duckdb.DuckDBPyConnection, statement: str, params: Mapping[str, Any]
) -> duckdb.DuckDBPyConnection:
    """Execute one statement with only the `$name` parameters it uses (DuckDB rejects extras)."""
    names = set(_PARAMETER.findall(_COMMENT.sub("", statement)))
    missing = names - set(params)
    if missing:
        raise KeyError(f"SQL parameters without a value: {sorted(missing)}")
    return conn.execute(statement, {name: params[name] for name in names})
