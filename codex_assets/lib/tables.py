"""What a warehouse table is, written once: `TableSpec`, the one description of every table the
pipeline writes (the marts of each source, the cross-source marts, the restricted tables and
the state tables).

Everything else is derived from a spec: the DuckDB DDL and the table and column comments
(`ensure_tables`), the in-place migration of the columns a newer version appends
(`Column.migrate_from`), the Dagster `dagster/column_schema` and `dagster/column_lineage`
(`codex_assets.defs.metadata`), the refresh of a mart from its SQL (`codex_assets.lib.refresh`)
and the generated reference of docs/marts.md (`codex_assets.docgen.marts`). Lineage names an
upstream table as `schema.table`.

A raw table (a lake table behind `raw.<name>`, or a breakdown view over one) has a spec too,
for its description, grain, upstream and SQL, but lists no columns: they are whatever its SQL
yields (`landed_by`, the landing SQL of a lake table; `sql_file`, a view's SELECT), because the
views must keep serving partitions older versions landed with fewer columns. That SQL is the
one place that says what a raw table holds, and the raw assets report the schema DuckDB gives
for it (`codex_assets.defs.metadata.table_schema`) rather than a second, hand-kept list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import duckdb

from codex_assets.lib.sql import sql_string
from codex_assets.lib.warehouse import transaction

Refresh = Literal["daily", "monthly", "snapshot"]
"""How `codex_assets.lib.refresh.rebuild` rewrites a table: `daily` replaces the days it is
given, `monthly` the whole months those days touch, `snapshot` the whole table."""

ColumnRef = tuple[str, str]
"""(upstream table as `schema.table`, column)."""


@dataclass(frozen=True)
class Column:
    """A column: DuckDB type, description, nullability, and the columns it derives from."""

    name: str
    type: str
    description: str
    lineage: tuple[ColumnRef, ...] = ()
    nullable: bool = True
    migrate_from: str | None = None
    """For a column appended after tables were made without it: the SQL expression, over the
    table's own columns, that fills it in such a table (`NULL`: empty until those rows are
    rebuilt, right for a mart). `ensure_tables` adds and fills it in place. None: a table
    without the column must be dropped and rebuilt."""


@dataclass(frozen=True)
class TableSpec:
    """One table: what it holds, its grain and columns, and (for a mart) how it is rebuilt.

    `refresh`, `sql_file`, `state_sql`, `upstream` and `also_reads` are for the tables
    `codex_assets.lib.refresh.rebuild` maintains (the marts); a table written by its own code
    (the restricted events, the DLP findings, a state table) leaves them empty.
    """

    qualified_name: str
    description: str
    grain: tuple[str, ...]
    columns: tuple[Column, ...]
    refresh: Refresh | None = None
    sql_file: str | None = None
    """The SELECT whose rows are the table's for the refreshed range (path under codex_assets/)."""
    state_sql: tuple[str, ...] = ()
    """Scripts run after the insert, in the same transaction: the state tables other marts read
    instead of history, or columns filled from another table."""
    upstream: tuple[str, ...] = ()
    """The tables it is built from (`schema.table`): its asset's dependencies."""
    also_reads: tuple[TableSpec, ...] = ()
    """Tables it reads (and names in its lineage) whose assets are not dependencies; they are
    created empty when missing, so the SQL can always read them."""
    maintained_by: str | None = None
    """For a state table: the mart whose refresh writes it (it is not an asset of its own)."""
    landed_by: str | None = None
    """For a lake table: the SQL (path under codex_assets/) that types the API's rows as they
    land; its result is the table's columns, so `columns` is empty."""
    tests: tuple[str, ...] = ()
    """The test files that hold the table to its definitions (paths from the repository root)."""

    @property
    def schema(self) -> str:
        return self.qualified_name.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.qualified_name.split(".", 1)[1]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def partitioned(self) -> bool:
        return self.refresh in ("daily", "monthly")

    @property
    def partition_column(self) -> str | None:
        """The column a refresh deletes by: `day`, `month`, or None for snapshots."""
        return {"daily": "day", "monthly": "month"}.get(self.refresh or "")

    @property
    def reads(self) -> tuple[str, ...]:
        """Every table its SQL reads, as `schema.table`."""
        return (*self.upstream, *(table.qualified_name for table in self.also_reads))

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.qualified_name} has no column {name!r}")

    def descriptions(self) -> dict[str, str]:
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

    def ensure(self, conn: duckdb.DuckDBPyConnection) -> None:
        """`ensure_tables` for this table alone."""
        ensure_tables(conn, (self,))


def refs(table: str, *columns: str) -> tuple[ColumnRef, ...]:
    """Lineage entries for several columns of one upstream table."""
    return tuple((table, column) for column in columns)


class TableSchemaError(RuntimeError):
    """A table exists with columns this version does not write; the message says the fix."""


