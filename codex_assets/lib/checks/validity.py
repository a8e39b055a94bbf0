"""Validity rules any lake table can be held to: no negative counts, no duplicate keys, a
stable schema and no API field that no column reads.

Which columns are counts, what the grain is and which SQL types `record` come from each source's
`CheckedTable`; the rule that rows belong to their partition's day depends on a source's row
shape, so each source has its own (`defs/analytics/checks/partition_day.py`,
`defs/compliance/checks/files.py`), made with `row_rule` here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from codex_assets.lib.checks import record_fields
from codex_assets.lib.checks.outcome import (
    OFFENDING_CAP,
    CheckOutcome,
    Offenders,
    backfill_commands,
    find_offenders,
    format_days,
    plural,
    window_text,
)
from codex_assets.lib.checks.record_fields import RecordDrift
from codex_assets.lib.checks.tables import CheckedTable
from codex_assets.lib.checks.window import LakeWindow

DUPLICATE_KEYS_SQL = "lib/checks/duplicate_keys.sql"


def row_rule(
    window: LakeWindow,
    table: CheckedTable,
    *,
    threshold: str,
    sql: tuple[str, Mapping[str, str]],
    passed: Callable[[Mapping[str, object]], str],
    failed: Callable[[Offenders], str],
) -> CheckOutcome:
    """A rule over the rows of `table` in the window: the offenders `sql` (an SQL file under
    `codex_assets/` and its slots) finds, with `passed(measured)` or `failed(found)` as the
    summary. Nothing landed passes: the completeness checks own missing partitions."""
    measured = rows_measured(window, table.name)
    if not window.has(table.name):
        return nothing_landed(window, table.name, threshold)
    sql_file, slots = sql
    found = find_offenders(window.conn, window.query(sql_file, **slots))
    return found.outcome(
        threshold=threshold, measured=measured, passed=passed(measured), failed=failed(found)
    )


def negative_counts(window: LakeWindow, table: CheckedTable) -> CheckOutcome:
    """No count, credit, cost or token value below zero, in the totals or any breakdown entry."""

    def failed(found: Offenders) -> str:
        columns = sorted({row["column_name"] for row in found.rows})
        return (
            f"{table.name}: {plural(found.total, 'negative value')} (in {', '.join(columns)}"
            f"{', ...' if found.total > len(found.rows) else ''}) on {plural(len(found.days), 'day')}: "
            f"{format_days(found.days)}. The API never reports negative usage: reload the days "
            f"({'; '.join(backfill_commands(found.days))}) and, if it persists, report it upstream."
        )

    return row_rule(
        window,
        table,
        threshold="0 values below zero (NULL means unavailable and is allowed)",
        sql=table.negative_counts_query,
        passed=lambda measured: (
            f"{table.name}: no negative values in {measured['rows_checked']} rows."
        ),
        failed=failed,
    )


def duplicate_keys(window: LakeWindow, table: CheckedTable) -> CheckOutcome:
    """No two rows share a key at the table's grain, and no key column is missing."""
    keys = ", ".join(table.key_columns)
    null_keys = " OR ".join(f"bool_or({column} IS NULL)" for column in table.key_columns)
    slots = {"table": table.name, "keys": keys, "null_keys": null_keys}
    return row_rule(
        window,
        table,
        threshold=f"0 duplicate or missing keys at the grain {table.grain_text}",
        sql=(DUPLICATE_KEYS_SQL, slots),
        passed=lambda measured: (
            f"{table.name}: every key {table.grain_text} is unique "
            f"({measured['rows_checked']} rows)."
        ),
        failed=lambda found: (
            f"{table.name}: {plural(found.total, 'key')} {table.grain_text} duplicated or missing on "
            f"{plural(len(found.days), 'day')}: {format_days(found.days)}. Every mart would count those "
            f"rows twice (or drop them). Reload the days: {'; '.join(backfill_commands(found.days))}"
        ),
    )


