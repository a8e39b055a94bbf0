"""Metadata helpers shared by assets: the column schema and lineage Dagster shows, from a
table's spec (`codex_assets.lib.tables.TableSpec`) or, for the raw views, from DuckDB itself;
and markdown tables (previews) built from DataFrames."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import dagster as dg
import duckdb
import numpy as np
import pandas as pd

from codex_assets.lib.tables import TableSpec

AssetKeyFor = Callable[[str], dg.AssetKey]
"""The asset that produces a table named `schema.table`."""


def table_asset_key(qualified_name: str) -> dg.AssetKey:
    """The asset key of a table: its name split on the dot (`marts.x` is `marts/x`)."""
    return dg.AssetKey(qualified_name.split("."))


def column_schema(spec: TableSpec) -> dg.TableSchema:
    """`dagster/column_schema`: each column's type, description and nullability."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=column.name,
                type=column.type,
                description=column.description,
                constraints=dg.TableColumnConstraints(nullable=column.nullable),
            )
            for column in spec.columns
        ]
    )


def column_lineage(
    spec: TableSpec, asset_key_for: AssetKeyFor = table_asset_key
) -> dg.TableColumnLineage:
    """`dagster/column_lineage`: each column's upstream columns, by the asset that produces
    them (deduplicated after mapping: two views of one asset name the same column once)."""
    return dg.TableColumnLineage(
        deps_by_column={
            column: [
                dg.TableColumnDep(asset_key=key, column_name=source)
                for key, source in dict.fromkeys(
                    (asset_key_for(table), source) for table, source in sources
                )
            ]
            for column, sources in spec.lineage().items()
        }
    )


def table_metadata(
    spec: TableSpec, rows: int | None, asset_key_for: AssetKeyFor = table_asset_key
) -> dict[str, object]:
    """What a materialization of the table reports: rows, table name, schema and lineage.

    `rows` None for a partitioned table: each day's count is that partition's own
    (`partition_figures`), never the run's total."""
    return {
        **({} if rows is None else {"dagster/row_count": rows}),
        "dagster/table_name": spec.qualified_name,
        "dagster/column_schema": column_schema(spec),
        "dagster/column_lineage": column_lineage(spec, asset_key_for),
    }


def partition_figures(
    context: dg.AssetExecutionContext, figures: Mapping[date, Mapping[str, object]]
) -> None:
    """Give each day's materialization its own figures (`dagster/row_count`, files, bytes...).

    In a ranged run (`BackfillPolicy.single_run()`) Dagster 1.13 records one materialization
    per partition of the range, each carrying the `MaterializeResult`'s metadata merged with
    what `add_asset_metadata(partition_key=)` gave that partition
    (`dagster/_core/execution/plan/execute_step.py`, `_get_output_asset_events`). So run
    totals stay out of the result's metadata (they would show on every day) and go to the
    run's log instead; the day's figures go here."""
    for day, values in sorted(figures.items()):
        context.add_asset_metadata(dict(values), partition_key=day.isoformat())


def rows_by_day(
    conn: duckdb.DuckDBPyConnection, spec: TableSpec, days: Sequence[date], column: str = ""
) -> dict[date, int]:
    """Rows of `spec`'s table on each of `days` (0 for a day it holds none), by its partition
    column (or `column`); for a monthly table, each day counts the rows of its month."""
    column = column or spec.partition_column or "day"
    bucket = f"date_trunc('month', {column})::DATE" if column == "month" else f"{column}::DATE"
    wanted = sorted(set(days))
    if not wanted:
        return {}
    counts = dict(
        conn.execute(
            f"SELECT {bucket} AS bucket, count(*) FROM {spec.qualified_name} "
            f"WHERE {bucket} BETWEEN $start AND $end GROUP BY bucket",
            {"start": _bucket(wanted[0], column), "end": wanted[-1]},
        ).fetchall()
    )
    return {day: int(counts.get(_bucket(day, column), 0)) for day in wanted}


def _bucket(day: date, column: str) -> date:
    return day.replace(day=1) if column == "month" else day


def table_schema(
    conn: duckdb.DuckDBPyConnection,
    qualified_name: str,
    descriptions: dict[str, str] | None = None,
) -> dg.TableSchema:
    """The columns of `schema.table` as DuckDB reports them, with optional descriptions."""
    descriptions = descriptions or {}
    rows = conn.execute(f"DESCRIBE {qualified_name}").fetchall()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=column_type, description=descriptions.get(name))
            for name, column_type, *_ in rows
        ]
    )


PREVIEW_HIDDEN_COLUMNS = frozenset({"email", "user_email"})
"""Personal data stays in DuckDB: Dagster's event log (and so the UI) never gets it."""


def markdown_preview(
    conn: duckdb.DuckDBPyConnection,
    query: str,
    limit: int = 10,
    params: dict[str, object] | None = None,
) -> dg.MetadataValue:
    """The first `limit` rows of `query` as a markdown table, for the asset page in the UI,
    without the `PREVIEW_HIDDEN_COLUMNS` (dropped before any row leaves DuckDB's result).
    `query` ends with its ORDER BY: the LIMIT is appended at the same level, since an order
    inside a subquery is not kept once `preserve_insertion_order` is off (compliance runs)."""
    cursor = conn.execute(f"{query} LIMIT {int(limit)}", params or {})
    names = [column[0] for column in cursor.description]
    # Python rows rather than `fetchdf`, whose own DataFrame.drop(inplace=...) warns on pandas 3.1.
    frame = pd.DataFrame(cursor.fetchall(), columns=names, dtype=object)
    frame = frame[[name for name in names if name not in PREVIEW_HIDDEN_COLUMNS]]
    return dg.MetadataValue.md(markdown_table(frame))


def table_preview(
    conn: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    days: Sequence[date] = (),
    order: str | None = None,
) -> dg.MetadataValue:
    """The preview of `spec`'s table on a materialization: the latest days (or months) first,
    then the grain, so that the rows on show are the newest; for a partitioned table only the
    rows of the run's `days`, so that a partition's preview shows that partition's rows.
    `order` replaces the default order (a table without a day column)."""
    period = spec.partition_column
    default = ", ".join(
        [f"{period} DESC", *(key for key in spec.grain if key != period)] if period else spec.grain
    )
    where, params = "", {}
    if period and days:
        # A monthly table's `month` is the month's first day: the range's first month counts.
        start = "date_trunc('month', $start::DATE)" if period == "month" else "$start::DATE"
        where = f" WHERE {period} BETWEEN {start} AND $end::DATE"
        params = {"start": min(days), "end": max(days)}
    query = f"SELECT * FROM {spec.qualified_name}{where} ORDER BY {order or default}"
    return markdown_preview(conn, query, params=params)


def markdown_table(frame: pd.DataFrame) -> str:
    """`frame` as a markdown table (pandas' `to_markdown`): each value as its text, a null as
    an empty cell, and a `|` escaped so that it cannot split a cell."""
    cells = frame.astype(object).map(_cell)
    return cells.to_markdown(index=False, tablefmt="github", disable_numparse=True)


def _cell(value: Any) -> str:
    if isinstance(value, np.ndarray):  # a LIST column: shown as the list it is
        value = value.tolist()
    elif _is_null(value):
        return ""
    return str(value).replace("|", "\\|")


def _is_null(value: Any) -> bool:
    """None, and what pandas holds for a NULL (NA, NaT, a float NaN)."""
    if isinstance(value, float):
        return math.isnan(value)
    return value is None or value is pd.NA or value is pd.NaT
