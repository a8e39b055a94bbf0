"""Render the synthetic workspace as Analytics API rows, field for field as documented.

Why here and not in the workspace: the workspace holds integer facts (hundredths, cents,
token counts) so sums are exact; this module is the only place they become JSON numbers, and
it decides the wire shape (which nullable fields are null and which are omitted), so the
simulator serves exactly one rendering and `Simulator.day_rows` can return the same rows.

Wire choices (all within the documented contract, to keep clients honest):
- `totals` always carries every field; unavailable tokens or cost are explicit nulls.
- client and model breakdowns omit the token and cost fields when they are unavailable
  (SPEC's own example shows both forms), so a client must treat missing like null.
- `code_attribution` is null for users who did no code work that day.

Profile quirks (`RowQuirks`, only where a profile asks for them; the rich profile has none):
`clients: []` while totals are above zero, `models: null`, client ids and model names the
contract does not list, and fields it does not document. A USD-billed workspace
(`billing_unit="usd"`) carries `cost_usd` where a credit-billed one carries `credits`, in
`totals` and in every breakdown entry, never both (codex-api.md, "2026-12 additions").
The workspace row aggregates the same quirks (a user's usage missing from `clients` is missing
from the workspace's `clients` too), so it stays the exact sum of what the user rows show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from codex_assets.simulator.workspace import (
    CLIENTS,
    MODELS,
    TOKEN_FIELDS,
    CodeReviewDay,
    CodeReviewResponseDay,
    SyntheticWorkspace,
    UserDayActivity,
    derived_rng,
    draw,
)

USAGE_OBJECT = "workspace.codex.usage.result"
CODE_REVIEWS_OBJECT = "workspace.codex.usage.code_reviews.result"
CODE_REVIEW_RESPONSES_OBJECT = "workspace.codex.usage.code_review_responses.result"
SECONDS_PER_DAY = 86_400

UNKNOWN_CLIENTS: tuple[str, ...] = ("CODEX_VOICE", "CODEX_WATCH_APP", "CODEX_IDE_ZED")
"""Client ids outside the 43 documented CodexClient values (a later API's new clients)."""
UNKNOWN_MODELS: tuple[tuple[str, str | None], ...] = (
    ("gpt-5.6", "standard"),
    ("gpt-5.5-codex-max", "fast"),
    ("gpt-6-preview", None),
)
"""Model names no client has seen yet (the contract types `model` as a plain string)."""
CLIENT_NAMES: tuple[str, ...] = CLIENTS + UNKNOWN_CLIENTS
MODEL_PAIRS: tuple[tuple[str, str | None], ...] = MODELS + UNKNOWN_MODELS


@dataclass(frozen=True, eq=False)
class RowQuirks:
    """Which of a day's user rows (aligned with `UserDayActivity` rows) carry which quirk.

    client_codes / model_codes: the activity's slot codes, with the first live slot of some
      rows renamed to an unknown client or model (codes past the documented lists, indexing
      `CLIENT_NAMES` / `MODEL_PAIRS`).
    empty_clients, null_models, extra_fields: per-row masks.
    workspace_extra: whether the day's workspace row carries undocumented fields too.
    """

    client_codes: np.ndarray
    model_codes: np.ndarray
    empty_clients: np.ndarray
    null_models: np.ndarray
    extra_fields: np.ndarray
    workspace_extra: bool


def row_quirks(seed: int, act: UserDayActivity, shape: Any) -> RowQuirks | None:
    """The day's quirks under `shape` (a `SimulatorConfig`), or None when it asks for none.

    Drawn from hash(seed, day) only, not the revision: a restatement changes counts, never
    the active users or their live slots, so a restated day keeps its quirks.
    """
    fractions = (
        shape.empty_clients_fraction,
        shape.null_models_fraction,
        shape.unknown_client_fraction,
        shape.unknown_model_fraction,
        shape.extra_fields_fraction,
    )
    if not any(fractions):
        return None
    empty_f, null_models_f, unknown_client_f, unknown_model_f, extra_f = fractions
    o = act.day.toordinal()
    rng = derived_rng(seed, "row-quirks", o)
    m = len(act)
    u = rng.random((m, 5))
    pick = rng.integers(0, len(UNKNOWN_CLIENTS), (m, 2))
    rows = np.arange(m)

    client_codes = act.client_index.copy()
    c_live = (act.client_index >= 0) & (act.client_threads > 0)
    renamed = (u[:, 2] < unknown_client_f) & c_live.any(axis=1)
    first = np.argmax(c_live, axis=1)
    client_codes[rows[renamed], first[renamed]] = len(CLIENTS) + pick[renamed, 0]

    model_codes = act.model_index.copy()
    m_live = (act.model_index >= 0) & (act.model_credits_h > 0)
    renamed = (u[:, 3] < unknown_model_f) & m_live.any(axis=1)
    first = np.argmax(m_live, axis=1)
    model_codes[rows[renamed], first[renamed]] = len(MODELS) + pick[renamed, 1]
    return RowQuirks(
        client_codes=client_codes,
        model_codes=model_codes,
        empty_clients=u[:, 0] < empty_f,
        null_models=u[:, 1] < null_models_f,
        extra_fields=u[:, 4] < extra_f,
        workspace_extra=draw(seed, "workspace-extra-fields", o) < extra_f,
    )


def day_has_extra_fields(seed: int, feed: str, day: date, fraction: float) -> bool:
    """Whether `day`'s row of a one-row-a-day feed carries undocumented fields."""
    return bool(fraction) and draw(seed, f"{feed}-extra-fields", day.toordinal()) < fraction


def day_start(day: date) -> int:
    """Unix seconds of 00:00 UTC on `day`."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _money(units: int) -> float:
    """Integer hundredths -> the JSON number (credits and USD are both served to the cent)."""
    return units / 100


def user_rows(
    ws: SyntheticWorkspace,
    act: UserDayActivity,
    quirks: RowQuirks | None = None,
    billing_unit: str = "credits",
) -> list[dict[str, Any]]:
    """One row per active user, ordered by user_id (the API's stable order within a day).

    Breakdown entries are built in flat loops over all live slots of the day and then sliced
    per row: this is the simulator's hot path (a 10,000-user day is ~4,000 rows).
    """
    start = day_start(act.day)
    end = start + SECONDS_PER_DAY
    ids, emails = ws.users.user_ids, ws.users.emails
    cost_known, tokens_known = act.cost_known, act.tokens_known
    usd = billing_unit == "usd"
    unit = "cost_usd" if usd else "credits"
    client_codes = act.client_index if quirks is None else quirks.client_codes
    model_codes = act.model_index if quirks is None else quirks.model_codes
    clients = _entries(
        act.client_index >= 0,
        act.client_threads > 0,
        cost_known,
        tokens_known,
        act.client_cost_cents,
        act.client_tokens,
        (
            client_codes,
            act.client_threads,
            act.client_turns,
            act.client_cost_cents if usd else act.client_credits_h,
        ),
        _client_entry_usd if usd else _client_entry,
    )
    models = _entries(
        act.model_index >= 0,
        act.model_credits_h > 0,
        cost_known,
        tokens_known,
        act.model_cost_cents,
        act.model_tokens,
        (model_codes, act.model_cost_cents if usd else act.model_credits_h),
        _model_entry_usd if usd else _model_entry,
    )
    attribution = _attribution_dicts(act)
    columns = zip(
        act.users.tolist(),
        act.threads.tolist(),
        act.turns.tolist(),
        act.credits_h.tolist(),
        act.cost_cents.tolist(),
        cost_known.tolist(),
        act.tokens.tolist(),
        tokens_known.tolist(),
        clients,
        models,
        attribution,
        strict=True,
    )
    rows: list[dict[str, Any]] = []
    for (
        user,
        threads,
        turns,
        credits_h,
        cost,
        has_cost,
        tokens,
        has_tokens,
        cl,
        md,
        attr,
    ) in columns:
        user_id = ids[user]
        rows.append(
            {
                "object": USAGE_OBJECT,
                "start_time": start,
                "end_time": end,
                "user_id": user_id,
                "actor": {"type": "ACCOUNT_USER", "user_id": user_id, "email": emails[user]},
                "totals": {
                    "threads": threads,
                    "turns": turns,
                    unit: (cost if usd else credits_h) / 100,
                    "estimated_cost_usd": cost / 100 if has_cost else None,
                    "uncached_text_input_tokens": tokens[0] if has_tokens else None,
                    "cached_text_input_tokens": tokens[1] if has_tokens else None,
                    "text_output_tokens": tokens[2] if has_tokens else None,
                    "text_total_tokens": tokens[3] if has_tokens else None,
                },
                "clients": cl,
                "models": md,
                "code_attribution": attr,
            }
        )
    if quirks is not None:
        _apply_quirks(rows, quirks)
    return rows


def _apply_quirks(rows: list[dict[str, Any]], quirks: RowQuirks) -> None:
    """Empty `clients`, null `models` and undocumented fields on the flagged rows."""
    for i in np.flatnonzero(quirks.empty_clients).tolist():
        rows[i]["clients"] = []
    for i in np.flatnonzero(quirks.null_models).tolist():
        rows[i]["models"] = None
    for i in np.flatnonzero(quirks.extra_fields).tolist():
        row = rows[i]
        _extra_usage_fields(row)
        row["email"] = row["actor"]["email"]  # a newer top-level field (codex-api.md caveat 5)


def _extra_usage_fields(row: dict[str, Any]) -> None:
    totals = row["totals"]
    output = totals.get("text_output_tokens")
    totals["reasoning_output_tokens"] = None if output is None else output // 3
    row["service_tier_breakdown"] = {"default": totals["turns"], "priority": 0}


def _client_entry(index: int, threads: int, turns: int, credits_h: int) -> dict[str, Any]:
    return {
        "client_id": CLIENT_NAMES[index],
        "threads": threads,
        "turns": turns,
        "credits": credits_h / 100,
    }


def _client_entry_usd(index: int, threads: int, turns: int, cents: int) -> dict[str, Any]:
    return {
        "client_id": CLIENT_NAMES[index],
        "threads": threads,
        "turns": turns,
        "cost_usd": cents / 100,
    }


def _model_entry(index: int, credits_h: int) -> dict[str, Any]:
    model, speed = MODEL_PAIRS[index]
    return {"model": model, "speed": speed, "credits": credits_h / 100}


def _model_entry_usd(index: int, cents: int) -> dict[str, Any]:
    model, speed = MODEL_PAIRS[index]
    return {"model": model, "speed": speed, "cost_usd": cents / 100}


def _entries(
    used: np.ndarray,
    nonzero: np.ndarray,
    cost_known: np.ndarray,
    tokens_known: np.ndarray,
    cost_cents: np.ndarray,
    tokens: np.ndarray,
    columns: tuple[np.ndarray, ...],
    make: Any,
) -> list[list[dict[str, Any]]]:
    """Per row, the breakdown entries of its live slots (slot order); cost and token fields
    are omitted where the row's values are unavailable."""
    live = used & nonzero
    row_of = np.nonzero(live)[0]
    flat = zip(
        *(column[live].tolist() for column in columns),
        cost_known[row_of].tolist(),
        cost_cents[live].tolist(),
        tokens_known[row_of].tolist(),
        tokens[live].tolist(),
        strict=True,
    )
    entries = []
    for *values, has_cost, cost, has_tokens, toks in flat:
        entry = make(*values)
        if has_cost:
            entry["estimated_cost_usd"] = cost / 100
        if has_tokens:
            entry["uncached_text_input_tokens"] = toks[0]
            entry["cached_text_input_tokens"] = toks[1]
            entry["text_output_tokens"] = toks[2]
            entry["text_total_tokens"] = toks[3]
        entries.append(entry)
    bounds = np.concatenate(([0], np.cumsum(live.sum(axis=1)))).tolist()
    return [entries[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]


def workspace_row(
    act: UserDayActivity, quirks: RowQuirks | None = None, billing_unit: str = "credits"
) -> dict[str, Any]:
    """The `group=workspace` row: the exact sum of the day's per-user rows.

    Sums are taken over the same integers the per-user rows render, so threads, turns,
    credits, cost and tokens (per total, per client, per model) match to the unit. A cost or
    token sum is null only when users contributed and every contribution was null. With
    quirks, a breakdown leaves out what the user rows leave out (empty `clients`, null
    `models`) and groups renamed slots under their unknown names, so it still adds up.
    """
    start = day_start(act.day)
    usd = billing_unit == "usd"
    unit = "cost_usd" if usd else "credits"
    totals: dict[str, Any] = {
        "threads": int(act.threads.sum()),
        "turns": int(act.turns.sum()),
        unit: _money(int((act.cost_cents if usd else act.credits_h).sum())),
        "estimated_cost_usd": _nullable_money(act.cost_cents, act.cost_known),
    }
    totals.update(_nullable_tokens(act.tokens, act.tokens_known))

    c_live = (act.client_index >= 0) & (act.client_threads > 0)
    m_live = (act.model_index >= 0) & (act.model_credits_h > 0)
    if quirks is not None:
        c_live &= ~quirks.empty_clients[:, None]
        m_live &= ~quirks.null_models[:, None]

    def client(code: int, sel: np.ndarray) -> dict[str, Any]:
        return {
            "client_id": CLIENT_NAMES[code],
            "threads": int(act.client_threads[sel].sum()),
            "turns": int(act.client_turns[sel].sum()),
        }

    def model(code: int, sel: np.ndarray) -> dict[str, Any]:
        name, speed = MODEL_PAIRS[code]
        return {"model": name, "speed": speed}

    client_codes = act.client_index if quirks is None else quirks.client_codes
    model_codes = act.model_index if quirks is None else quirks.model_codes
    client_amount = act.client_cost_cents if usd else act.client_credits_h
    model_amount = act.model_cost_cents if usd else act.model_credits_h
    clients, models = (
        _workspace_breakdown(act, codes, live, head, unit, amount, cost_cents, tokens)
        for codes, live, head, amount, cost_cents, tokens in (
            (client_codes, c_live, client, client_amount, act.client_cost_cents, act.client_tokens),
            (model_codes, m_live, model, model_amount, act.model_cost_cents, act.model_tokens),
        )
    )

    row = {
        "object": USAGE_OBJECT,
        "start_time": start,
        "end_time": start + SECONDS_PER_DAY,
        "user_id": None,
        "actor": None,
        "totals": totals,
        "clients": clients,
        "models": models,
        "code_attribution": _workspace_attribution(act),
    }
    if quirks is not None and quirks.workspace_extra:
        _extra_usage_fields(row)
    return row


def _workspace_breakdown(
    act: UserDayActivity,
    codes: np.ndarray,
    live: np.ndarray,
    head: Callable[[int, np.ndarray], dict[str, Any]],
    unit: str,
    amount: np.ndarray,
    cost_cents: np.ndarray,
    tokens: np.ndarray,
) -> list[dict[str, Any]]:
    """The workspace's `clients` or `models`: per code among the `live` slots, `head(code,
    slots)` (its name and counts), then its amount in `unit`, cost and tokens summed over the
    users' slots (null where every contribution is)."""
    entries = []
    for code in np.unique(codes[live]).tolist():
        sel = live & (codes == code)
        rows = sel.any(axis=1)
        entry = head(code, sel)
        entry[unit] = _money(int(amount[sel].sum()))
        entry["estimated_cost_usd"] = _nullable_money(cost_cents[sel], act.cost_known[rows])
        entry.update(_nullable_tokens(tokens[sel], act.tokens_known[rows]))
        entries.append(entry)
    return entries


def code_reviews_row(day: date, facts: CodeReviewDay, extra: bool = False) -> dict[str, Any]:
    """The day's `code_reviews` row. `comment_details` counts comments by priority; the
    contract does not promise p0 + p1 + p2 == comments, and a profile may serve less."""
    start = day_start(day)
    row = {
        "object": CODE_REVIEWS_OBJECT,
        "start_time": start,
        "end_time": start + SECONDS_PER_DAY,
        "pull_request_reviews": facts.pull_request_reviews,
        "comments": facts.comments,
        "comment_details": {"p0": facts.p0, "p1": facts.p1, "p2": facts.p2},
    }
    if extra:
        row["repositories_reviewed"] = min(facts.pull_request_reviews, 1 + facts.comments // 7)
        row["comment_details"]["unprioritized"] = facts.comments - facts.p0 - facts.p1 - facts.p2
    return row


def code_review_responses_row(
    day: date, facts: CodeReviewResponseDay, extra: bool = False
) -> dict[str, Any]:
    row = _code_review_responses_row(day, facts)
    if extra:
        row["resolved_comments"] = facts.replied // 2
        row["reaction_details"]["heart"] = 0
    return row


def _code_review_responses_row(day: date, facts: CodeReviewResponseDay) -> dict[str, Any]:
    start = day_start(day)
    return {
        "object": CODE_REVIEW_RESPONSES_OBJECT,
        "start_time": start,
        "end_time": start + SECONDS_PER_DAY,
        "pull_request_reviews": facts.pull_request_reviews,
        "comments": facts.comments,
        "replies": facts.replies,
        "reactions": facts.reactions,
        "comment_response_details": {
            "engaged": facts.engaged,
            "reacted": facts.reacted,
            "upvoted": facts.upvoted,
            "downvoted": facts.downvoted,
            "reacted_other": facts.reacted_other,
            "replied": facts.replied,
        },
        "reaction_details": {
            "upvotes": facts.upvotes,
            "downvotes": facts.downvotes,
            "other": facts.other,
        },
    }


def _nullable_money(cents: np.ndarray, known: np.ndarray) -> float | None:
    """Sum of the known values; null only if there were contributors and none was known."""
    if cents.size and not known.any():
        return None
    return _money(int(cents[known].sum())) if cents.size else 0.0


def _nullable_tokens(tokens: np.ndarray, known: np.ndarray) -> dict[str, int | None]:
    if len(tokens) and not known.any():
        return dict.fromkeys(TOKEN_FIELDS)
    sums = tokens[known].sum(axis=0).tolist() if len(tokens) else [0] * len(TOKEN_FIELDS)
    return dict(zip(TOKEN_FIELDS, sums, strict=True))


def _percentage(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole > 0 else None


def _attribution_dicts(act: UserDayActivity) -> list[dict[str, Any] | None]:
    present = act.attribution.tolist()
    added, removed = act.lines_added.tolist(), act.lines_removed.tolist()
    committed, total = act.lines_committed.tolist(), act.lines_total_committed.tolist()
    c_with, c_total = act.commits_with_codex.tolist(), act.commits_total.tolist()
    out: list[dict[str, Any] | None] = []
    for i, here in enumerate(present):
        if not here:
            out.append(None)
            continue
        tracked = total[i] >= 0
        out.append(
            {
                "lines_of_code": {
                    "added": added[i],
                    "removed": removed[i] if tracked else None,
                    "committed": committed[i] if tracked else None,
                    "total_committed_lines": total[i] if tracked else None,
                    "committed_percentage": _percentage(committed[i], total[i])
                    if tracked
                    else None,
                },
                "commits": {
                    "with_codex_contribution": c_with[i],
                    "with_codex_contribution_percentage": _percentage(c_with[i], c_total[i]),
                    "total_commits": c_total[i],
                }
                if c_total[i] >= 0
                else None,
            }
        )
    return out


def _workspace_attribution(act: UserDayActivity) -> dict[str, Any] | None:
    """Sums of the per-user attribution (percentages recomputed from the sums)."""
    present = act.attribution
    if not present.any():
        return None
    tracked = present & (act.lines_total_committed >= 0)
    with_commits = present & (act.commits_total >= 0)

    def total(values: np.ndarray, mask: np.ndarray) -> int | None:
        return int(values[mask].sum()) if mask.any() else None

    committed = total(act.lines_committed, tracked)
    total_lines = total(act.lines_total_committed, tracked)
    commits_with = total(act.commits_with_codex, with_commits)
    commits_total = total(act.commits_total, with_commits)
    return {
        "lines_of_code": {
            "added": int(act.lines_added[present].sum()),
            "removed": total(act.lines_removed, tracked),
            "committed": committed,
            "total_committed_lines": total_lines,
            "committed_percentage": _percentage(committed, total_lines)
            if committed is not None and total_lines is not None
            else None,
        },
        "commits": {
            "with_codex_contribution": commits_with,
            "with_codex_contribution_percentage": _percentage(commits_with, commits_total),
            "total_commits": commits_total,
        }
        if commits_with is not None and commits_total is not None
        else None,
    }
