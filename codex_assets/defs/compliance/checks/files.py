"""The compliance log's files: every file the API lists for a day is landed, unaltered, and in
its day.

A file covers the window from the previous file's end_time to its own, so a listed file that is
not landed is a stretch of the day with no audit events in the lake: the summary names it in
minutes. The loader verifies each download before landing, so a checksum that differs means
the partition was altered or written by something else. Listings are passed in (the Dagster
wrapper asks the API), so these functions stay pure. What each check promises: `specs.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from codex_assets.defs.compliance.landing import RAW_TABLE
from codex_assets.defs.compliance.window import RETENTION_DAYS
from codex_assets.lib.checks.outcome import (
    CheckOutcome,
    Offenders,
    backfill_commands,
    format_days,
    plural,
)
from codex_assets.lib.checks.tables import CheckedTable
from codex_assets.lib.checks.validity import row_rule
from codex_assets.lib.checks.window import LakeWindow

COMPLIANCE_TABLE = RAW_TABLE
LANDED_FILES_SQL = "defs/compliance/checks/landed_files.sql"
FILES_OUTSIDE_PARTITION_SQL = "defs/compliance/checks/files_outside_partition.sql"


@dataclass(frozen=True)
class ListedFile:
    """A log file as the API lists it (the fields the checks compare)."""

    file_id: str
    file_name: str
    end_time: datetime
    file_sha256: str
    file_size: int


@dataclass(frozen=True)
class LandedFile:
    """A log file as the lake holds it: the checksum(s) its lines carry, and how many lines."""

    file_id: str
    file_name: str
    checksums: tuple[str, ...]
    lines: int


def landed_files(
    window: LakeWindow, table: str = COMPLIANCE_TABLE
) -> dict[date, dict[str, LandedFile]]:
    """Per partition day of the window, the files landed in it, by file id."""
    found: dict[date, dict[str, LandedFile]] = {day: {} for day in window.landed.get(table, ())}
    if not window.has(table):
        return found
    rows = window.conn.execute(window.query(LANDED_FILES_SQL)).fetchall()
    for day, file_id, file_name, _end, checksums, lines in rows:
        found.setdefault(day, {})[file_id] = LandedFile(
            file_id, file_name, tuple(checksums), int(lines)
        )
    return found


def files_cover_day(
    listed_by_day: Mapping[date, Sequence[ListedFile]],
    landed_by_day: Mapping[date, Mapping[str, LandedFile]],
    not_listable: Sequence[date] = (),
    table: str = COMPLIANCE_TABLE,
) -> CheckOutcome:
    """Every file the API lists for a landed day is in that day's partition.

    `listed_by_day`: the days compared (landed and still listable), each with its listing.
    `not_listable`: landed days the API no longer (or not yet) lists; reported, not failed.
    A listed file of 0 bytes has no lines, so it leaves no row: it counts as landed.
    """
    threshold = (
        "every file the API lists for the day (end_time in (D 00:00, D+1 00:00]) is landed: "
        "0 minutes of the day uncovered"
    )
    offending: list[dict[str, object]] = []
    listed_total = landed_total = 0
    largest_gap = timedelta(0)
    for day in sorted(listed_by_day):
        files = sorted(listed_by_day[day], key=lambda f: (f.end_time, f.file_id))
        landed = landed_by_day.get(day, {})
        previous_end = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        covered_until = previous_end
        for listed in files:
            listed_total += 1
            if listed.file_id in landed or listed.file_size == 0:
                landed_total += 1
                largest_gap = max(largest_gap, listed.end_time - covered_until)
                covered_until = listed.end_time
            else:
                offending.append(
                    {
                        "day": day,
                        "file_id": listed.file_id,
                        "file_name": listed.file_name,
                        "window_start": previous_end.isoformat(),
                        "window_end": listed.end_time.isoformat(),
                        "minutes_uncovered": round(
                            (listed.end_time - previous_end).total_seconds() / 60, 1
                        ),
                    }
                )
            previous_end = listed.end_time
    uncovered = round(sum(float(row["minutes_uncovered"]) for row in offending), 1)
    measured: dict[str, object] = {
        "days_compared": len(listed_by_day),
        "files_listed": listed_total,
        "files_landed": landed_total,
        "files_missing": len(offending),
        "minutes_uncovered": uncovered,
        "largest_stretch_between_landed_files_minutes": round(largest_gap.total_seconds() / 60, 1),
    }
    if not_listable:
        measured["days_not_listable"] = format_days(not_listable)
    return _files_outcome(
        table,
        offending,
        threshold=threshold,
        measured=measured,
        passed=(
            f"all {plural(listed_total, 'file')} the API lists for "
            f"{plural(len(listed_by_day), 'day')} are landed; no stretch of a day is uncovered."
        ),
        failed=(
            "file",
            f"the API lists are not landed ({uncovered:g} minutes of audit events missing)",
            "The compliance marts would miss those events. Reload the days while the API still "
            f"keeps their files ({RETENTION_DAYS} days)",
        ),
    )


def file_checksums_match(
    listed_by_day: Mapping[date, Sequence[ListedFile]],
    landed_by_day: Mapping[date, Mapping[str, LandedFile]],
    table: str = COMPLIANCE_TABLE,
) -> CheckOutcome:
    """Every landed file of a compared day carries the sha256 the API lists for it, and is one
    the API lists for that day."""
    threshold = "every landed file's sha256 equals the listed file_sha256; no unlisted file"
    offending: list[dict[str, object]] = []
    compared = 0
    for day in sorted(listed_by_day):
        listing = {f.file_id: f for f in listed_by_day[day]}
        for file_id, landed in sorted(landed_by_day.get(day, {}).items()):
            compared += 1
            listed = listing.get(file_id)
            if listed is None:
                problem, expected = "landed but not listed by the API for this day", None
            elif landed.checksums != (listed.file_sha256,):
                problem, expected = "sha256 differs from the listing", listed.file_sha256
            else:
                continue
            offending.append(
                {
                    "day": day,
                    "file_id": file_id,
                    "file_name": landed.file_name,
                    "landed_sha256": ", ".join(landed.checksums),
                    "listed_sha256": expected,
                    "problem": problem,
                }
            )
    measured = {
        "days_compared": len(listed_by_day),
        "files_compared": compared,
        "files_mismatched": len(offending),
    }
    return _files_outcome(
        table,
        offending,
        threshold=threshold,
        measured=measured,
        passed=(
            f"all {plural(compared, 'landed file')} match the API's sha256 "
            f"({plural(len(listed_by_day), 'day')})."
        ),
        failed=(
            "landed file",
            "do not match the API's listing",
            "The loader verifies every download, so the partition was altered or written by "
            "another tool; its events cannot be trusted. Reload the days",
        ),
    )


def _files_outcome(
    table: str,
    offending: list[dict[str, object]],
    *,
    threshold: str,
    measured: dict[str, object],
    passed: str,
    failed: tuple[str, str, str],
) -> CheckOutcome:
    """Passed, saying `passed`; or failed, naming the offending files' days with `failed`
    (what offended, what is wrong with it, what follows and what to do) and the reload commands."""
    what, problem, then = failed
    days = sorted({row["day"] for row in offending})
    return Offenders.of(offending, days).outcome(
        threshold=threshold,
        measured=measured,
        passed=f"{table}: {passed}",
        failed=(
            f"{table}: {plural(len(offending), what)} {problem} on {plural(len(days), 'day')}: "
            f"{format_days(days)}. {then}: {'; '.join(backfill_commands(days))}"
        ),
    )


def files_outside_partition(window: LakeWindow, table: CheckedTable) -> CheckOutcome:
    """Every compliance log file in a partition ends in that day: end_time in (D, D+1]."""
    return row_rule(
        window,
        table,
        threshold="0 log files whose end_time is not in (D 00:00, D+1 00:00] UTC of the partition",
        sql=(FILES_OUTSIDE_PARTITION_SQL, {}),
        passed=lambda _: f"{table.name}: every log file belongs to its partition's day.",
        failed=lambda found: (
            f"{table.name}: {plural(found.total, 'log file')} in the partitions "
            f"{format_days(found.days)} end outside the partition's day, so their events would "
            f"be counted on the wrong day. Reload the days "
            f"({'; '.join(backfill_commands(found.days))})."
        ),
    )
