"""A second implementation of the marts' definitions, in plain pandas, from the API's rows.

Written from docs/marts.md ("Definitions", the cost rule and the column descriptions) and the
default surface map (codex_assets/defs/analytics/surfaces.csv), never from the project's SQL: it
reads the rows the fake API served, not the lake or the `raw` views, so a mistake anywhere on
the way (client, landing, views, mart SQL) shows up as a difference.

NULL is `None` throughout; a pandas frame holds Python objects (dtype=object) so that NULL,
0 and integers stay what they are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import pandas as pd

from tests.property.strategies import Dataset

SURFACES = ("cli", "ide", "cloud", "desktop", "code_review", "other", "all")

# The default client_id -> surface map (codex_assets/defs/analytics/surfaces.csv), written out.
_EXACT = {
    "CODEX_CLI": "cli",
    "CODEX_WEB": "cloud",
    "CODEX_CLOUD_GENERAL_AGENT": "cloud",
    "CODEX_SLACK": "cloud",
    "CODEX_WORK_WEB": "cloud",
    "CODEX_DESKTOP_APP": "desktop",
    "CODEX_CHATGPT_DESKTOP": "desktop",
    "CODEX_WORK_DESKTOP": "desktop",
    "CODEX_GITHUB": "code_review",
    "CODEX_GITHUB_ACTION": "code_review",
}
_TOKENS = {  # mart column -> API field
    "uncached_input_tokens": "uncached_text_input_tokens",
    "cached_input_tokens": "cached_text_input_tokens",
    "output_tokens": "text_output_tokens",
    "total_tokens": "text_total_tokens",
}
TOKEN_COLUMNS = tuple(_TOKENS)


def surface_of(client_id: str) -> str:
    """CODEX_IDE_* is ide, the listed ids their surface, anything else other (case ignored)."""
    upper = client_id.upper()
    if upper in _EXACT:
        return _EXACT[upper]
    return "ide" if upper.startswith("CODEX_IDE_") else "other"


# -- the rules ---------------------------------------------------------------------------------


def row_cost(billed: Any, estimated: Any, credits: Any, usd_per_credit: float | None) -> Any:
    """The cost rule: billed cost_usd, else the estimate, else credits x price, else 0 when no
    credits were used, else unknown."""
    if billed is not None:
        return billed
    if estimated is not None:
        return estimated
    if credits is not None and usd_per_credit is not None:
        return credits * usd_per_credit
    if credits == 0:
        return 0.0
    return None


def sum_known(values: Iterable[Any]) -> Any:
    """SUM as SQL has it: the NULLs are skipped; NULL when nothing is left."""
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def sum_strict(values: Iterable[Any]) -> Any:
    """A total that is NULL when any part of it is (the cost rule's totals); 0 over nothing."""
    values = list(values)
    return None if any(value is None for value in values) else float(sum(values))


def unit_of(credits: Any, billed: Any) -> str | None:
    """billing_unit: by which of credits and a native cost_usd were reported."""
    if credits is not None and billed is not None:
        return "credits+usd"
    if credits is not None:
        return "credits"
    return "usd" if billed is not None else None


def ratio(numerator: Any, denominator: Any) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def is_active(threads: Any, turns: Any, credits: Any) -> bool:
    return any(value is not None and value > 0 for value in (threads, turns, credits))


# -- usage_user_daily --------------------------------------------------------------------------


def _measures(parts: list[dict], usd_per_credit: float | None) -> dict[str, Any]:
    """The measures of one usage_user_daily row from the `Usage` objects summed into it."""
    credits = sum_known(part.get("credits") for part in parts)
    billed = sum_known(part.get("cost_usd") for part in parts)
    threads = sum(part["threads"] for part in parts)
    turns = sum(part["turns"] for part in parts)
    measures = {
        "threads": threads,
        "turns": turns,
        "credits": credits,
        "cost_usd": sum_strict(
            row_cost(
                part.get("cost_usd"),
                part.get("estimated_cost_usd"),
                part.get("credits"),
                usd_per_credit,
            )
            for part in parts
        ),
        "billed_cost_usd": billed,
        "billing_unit": unit_of(credits, billed),
        "is_active": is_active(threads, turns, credits),
    }
    for column, api_field in _TOKENS.items():
        measures[column] = sum_known(part.get(api_field) for part in parts)
    return measures


def usage_user_daily(dataset: Dataset, usd_per_credit: float | None) -> pd.DataFrame:
    """One `all` row per served user row (from its totals), and one row per surface its
    clients map to (their sums)."""
    records = []
    for day in dataset.days:
        for row in dataset.day_rows("usage", day):
            actor = row.get("actor") or {}
            identity = {
                "day": day,
                "user_id": row.get("user_id") or actor.get("user_id"),
                "email": actor.get("email"),
            }
            clients = row["clients"]
            records.append(
                {
                    **identity,
                    "surface": "all",
                    "client_ids": sorted({c["client_id"] for c in clients}),
                    **_measures([row["totals"]], usd_per_credit),
                }
            )
            by_surface: dict[str, list[dict]] = {}
            for client in clients:
                by_surface.setdefault(surface_of(client["client_id"]), []).append(client)
            for surface, parts in by_surface.items():
                records.append(
                    {
                        **identity,
                        "surface": surface,
                        "client_ids": sorted({c["client_id"] for c in parts}),
                        **_measures(parts, usd_per_credit),
                    }
                )
    columns = [
        "day", "user_id", "email", "surface", "client_ids", "threads", "turns", "credits",
        "cost_usd", "billed_cost_usd", "billing_unit", "is_active", *TOKEN_COLUMNS,
    ]  # fmt: skip
    return pd.DataFrame(records, columns=columns, dtype=object)


# -- the day x surface marts -------------------------------------------------------------------


def _grid(days: list[date]) -> list[tuple[date, str]]:
    return [(day, surface) for day in days for surface in SURFACES]


def _active_sets(usage: pd.DataFrame) -> dict[tuple[date, str], set[str]]:
    active = usage[usage["is_active"].astype(bool)]
    return {
        (day, surface): set(group["user_id"])
        for (day, surface), group in active.groupby(["day", "surface"])
    }


def adoption_daily(usage: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    """Active, new, WAU, MAU, stickiness and volume per day and surface, every day present.

    Only the scenario's days are loaded, so the windows see only those."""
    active = _active_sets(usage)
    first_day: dict[tuple[str, str], date] = {}
    for (day, surface), users in sorted(active.items()):
        for user in users:
            first_day.setdefault((user, surface), day)
    records = []
    for day, surface in _grid(days):
        rows = usage[(usage["day"] == day) & (usage["surface"] == surface)]

        def window(length: int, day: date = day, surface: str = surface) -> int:
            users: set[str] = set()
            for back in range(length):
                users |= active.get((day - timedelta(days=back), surface), set())
            return len(users)

        today = active.get((day, surface), set())
        mau = window(28)
        records.append(
            {
                "day": day,
                "surface": surface,
                "active_users": len(today),
                "new_users": sum(1 for user in today if first_day[(user, surface)] == day),
                "wau": window(7),
                "mau": mau,
                "stickiness": ratio(len(today), mau),
                "threads": int(rows["threads"].sum()),
                "turns": int(rows["turns"].sum()),
                "credits": sum_known(rows["credits"]) or 0.0,
            }
        )
    return pd.DataFrame(records, dtype=object)


def spend_by_surface_daily(usage: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    """Credits, cost, uncosted credits, cost per active user, tokens, unit, per day and surface."""
    active = _active_sets(usage)
    records = []
    for day, surface in _grid(days):
        rows = usage[(usage["day"] == day) & (usage["surface"] == surface)]
        credits = sum_known(rows["credits"])
        billed = sum_known(rows["billed_cost_usd"])
        cost = sum_strict(rows["cost_usd"])
        users = len(active.get((day, surface), set()))
        record = {
            "day": day,
            "surface": surface,
            "credits": credits or 0.0,
            "cost_usd": cost,
            "uncosted_credits": sum_known(
                credit
                for credit, row_cost in zip(rows["credits"], rows["cost_usd"], strict=True)
                if row_cost is None
            )
            or 0.0,
            "active_users": users,
            "cost_per_active_user": ratio(cost, users),
            "billing_unit": unit_of(credits, billed),
            "billed_cost_usd": billed,
        }
        for column in TOKEN_COLUMNS:
            record[column] = sum_known(rows[column])
        records.append(record)
    return pd.DataFrame(records, dtype=object)


# -- review_impact_daily -----------------------------------------------------------------------


def review_impact_daily(dataset: Dataset) -> pd.DataFrame:
    """Reviews and engagement per day, every day present, zeros on days without rows."""
    records = []
    for day in dataset.days:
        reviews = dataset.day_rows("code_reviews", day)
        responses = dataset.day_rows("code_review_responses", day)

        def total(rows: list[dict], *path: str) -> int:
            out = 0
            for row in rows:
                value: Any = row
                for key in path:
                    value = value[key]
                out += value
            return out

        details = ("comment_response_details",)
        reactions = ("reaction_details",)
        record = {
            "day": day,
            "pull_request_reviews": total(reviews, "pull_request_reviews"),
            "comments": total(reviews, "comments"),
            "p0": total(reviews, "comment_details", "p0"),
            "p1": total(reviews, "comment_details", "p1"),
            "p2": total(reviews, "comment_details", "p2"),
            "merged_pull_request_reviews": total(responses, "pull_request_reviews"),
            "merged_comments": total(responses, "comments"),
            "replies": total(responses, "replies"),
            "reactions": total(responses, "reactions"),
            "engaged_comments": total(responses, *details, "engaged"),
            "reacted_comments": total(responses, *details, "reacted"),
            "replied_comments": total(responses, *details, "replied"),
            "upvoted_comments": total(responses, *details, "upvoted"),
            "downvoted_comments": total(responses, *details, "downvoted"),
            "reacted_other_comments": total(responses, *details, "reacted_other"),
            "upvotes": total(responses, *reactions, "upvotes"),
            "downvotes": total(responses, *reactions, "downvotes"),
            "other_reactions": total(responses, *reactions, "other"),
        }
        record["comments_per_review"] = ratio(record["comments"], record["pull_request_reviews"])
        record["engagement_rate"] = ratio(record["engaged_comments"], record["merged_comments"])
        record["net_sentiment"] = ratio(
            record["upvotes"] - record["downvotes"], record["upvotes"] + record["downvotes"]
        )
        records.append(record)
    return pd.DataFrame(records, dtype=object)


# -- comparing ---------------------------------------------------------------------------------


def _null(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def same(actual: Any, expected: Any) -> bool:
    if _null(actual) or _null(expected):
        return _null(actual) and _null(expected)
    if isinstance(expected, float) or isinstance(actual, float):
        # Sums of credits and dollars are stored rounded to 6 decimals (micro-units).
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(expected, list):
        return sorted(actual) == sorted(expected)
    return actual == expected


def assert_same_rows(
    table: str,
    actual: list[dict[str, Any]],
    expected: pd.DataFrame,
    key: tuple[str, ...],
    columns: Iterable[str],
) -> None:
    """The mart's rows equal the reference's, key for key and column for column."""
    columns = list(columns)
    wanted = {tuple(r[k] for k in key): r for r in expected.to_dict("records")}
    got = {tuple(r[k] for k in key): r for r in actual}
    assert len(got) == len(actual), f"{table}: duplicate keys {key}"
    problems = [f"missing row {k}" for k in sorted(wanted.keys() - got.keys(), key=str)]
    problems += [f"unexpected row {k}" for k in sorted(got.keys() - wanted.keys(), key=str)]
    for k in sorted(wanted.keys() & got.keys(), key=str):
        for column in columns:
            if not same(got[k][column], wanted[k][column]):
                problems.append(
                    f"{k} {column}: mart has {got[k][column]!r}, the definition gives "
                    f"{wanted[k][column]!r}"
                )
    assert not problems, f"{table} differs from the reference:\n  " + "\n  ".join(problems[:30])


# -- user_activity and usage_reconciliation_daily ----------------------------------------------


def _streaks(days: list[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days, as (first, last)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _cohort(active_days_28d: int) -> str:
    if active_days_28d >= 15:
        return "heavy"
    if active_days_28d >= 5:
        return "moderate"
    return "light" if active_days_28d >= 1 else "inactive"


def user_activity(usage: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per user active at least once by `as_of`, with recent volume, all from the
    user's `all` rows: active means the user's totals say so (the contract: totals count,
    breakdowns may not add up), so a day whose clients show usage under zero totals is not
    an active day."""
    records = []
    totals = usage[usage["surface"] == "all"]
    active = totals[totals["is_active"].astype(bool) & (totals["day"] <= as_of)]
    for user_id, group in active.groupby("user_id"):
        days = sorted(set(group["day"]))
        runs = _streaks(days)
        rows = totals[totals["user_id"] == user_id]
        last_28 = rows[[as_of - timedelta(days=27) <= d <= as_of for d in rows["day"]]]
        days_28 = sum(1 for d in days if as_of - timedelta(days=27) <= d)
        current = next((b - a).days + 1 for a, b in runs if b == as_of) if days[-1] == as_of else 0
        records.append(
            {
                "user_id": user_id,
                "as_of_day": as_of,
                "first_active_day": days[0],
                "last_active_day": days[-1],
                "days_since_last_active": (as_of - days[-1]).days,
                "active_days_7d": sum(1 for d in days if as_of - timedelta(days=6) <= d),
                "active_days_28d": days_28,
                "current_streak_days": current,
                "longest_streak_days": max((b - a).days + 1 for a, b in runs),
                "threads_28d": int(last_28["threads"].sum()),
                "turns_28d": int(last_28["turns"].sum()),
                "credits_28d": sum_known(last_28["credits"]) or 0.0,
                "cost_usd_28d": sum_strict(last_28["cost_usd"]),
                "cohort": _cohort(days_28),
                "team": "unassigned",
                "cost_centre": None,
            }
        )
    return pd.DataFrame(records, dtype=object)


def usage_reconciliation_daily(dataset: Dataset) -> pd.DataFrame:
    """Per day (every day): the users' sums against the workspace rows; a side with no rows
    counts as 0."""
    records = []
    for day in dataset.days:
        users = dataset.day_rows("usage", day)
        workspace = dataset.day_rows("usage_workspace", day)

        def total(rows: list[dict], name: str) -> Any:
            return sum(row["totals"].get(name) or 0 for row in rows)

        record: dict[str, Any] = {
            "day": day,
            "user_rows": len(users),
            "workspace_rows": len(workspace),
        }
        for name in ("threads", "turns", "credits"):
            mine, theirs = total(users, name), total(workspace, name)
            if name == "credits":
                mine, theirs = round(mine, 6), round(theirs, 6)
            record[f"user_{name}"], record[f"workspace_{name}"] = mine, theirs
            record[f"{name}_delta"] = mine - theirs
        record["matches"] = (
            record["threads_delta"] == 0
            and record["turns_delta"] == 0
            and abs(record["credits_delta"]) <= 0.01 + 1e-9
        )
        record["compliance_responses"] = None
        record["compliance_responses_per_turn"] = None
        records.append(record)
    return pd.DataFrame(records, dtype=object)


# -- spend_by_model_daily and spend_by_team_monthly --------------------------------------------


def spend_by_model_daily(dataset: Dataset, usd_per_credit: float | None) -> pd.DataFrame:
    """Per day, model and speed, from the users' `models` breakdowns."""
    groups: dict[tuple[date, Any, Any], list[tuple[str, dict]]] = {}
    for day in dataset.days:
        for row in dataset.day_rows("usage", day):
            user_id = row.get("user_id") or (row.get("actor") or {}).get("user_id")
            for entry in row.get("models") or []:
                key = (day, entry["model"], entry.get("speed"))
                groups.setdefault(key, []).append((user_id, entry))
    records = []
    for (day, model, speed), entries in groups.items():
        parts = [entry for _, entry in entries]
        credits = sum_known(p.get("credits") for p in parts)
        billed = sum_known(p.get("cost_usd") for p in parts)
        costs = [
            row_cost(
                p.get("cost_usd"), p.get("estimated_cost_usd"), p.get("credits"), usd_per_credit
            )
            for p in parts
        ]
        record = {
            "day": day,
            "model": model,
            "speed": speed,
            "credits": credits,
            "cost_usd": sum_strict(costs),
            "uncosted_credits": sum(
                p.get("credits") or 0 for p, cost in zip(parts, costs, strict=True) if cost is None
            ),
            "active_users": len({u for u, p in entries if (p.get("credits") or 0) > 0}),
            "billing_unit": unit_of(credits, billed),
            "billed_cost_usd": billed,
        }
        for column, api_field in _TOKENS.items():
            record[column] = sum_known(p.get(api_field) for p in parts)
        records.append(record)
    return pd.DataFrame(records, dtype=object)


def spend_by_team_monthly(usage: pd.DataFrame) -> pd.DataFrame:
    """Per calendar month and team (everyone `unassigned`: no directory), from `all` rows."""
    totals = usage[usage["surface"] == "all"]
    totals = totals.assign(month=[d.replace(day=1) for d in totals["day"]])
    records = []
    for month, rows in totals.groupby("month"):
        credits = sum_known(rows["credits"])
        billed = sum_known(rows["billed_cost_usd"])
        cost = sum_strict(rows["cost_usd"])
        users = len(set(rows[rows["is_active"].astype(bool)]["user_id"]))
        records.append(
            {
                "month": month,
                "team": "unassigned",
                "credits": credits,
                "cost_usd": cost,
                "uncosted_credits": sum(
                    c or 0
                    for c, k in zip(rows["credits"], rows["cost_usd"], strict=True)
                    if k is None
                ),
                "active_users": users,
                "cost_per_active_user": ratio(cost, users),
                "billing_unit": unit_of(credits, billed),
                "billed_cost_usd": billed,
            }
        )
    return pd.DataFrame(records, dtype=object)
