"""Compliance responses per analytics turn: do the two sources see the same traffic?

The compliance log's PROMPT_RESPONSE_RECEIVED events are counted per analytics turn, per day and
per user-day (matched on email: the two APIs' user ids differ), and held to a band. Only a
warning: the APIs cover different authentication paths, so a ratio away from 1 is a finding to
look at, not proof of loss. What the check promises is its spec (`specs.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from codex_assets.defs.analytics.checks.tables import USAGE_USERS
from codex_assets.defs.compliance.checks.tables import COMPLIANCE_CODEX_LOG
from codex_assets.lib.checks.outcome import (
    OFFENDING_CAP,
    CheckOutcome,
    backfill_commands,
    find_offenders,
    format_days,
    plural,
    window_text,
)
from codex_assets.lib.checks.window import LakeWindow

COMPLIANCE_TABLE = COMPLIANCE_CODEX_LOG.name
RESPONSES_PER_TURN_BAND = (0.8, 1.25)
"""The ratio band outside which responses per turn warn (symmetric: 1/1.25 = 0.8)."""
MIN_USER_DAY_VOLUME = 10
"""A user-day is held to the band only with at least this many turns or responses."""


def comparable_days(
    window: LakeWindow, days: Sequence[date], *, users: str = USAGE_USERS.name
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
    daily = window.conn.execute(
        window.query("defs/reconciliation/checks/responses_vs_turns_daily.sql"), params
    ).fetchall()
    turns = sum(row[1] for row in daily)
    responses = sum(row[2] for row in daily)
    ratios = [row[3] for row in daily if row[3] is not None]
    day_offenders = [
        {"day": day, "scope": "workspace", "turns": t, "responses": r, "ratio": ratio}
        for day, t, r, ratio in daily
        if (ratio is None and r > 0) or (ratio is not None and not low <= ratio <= high)
    ]
    matched, unmatched = window.conn.execute(
        window.query("defs/reconciliation/checks/responses_vs_turns_matched.sql"), params
    ).fetchone()
    users = find_offenders(
        window.conn,
        window.query("defs/reconciliation/checks/responses_vs_turns_users.sql"),
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