def ensure_tables(conn: duckdb.DuckDBPyConnection, specs: Iterable[TableSpec]) -> None:
    """Create the schemas and tables of `specs` that are missing, with their comments.

    Idempotent, and cheap when nothing changed (two catalog queries; comments are written only
    when they differ). A table an older version made, whose columns are the first ones of this
    version's, gains the rest when each says how to fill it (`Column.migrate_from`): added at
    the end and filled in one transaction, so a migrated table has the same columns, in the
    same order, as a new one. Any other difference raises `TableSchemaError` before anything is
    written: the tables are derived data, so the fix is to drop and rebuild.
    """
    specs = tuple(specs)
    schemas = tuple(dict.fromkeys(spec.schema for spec in specs))
    for schema in schemas:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    catalog = _catalog(conn, schemas)
    for spec in specs:
        found = catalog.get(spec.qualified_name)
        if found is None:
            conn.execute(spec.ddl())
        if found is None or _migrate(conn, spec, found, specs):
            found = _catalog(conn, (spec.schema,))[spec.qualified_name]
        _check_columns(spec, found, specs)
        _comment(conn, spec, found)


_Found = dict[str, Any]
"""{"comment": the table's comment, "columns": [(name, type, comment)] in table order}."""


def _catalog(conn: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> dict[str, _Found]:
    """The tables of `schemas` in the current database, by qualified name."""
    where = "database_name = current_database() AND list_contains($schemas, schema_name)"
    found: dict[str, _Found] = {
        f"{schema}.{table}": {"comment": comment, "columns": []}
        for schema, table, comment in conn.execute(
            f"SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE {where}",
            {"schemas": list(schemas)},
        ).fetchall()
    }
    for schema, table, column, column_type, comment in conn.execute(
        "SELECT schema_name, table_name, column_name, data_type, comment FROM duckdb_columns() "
        f"WHERE {where} ORDER BY schema_name, table_name, column_index",
        {"schemas": list(schemas)},
    ).fetchall():
        if f"{schema}.{table}" in found:
            found[f"{schema}.{table}"]["columns"].append((column, column_type, comment))
    return found


def _typed(columns: Iterable[Any]) -> list[tuple[str, str]]:
    return [(column[0], column[1]) for column in columns]


def _migrate(
    conn: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    found: _Found,
    specs: tuple[TableSpec, ...],
) -> bool:
    """Append and fill the columns a table made by an older version lacks; True if it did.

    Only when the table's columns are exactly the first ones of this version's, so appended
    columns are the only difference; any other difference is `_check_columns`' to report.
    """
    actual = _typed(found["columns"])
    expected = [(column.name, column.type) for column in spec.columns]
    if len(actual) >= len(expected) or expected[: len(actual)] != actual:
        return False
    appended = spec.columns[len(actual) :]
    unfillable = [column.name for column in appended if column.migrate_from is None]
    if unfillable:
        raise TableSchemaError(
            f"{spec.qualified_name} exists without the columns {', '.join(unfillable)} (an "
            f"older version made it), which this version cannot fill in place. "
            f"{_rebuild_hint(spec, specs)}"
        )
    fills = [column for column in appended if str(column.migrate_from).upper() != "NULL"]
    with transaction(conn):
        for column in appended:
            conn.execute(
                f'ALTER TABLE {spec.qualified_name} ADD COLUMN "{column.name}" {column.type}'
            )
        if fills:
            assignments = ", ".join(f'"{c.name}" = {c.migrate_from}' for c in fills)
            conn.execute(f"UPDATE {spec.qualified_name} SET {assignments}")
    return True


def _check_columns(spec: TableSpec, found: _Found, specs: tuple[TableSpec, ...]) -> None:
    actual = _typed(found["columns"])
    expected = [(column.name, column.type) for column in spec.columns]
    if actual != expected:
        raise TableSchemaError(
            f"{spec.qualified_name} has columns {actual}, but this version writes {expected}. "
            f"{_rebuild_hint(spec, specs)}"
        )


def _rebuild_hint(spec: TableSpec, specs: tuple[TableSpec, ...]) -> str:
    """How to fix a table of the wrong shape: drop it (and the state tables its refresh keeps)
    and rebuild it from the layer below."""
    drops = [spec.qualified_name] + [
        other.qualified_name for other in specs if other.maintained_by == spec.name
    ]
    return (
        "It is derived data, so rebuild it: drop it "
        f"({'; '.join(f'DROP TABLE {name}' for name in drops)}), then materialize it again "
        "for the days you need."
    )


def _comment(conn: duckdb.DuckDBPyConnection, spec: TableSpec, found: _Found) -> None:
    """Store the descriptions as DuckDB comments (only when they changed: comments are writes)."""
    if found["comment"] != spec.description:
        conn.execute(f"COMMENT ON TABLE {spec.qualified_name} IS {sql_string(spec.description)}")
    current = {name: comment for name, _, comment in found["columns"]}
    for column in spec.columns:
        if current.get(column.name) != column.description:
            conn.execute(
                f"COMMENT ON COLUMN {spec.qualified_name}.{column.name} IS "
                f"{sql_string(column.description)}"
            )
