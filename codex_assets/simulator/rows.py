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
"""

from __future__ import annotations

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
)

USAGE_OBJECT = "workspace.codex.usage.result"
CODE_REVIEWS_OBJECT = "workspace.codex.usage.code_reviews.result"
CODE_REVIEW_RESPONSES_OBJECT = "workspace.codex.usage.code_review_responses.result"
SECONDS_PER_DAY = 86_400


def day_start(day: date) -> int:
    """Unix seconds of 00:00 UTC on `day`."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _money(units: int) -> float:
    """Integer hundredths -> the JSON number (credits and USD are both served to the cent)."""
    return units / 100


def user_rows(ws: SyntheticWorkspace, act: UserDayActivity) -> list[dict[str, Any]]:
    """One row per active user, ordered by user_id (the API's stable order within a day).

    Breakdown entries are built in flat loops over all live slots of the day and then sliced
    per row: this is the simulator's hot path (a 10,000-user day is ~4,000 rows).
    """
    start = day_start(act.day)
    end = start + SECONDS_PER_DAY
    ids, emails = ws.users.user_ids, ws.users.emails
    cost_known, tokens_known = act.cost_known, act.tokens_known
    clients = _entries(
        act.client_index >= 0,
        act.client_threads > 0,
        cost_known,
        tokens_known,
        act.client_cost_cents,
        act.client_tokens,
        (act.client_index, act.client_threads, act.client_turns, act.client_credits_h),
        _client_entry,
    )
    models = _entries(
        act.model_index >= 0,
        act.model_credits_h > 0,
        cost_known,
        tokens_known,
        act.model_cost_cents,
        act.model_tokens,
        (act.model_index, act.model_credits_h),
        _model_entry,
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
                    "credits": credits_h / 100,
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
    return rows


def _client_entry(index: int, threads: int, turns: int, credits_h: int) -> dict[str, Any]:
    return {
        "client_id": CLIENTS[index],
        "threads": threads,
        "turns": turns,
        "credits": credits_h / 100,
    }


def _model_entry(index: int, credits_h: int) -> dict[str, Any]:
    model, speed = MODELS[index]
    return {"model": model, "speed": speed, "credits": credits_h / 100}


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


def workspace_row(act: UserDayActivity) -> dict[str, Any]:
    """The `group=workspace` row: the exact sum of the day's per-user rows.

    Sums are taken over the same integers the per-user rows render, so threads, turns,
    credits, cost and tokens (per total, per client, per model) match to the unit. A cost or
    token sum is null only when users contributed and every contribution was null.
    """
    start = day_start(act.day)
    totals: dict[str, Any] = {
        "threads": int(act.threads.sum()),
        "turns": int(act.turns.sum()),
        "credits": _money(int(act.credits_h.sum())),
        "estimated_cost_usd": _nullable_money(act.cost_cents, act.cost_known),
    }
    totals.update(_nullable_tokens(act.tokens, act.tokens_known))

    clients = []
    c_live = (act.client_index >= 0) & (act.client_threads > 0)
    for code in np.unique(act.client_index[c_live]).tolist():
        sel = c_live & (act.client_index == code)
        rows = sel.any(axis=1)
        entry: dict[str, Any] = {
            "client_id": CLIENTS[code],
            "threads": int(act.client_threads[sel].sum()),
            "turns": int(act.client_turns[sel].sum()),
            "credits": _money(int(act.client_credits_h[sel].sum())),
            "estimated_cost_usd": _nullable_money(act.client_cost_cents[sel], act.cost_known[rows]),
        }
        entry.update(_nullable_tokens(act.client_tokens[sel], act.tokens_known[rows]))
        clients.append(entry)

    models = []
    m_live = (act.model_index >= 0) & (act.model_credits_h > 0)
    for code in np.unique(act.model_index[m_live]).tolist():
        sel = m_live & (act.model_index == code)
        rows = sel.any(axis=1)
        name, speed = MODELS[code]
        entry = {
            "model": name,
            "speed": speed,
            "credits": _money(int(act.model_credits_h[sel].sum())),
            "estimated_cost_usd": _nullable_money(act.model_cost_cents[sel], act.cost_known[rows]),
        }
        entry.update(_nullable_tokens(act.model_tokens[sel], act.tokens_known[rows]))
        models.append(entry)

    return {
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


def code_reviews_row(day: date, facts: CodeReviewDay) -> dict[str, Any]:
    start = day_start(day)
    return {
        "object": CODE_REVIEWS_OBJECT,
        "start_time": start,
        "end_time": start + SECONDS_PER_DAY,
        "pull_request_reviews": facts.pull_request_reviews,
        "comments": facts.comments,
        "comment_details": {"p0": facts.p0, "p1": facts.p1, "p2": facts.p2},
    }


def code_review_responses_row(day: date, facts: CodeReviewResponseDay) -> dict[str, Any]:
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