def schema_diff(
    table: str,
    previous: Mapping[str, str] | None,
    current: Mapping[str, str] | None,
    drift: RecordDrift | None = None,
) -> CheckOutcome:
    """Compare two column schemas (name -> type), naming added, removed and retyped columns;
    with `drift`, also name the fields of `record` the API sent that no column reads."""
    threshold = "the same columns with the same types as the previous materialization"
    if drift is not None:
        threshold += (
            ", and no field in `record` that the typed SQL neither reads nor declares untyped"
        )
    changes = _column_changes(previous, current)
    measured: dict[str, object] = dict(changes.measured)
    fields = drift.fields if drift is not None else ()
    if drift is not None:
        measured |= {
            "fields_not_read": record_fields.describe(fields, len(fields)) or "none",
            "fields_not_read_count": len(fields),
            "record_days_checked": len(drift.days_checked),
            "record_objects_compared": ", ".join(level or "(top level)" for level in drift.levels),
            "typed_by": f"codex_assets/{drift.sql_file}",
        }
    if not (changes.parts or fields):
        return CheckOutcome(
            passed=True,
            summary=f"{table}: {changes.unchanged}{_fields_passed(drift)}",
            threshold=threshold,
            measured=measured,
        )
    sentences = []
    if changes.parts:
        sentences.append(
            f"the schema changed since the previous materialization: "
            f"{'; '.join(changes.parts)}. Check that the marts' SQL still reads the columns it "
            "needs (docs/raw-schema.md lists them); the verbatim API row is kept in `record`."
        )
    elif changes.unchanged:
        sentences.append(changes.unchanged)
    if fields:
        days = sorted({day for field in fields for day in field.days})
        sentences.append(
            f"{plural(len(fields), 'field')} the API sends that no column reads: "
            f"{record_fields.describe(fields, OFFENDING_CAP)} (seen on {format_days(days)}). "
            "They are kept in `record`, so nothing needs re-fetching; to use one, read it "
            f"in codex_assets/{drift.sql_file} (or, to leave it untyped on purpose, "
            "add it to that file's `-- untyped:` lines)."
        )
    field_rows = [
        {
            "field": field.path,
            "change": "sent by the API, read by no column",
            "days": format_days(field.days),
        }
        for field in fields
    ]
    offending = [*changes.offending, *field_rows]
    return CheckOutcome(
        passed=False,
        summary=f"{table}: " + " ".join(sentences),
        threshold=threshold,
        measured=measured,
        offending=offending[:OFFENDING_CAP],
        offending_total=len(offending),
        offending_days=sorted({day for field in fields for day in field.days}),
    )


@dataclass(frozen=True)
class _ColumnChanges:
    unchanged: str
    """What to say when nothing changed ("" when there is nothing to compare)."""
    parts: list[str]
    measured: dict[str, object]
    offending: list[dict[str, object]]


def _column_changes(
    previous: Mapping[str, str] | None, current: Mapping[str, str] | None
) -> _ColumnChanges:
    if current is None:
        return _ColumnChanges("not materialized yet, no schema to compare.", [], {}, [])
    if previous is None:
        return _ColumnChanges(
            f"first materialization with a schema; {len(current)} columns.",
            [],
            {"columns": len(current)},
            [],
        )
    added = [name for name in current if name not in previous]
    removed = [name for name in previous if name not in current]
    retyped = [
        {"column": name, "previous_type": previous[name], "type": current[name]}
        for name in current
        if name in previous and previous[name] != current[name]
    ]
    measured = {
        "columns": len(current),
        "previous_columns": len(previous),
        "added": ", ".join(added) or "none",
        "removed": ", ".join(removed) or "none",
        "retyped": ", ".join(f"{r['column']} {r['previous_type']} -> {r['type']}" for r in retyped)
        or "none",
    }
    parts = []
    if added:
        parts.append(f"added {', '.join(added)}")
    if removed:
        parts.append(f"removed {', '.join(removed)}")
    if retyped:
        parts.append(
            "retyped "
            + ", ".join(f"{r['column']} ({r['previous_type']} -> {r['type']})" for r in retyped)
        )
    offending = (
        [{"column": name, "change": "added", "type": current[name]} for name in added]
        + [{"column": name, "change": "removed", "type": previous[name]} for name in removed]
        + [
            {
                "column": r["column"],
                "change": f"retyped from {r['previous_type']}",
                "type": r["type"],
            }
            for r in retyped
        ]
    )
    return _ColumnChanges(f"schema unchanged ({len(current)} columns).", parts, measured, offending)


def _fields_passed(drift: RecordDrift | None) -> str:
    if drift is None:
        return ""
    if not drift.days_checked:
        return " No landed partition to compare `record` with."
    return (
        f" Every field the API sent on {plural(len(drift.days_checked), 'day')} is read by a "
        f"column or declared untyped in codex_assets/{drift.sql_file}."
    )


def rows_measured(window: LakeWindow, table: str) -> dict[str, object]:
    """What a row rule looked at: the window, the days landed and the rows in them."""
    rows = 0
    if window.has(table):
        (rows,) = window.conn.execute(f"SELECT count(*) FROM raw.{table}").fetchone()
    landed = window.landed.get(table, [])
    return {"window": window_text(window.days), "days_landed": len(landed), "rows_checked": rows}


def nothing_landed(window: LakeWindow, table: str, threshold: str) -> CheckOutcome:
    """Nothing to validate: passing is right (completeness checks own missing partitions)."""
    return CheckOutcome(
        passed=True,
        summary=f"{table}: no landed partition in {window_text(window.days)}; nothing to validate.",
        threshold=threshold,
        measured=rows_measured(window, table),
    )
