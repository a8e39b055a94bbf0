"""Completeness: every page of every day, and no unloaded day.

Loaded is not the same as holding rows: the API omits a day without activity (no rows, not a
zero row; reference/codex-api.md, "2026-12 additions"), so a day whose paging reached
`has_more=false` is loaded whether its partition holds rows or not (an idle day). Missing is
only a day never fetched, or whose paging did not finish.

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
from codex_assets.lib.checks.window import ROWS_KEY

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
    was never landed. A whole partition without rows is an idle day: loaded, and counted as
    such (the API omits inactive days rather than sending zero rows). A day without a file that is older than `oldest_refillable` is one the
    source no longer serves (say, compliance files past 30 days): it is counted as unavailable,
    not failed, since no re-run can change it.
    """
    days = sorted(set(days))
    offending: list[dict[str, object]] = []
    unavailable: list[date] = []
    idle: list[date] = []
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
        if flag == "true" and footer.get(ROWS_KEY) == "0":
            idle.append(day)
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
    measured["idle_days"] = len(idle)
    if idle:
        measured["idle_days_list"] = format_days(idle)
    idle_text = f", {plural(len(idle), 'idle day')} without rows" if idle else ""
    threshold = (
        "every day has a partition whose footer says complete=true (paging reached has_more=false)"
    )
    return Offenders.of(offending, bad_days).outcome(
        threshold=threshold,
        measured=measured,
        passed=f"{table}: all {len(days)} days were landed whole ({pages} pages{idle_text}).",
        failed=(
            f"{table}: {len(bad_days)} of {plural(len(days), 'day')} are not known to be whole: "
            f"{format_days(bad_days)}. Reload them: {'; '.join(backfill_commands(bad_days))}"
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
