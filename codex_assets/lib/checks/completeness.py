"""Completeness: every page of every day, a workspace row for every day, no unloaded days.

Plain functions over the lake (and a `LakeWindow`), each returning a `CheckOutcome`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from codex_assets.lib.checks.outcome import (
    CheckOutcome,
    Offenders,
    backfill_commands,
    day_ranges,
    format_days,
    plural,
    window_text,
)
from codex_assets.lib.checks.sla import Sla
from codex_assets.lib.checks.window import LakeWindow

COMPLETE_FLAG = "complete"


def paging_complete(
    table: str,
    days: Sequence[date],
    footers: Mapping[date, Mapping[str, str]],
    oldest_refillable: date | None = None,
) -> CheckOutcome:
    """Every day of `days` has a partition whose footer says `complete=true`.

    The client lands a day only after paging reached `has_more: false` and then writes
    `complete=true` into the file's footer, so a missing or other value means the day may hold
    only some of its pages (an older writer, a hand-copied file, a bug), and a day with no file
    was never landed. A day without a file that is older than `oldest_refillable` is one the
    source no longer serves (say, compliance files past 30 days): it is counted as unavailable,
    not failed, since no re-run can change it.
    """
    days = sorted(set(days))
    offending: list[dict[str, object]] = []
    unavailable: list[date] = []
    pages = requests = 0
    for day in days:
        footer = footers.get(day)
        if footer is None:
            if oldest_refillable is not None and day < oldest_refillable:
                unavailable.append(day)
                continue
            offending.append({"day": day, "complete": None, "problem": "no partition file"})
            continue
        pages += _int(footer.get("pages"))
        requests += _int(footer.get("requests"))
        flag = footer.get(COMPLETE_FLAG)
        if flag != "true":
            problem = "no complete flag" if flag is None else f"complete={flag}"
            offending.append(
                {
                    "day": day,
                    "complete": flag,
                    "problem": problem,
                    "pages": footer.get("pages"),
                    "requests": footer.get("requests"),
                }
            )
    bad_days = [row["day"] for row in offending]
    measured: dict[str, object] = {
        "days_checked": len(days),
        "partitions_found": sum(1 for day in days if day in footers),
        "pages": pages,
        "requests": requests,
    }
    if unavailable:
        measured["days_no_longer_served"] = format_days(unavailable)
    threshold = (
        "every day has a partition whose footer says complete=true (paging reached has_more=false)"
    )
    return Offenders.of(offending, bad_days).outcome(
        threshold=threshold,
        measured=measured,
        passed=f"{table}: all {len(days)} days were landed whole ({pages} pages).",
        failed=(
            f"{table}: {len(bad_days)} of {plural(len(days), 'day')} are not known to be whole: "
            f"{format_days(bad_days)}. Reload them: {'; '.join(backfill_commands(bad_days))}"
        ),
    )


def workspace_row_every_day(window: LakeWindow, table: str = "usage_workspace") -> CheckOutcome:
    """Every day of the window has its workspace row; idle days have a zero row, not none.

    The API answers `group=workspace` with one row per day, zeros included, so a day with no
    row is a day the pipeline lost, and the per-user reconciliation and spend totals for it
    would silently read zero.
    """
    threshold = "exactly one workspace row on every day (an idle day is a zero row)"
    days = window.days
    rows_by_day: dict[date, tuple[int, bool]] = {}
    if window.has(table):
        for day, count, idle in window.conn.execute(
            window.query("workspace_rows.sql"), {"days": days}
        ).fetchall():
            rows_by_day[day] = (count, idle)
    landed = set(window.landed.get(table, ()))
    offending = []
    idle_days = []
    for day in days:
        count, idle = rows_by_day.get(day, (0, False))
        if day not in landed:
            offending.append({"day": day, "workspace_rows": 0, "problem": "no partition file"})
        elif count == 0:
            offending.append({"day": day, "workspace_rows": 0, "problem": "partition has no row"})
        elif idle:
            idle_days.append(day)
    bad_days = [row["day"] for row in offending]
    measured = {
        "days_checked": len(days),
        "window": window_text(days),
        "days_with_a_row": len(days) - len(bad_days),
        "idle_days": len(idle_days),
    }
    if idle_days:
        measured["idle_days_list"] = format_days(idle_days)
    return Offenders.of(offending, bad_days).outcome(
        threshold=threshold,
        measured=measured,
        passed=(
            f"{table}: every day of {window_text(days)} has its workspace row "
            f"({plural(len(idle_days), 'idle day')} recorded as zero rows)."
        ),
        failed=(
            f"{table}: {plural(len(bad_days), 'day')} without a workspace row: "
            f"{format_days(bad_days)}. "
            f"Reload them: {'; '.join(backfill_commands(bad_days))}"
        ),
    )


def coverage(
    table: str,
    landed: Iterable[date],
    sla: Sla,
    now: datetime,
    start_date: date | None = None,
    last_day: date | None = None,
) -> CheckOutcome:
    """Every day the source can still refill (the last `sla.lookback_days` days that are due)
    has a partition in the lake; the summary lists the missing days and the commands that
    load them.

    This is the check that catches the day the schedule did not run: other checks only look at
    the days a run loaded. `last_day` caps the days expected at what the backfill command can
    load now (it runs every API, so it waits for the analytics day to be complete at 12:00
    UTC); a compliance day due at 02:00 is the freshness check's business until then.
    """
    expected = sla.expected_days(now, start_date, last_day)
    present = set(landed)
    missing = [day for day in expected if day not in present]
    threshold = (
        f"no unloaded day among the last {sla.lookback_days} days that are due "
        f"(day D is due by {sla.deadline_text})"
    )
    measured = {
        "expected_days": len(expected),
        "window": window_text(expected),
        "loaded_days": len(expected) - len(missing),
        "missing_days": len(missing),
    }
    if not missing:
        return CheckOutcome(
            passed=True,
            summary=f"{table}: all {len(expected)} days of {window_text(expected)} are loaded.",
            threshold=threshold,
            measured=measured,
        )
    commands = backfill_commands(missing)
    offending = [
        {"first_day": first, "last_day": last, "command": command}
        for (first, last), command in zip(day_ranges(missing), commands, strict=False)
    ]
    return CheckOutcome(
        passed=False,
        summary=(
            f"{table}: {len(missing)} of the last {plural(len(expected), 'due day')} not loaded: "
            f"{format_days(missing)}. Load them with: {'; '.join(commands)}"
        ),
        threshold=threshold,
        measured=measured,
        offending=offending,
        offending_total=len(day_ranges(missing)),
        offending_days=missing,
    )


def _int(value: str | None) -> int:
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0
