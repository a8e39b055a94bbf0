"""Compliance checks: every listed log file landed, unaltered, and the log agrees with analytics.

- `files_cover_day`: each file the Compliance API lists for a day (end_time in (D 00:00,
  D+1 00:00]) is in the day's partition. A file covers the window from the previous file's
  end_time to its own, so a listed file that is not landed is a stretch of the day with no
  audit events in the lake: the summary names the stretch in minutes.
- `file_checksums_match`: every landed file carries the sha256 the API lists for it (and no
  landed file is one the API does not list for that day). The loader verifies each download
  before landing, so a mismatch means the partition was altered or written by something else.
- `responses_per_turn`: compliance PROMPT_RESPONSE_RECEIVED events per analytics turn, per
  day and per user-day, held to a band. Only a warning: the two APIs cover different
  authentication paths, so a ratio away from 1 is a finding to look at, not proof of loss.

Listings are passed in (the Dagster wrapper asks the API), so these functions stay pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

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
from codex_assets.lib.checks.window import LakeWindow

COMPLIANCE_TABLE = "compliance_codex_log"
RESPONSES_PER_TURN_BAND = (0.8, 1.25)
"""The ratio band outside which responses per turn warn (symmetric: 1/1.25 = 0.8)."""
MIN_USER_DAY_VOLUME = 10
"""A user-day is held to the band only with at least this many turns or responses."""


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
    rows = window.conn.execute(window.query("compliance_landed_files.sql")).fetchall()
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
    bad_days = sorted({row["day"] for row in offending})
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
    return Offenders.of(offending, bad_days).outcome(
        threshold=threshold,
        measured=measured,
        passed=(
            f"{table}: all {plural(listed_total, 'file')} the API lists for "
            f"{plural(len(listed_by_day), 'day')} are landed; no stretch of a day is uncovered."
        ),
        failed=(
            f"{table}: {plural(len(offending), 'file')} the API lists are not landed "
            f"({uncovered:g} minutes of audit events missing) on {plural(len(bad_days), 'day')}: "
            f"{format_days(bad_days)}. The compliance marts would miss those events. Reload the "
            f"days while the API still keeps their files (30 days): "
            f"{'; '.join(backfill_commands(bad_days))}"
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
    bad_days = sorted({row["day"] for row in offending})
    measured = {
        "days_compared": len(listed_by_day),
        "files_compared": compared,
        "files_mismatched": len(offending),
    }
    return Offenders.of(offending, bad_days).outcome(
        threshold=threshold,
        measured=measured,
        passed=(
            f"{table}: all {plural(compared, 'landed file')} match the API's sha256 "
            f"({plural(len(listed_by_day), 'day')})."
        ),
        failed=(
            f"{table}: {plural(len(offending), 'landed file')} do not match the API's listing on "
            f"{plural(len(bad_days), 'day')}: {format_days(bad_days)}. The loader verifies every "
            "download, so the partition was altered or written by another tool; its events "
            f"cannot be trusted. Reload the days: {'; '.join(backfill_commands(bad_days))}"
        ),
    )


def comparable_days(
    window: LakeWindow, days: Sequence[date], *, users: str = "usage_users"
) -> list[date]:
    """Days of `days` whose responses can be counted: analytics day D and compliance days D and
    D+1 are landed (events of D's last minutes are delivered in D+1's files)."""
    compliance = set(window.landed.get(COMPLIANCE_TABLE, ()))
    analytics = set(window.landed.get(users, ()))
    return [
        day
        for day in sorted(set(days))
        if day in analytics and day in compliance and day + timedelta(days=1) in compliance
    ]


def responses_per_turn(
    window: LakeWindow,
    days: Sequence[date],
    band: tuple[float, float] = RESPONSES_PER_TURN_BAND,
    min_volume: int = MIN_USER_DAY_VOLUME,
) -> CheckOutcome:
    """Compliance responses per analytics turn, per day and per user-day, within `band`.

    `window` must hold raw.compliance_codex_log for `days` and the day after each, and
    raw.usage_users for `days`; only days where all three landed are compared (see
    `comparable_days`). Users are matched on their email (the APIs' ids differ); the offending
    rows name both ids, never the email.
    """
    low, high = band
    threshold = (
        f"responses / turns within [{low:g}, {high:g}] for every day, and for every user-day "
        f"with at least {min_volume} turns or responses (a warning band: the APIs cover "
        "different authentication paths)"
    )
    compared = comparable_days(window, days)
    not_compared = [day for day in sorted(set(days)) if day not in compared]
    measured: dict[str, object] = {"days_compared": len(compared), "band": f"{low:g}..{high:g}"}
    if not_compared:
        measured["days_not_compared"] = format_days(not_compared)
    if not compared:
        return CheckOutcome(
            passed=True,
            summary=(
                f"{COMPLIANCE_TABLE}: no day with analytics turns and the compliance log of the "
                "day and the next landed; nothing to compare."
            ),
            threshold=threshold,
            measured=measured,
        )
    params = {"days": compared}
    daily = window.conn.execute(window.query("responses_vs_turns_daily.sql"), params).fetchall()
    turns = sum(row[1] for row in daily)
    responses = sum(row[2] for row in daily)
    ratios = [row[3] for row in daily if row[3] is not None]
    day_offenders = [
        {"day": day, "scope": "workspace", "turns": t, "responses": r, "ratio": ratio}
        for day, t, r, ratio in daily
        if (ratio is None and r > 0) or (ratio is not None and not low <= ratio <= high)
    ]
    matched, unmatched = window.conn.execute(
        window.query("responses_vs_turns_matched.sql"), params
    ).fetchone()
    users = find_offenders(
        window.conn,
        window.query("responses_vs_turns_users.sql"),
        {**params, "low": low, "high": high, "min_volume": min_volume},
    )
    measured.update(
        {
            "turns": turns,
            "responses": responses,
            "ratio": round(responses / turns, 4) if turns else None,
            "lowest_day_ratio": min(ratios) if ratios else None,
            "highest_day_ratio": max(ratios) if ratios else None,
            "user_days_compared": matched,
            "user_days_without_email": unmatched,
            "user_days_outside_band": users.total,
        }
    )
    offending = [*day_offenders, *({"scope": "user", **row} for row in users.rows)]
    total = len(day_offenders) + users.total
    if not total:
        return CheckOutcome(
            passed=True,
            summary=(
                f"{COMPLIANCE_TABLE}: {responses} responses for {turns} analytics turns "
                f"(ratio {measured['ratio']}) over {window_text(compared)}; every day and "
                f"user-day is within {low:g}..{high:g}."
            ),
            threshold=threshold,
            measured=measured,
        )
    bad_days = sorted({row["day"] for row in day_offenders} | set(users.days))
    return CheckOutcome(
        passed=False,
        summary=(
            f"{COMPLIANCE_TABLE}: responses per turn outside {low:g}..{high:g} on "
            f"{plural(len(day_offenders), 'day')} and {plural(users.total, 'user-day')} "
            f"({format_days(bad_days)}). A warning, not an error: the compliance log and the "
            "analytics API cover different authentication paths. If it is new, check that both "
            "were loaded after the day was final (paging_complete, files_cover_day) and reload "
            f"the days: {'; '.join(backfill_commands(bad_days))}"
        ),
        threshold=threshold,
        measured=measured,
        offending=offending[:OFFENDING_CAP],
        offending_total=total,
        offending_days=bad_days,
    )
