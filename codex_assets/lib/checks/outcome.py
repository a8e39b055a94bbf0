"""What a check found, in a shape both the Dagster wrapper and plain tests can read.

Every check returns a `CheckOutcome`: whether it passed, a one-paragraph summary a user can act
on, what was measured, the threshold it was held to, and the offending rows (the first
`OFFENDING_CAP` of them, plus the total), so nobody has to open SQL to see what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

OFFENDING_CAP = 20
"""How many offending rows (or days) a check reports in full; the total is always given."""

BACKFILL_COMMAND = "uv run codex-assets backfill --start {start} --end {end}"


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check over one set of days.

    measured: what was looked at (days, rows, pages...), as plain numbers or short strings.
    threshold: the rule in words, e.g. "0 rows with a count below zero".
    offending: up to `OFFENDING_CAP` offending rows, each a column -> value mapping.
    offending_total: how many rows offended in all (may exceed `len(offending)`).
    offending_days: every day with at least one offending row, sorted.
    """

    passed: bool
    summary: str
    threshold: str
    measured: Mapping[str, Any] = field(default_factory=dict)
    offending: Sequence[Mapping[str, Any]] = ()
    offending_total: int = 0
    offending_days: Sequence[date] = ()


@dataclass(frozen=True)
class Offenders:
    """The rows a check query returned: the total, the days they fall on, the first few rows."""

    total: int
    days: list[date]
    rows: list[dict[str, Any]]

    @classmethod
    def of(cls, rows: Sequence[Mapping[str, Any]], days: Sequence[date]) -> Offenders:
        """Offending rows found in Python: all of them counted, the first `OFFENDING_CAP` kept."""
        return cls(len(rows), list(days), [dict(row) for row in rows[:OFFENDING_CAP]])

    def outcome(
        self, *, threshold: str, measured: Mapping[str, Any], passed: str, failed: str
    ) -> CheckOutcome:
        """Passed, saying `passed`, when nothing offended; else failed, saying `failed`, with the
        first offending rows, their total and their days."""
        if not self.total:
            return CheckOutcome(passed=True, summary=passed, threshold=threshold, measured=measured)
        return CheckOutcome(
            passed=False,
            summary=failed,
            threshold=threshold,
            measured=measured,
            offending=self.rows,
            offending_total=self.total,
            offending_days=self.days,
        )


def find_offenders(
    conn: duckdb.DuckDBPyConnection,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    cap: int = OFFENDING_CAP,
) -> Offenders:
    """Run a check query that returns offending rows (with a `day` column) and summarise them.

    The query runs inside DuckDB three ways (count, distinct days, the `cap` latest rows), so a
    check over a 10,000-user workspace never pulls every row into Python.
    """
    wrapped = f"FROM (\n{sql}\n) AS offenders"
    params = dict(params or {})
    (total,) = conn.execute(f"SELECT count(*) {wrapped}", params).fetchone()
    if not total:
        return Offenders(0, [], [])
    days = [
        row[0]
        for row in conn.execute(f"SELECT DISTINCT day {wrapped} ORDER BY 1", params).fetchall()
    ]
    # The sample shown in the UI: the latest days first, ties by every column (a stable order
    # whatever `preserve_insertion_order` says).
    cursor = conn.execute(
        f"SELECT * {wrapped} ORDER BY day DESC, COLUMNS(*) LIMIT {int(cap)}", params
    )
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return Offenders(total, days, rows)


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days collapsed into inclusive (first, last) ranges, in order."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def format_days(days: Iterable[date], cap: int = OFFENDING_CAP) -> str:
    """`2026-05-01..2026-05-03, 2026-05-07` (ranges collapsed; at most `cap` ranges shown)."""
    ranges = day_ranges(days)
    parts = [
        first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        for first, last in ranges[:cap]
    ]
    if len(ranges) > cap:
        parts.append(f"and {len(ranges) - cap} more ranges")
    return ", ".join(parts)


def backfill_commands(days: Iterable[date], cap: int = OFFENDING_CAP) -> list[str]:
    """The CLI commands that reload `days`, one per run of consecutive days (at most `cap`)."""
    return [
        BACKFILL_COMMAND.format(start=first.isoformat(), end=last.isoformat())
        for first, last in day_ranges(days)[:cap]
    ]


def plural(count: int, word: str, words: str | None = None) -> str:
    """`1 day`, `3 days` (or an irregular plural: `plural(2, "copy", "copies")`)."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def window_text(days: Sequence[date]) -> str:
    """`first..last (N days)` for the days a check looked at, or `no days`."""
    if not days:
        return "no days"
    first, last = min(days), max(days)
    return f"{first.isoformat()}..{last.isoformat()} ({plural(len(set(days)), 'day')})"
