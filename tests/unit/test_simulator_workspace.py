"""The synthetic workspace: deterministic, random-access, and internally consistent."""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pytest

from codex_assets.simulator.workspace import (
    CLIENTS,
    LIFECYCLE_END,
    LIFECYCLE_START,
    PERSONAS,
    SyntheticWorkspace,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
WEEK = [date(2026, 5, 4) + timedelta(days=i) for i in range(7)]  # Monday .. Sunday


@pytest.fixture(scope="module")
def ws() -> SyntheticWorkspace:
    return SyntheticWorkspace(seed=7, users=500)


def _same(a, b) -> bool:
    return all(
        np.array_equal(getattr(a, name), getattr(b, name))
        for name in a.__dataclass_fields__
        if isinstance(getattr(a, name), np.ndarray)
    )


def test_directory_is_uuid_users_with_personas_and_some_hidden_emails(ws):
    users = ws.users
    assert len(users) == 500
    assert all(UUID.match(uid) for uid in users.user_ids)
    assert list(users.user_ids) == sorted(users.user_ids)
    assert len(set(users.user_ids)) == 500
    hidden = sum(email is None for email in users.emails)
    assert 0 < hidden < 100
    shown = [e for e in users.emails if e is not None]
    assert len(set(shown)) == len(shown)
    assert {users.persona_of(i) for i in range(500)} == set(PERSONAS)
    assert ((users.client_index >= -1) & (users.client_index < len(CLIENTS))).all()
    assert (users.client_index[:, 0] >= 0).all()  # everyone has a main client
    assert np.allclose(users.client_weights.sum(axis=1), 1.0)


def test_a_day_is_computed_alone_and_identically(ws):
    day = date(2026, 5, 6)
    first = ws.user_day_activity(day)
    again = SyntheticWorkspace(seed=7, users=500).user_day_activity(day)
    assert _same(first, again)
    other_seed = SyntheticWorkspace(seed=8, users=500).user_day_activity(day)
    assert not np.array_equal(first.turns, other_seed.turns[: len(first.turns)])


def test_weekday_activity_is_a_realistic_share_of_users(ws):
    counts = [len(ws.user_day_activity(day)) for day in WEEK]
    weekdays, weekend = counts[:5], counts[5:]
    assert all(0.25 * 500 <= c <= 0.55 * 500 for c in weekdays), counts
    assert max(weekend) < min(weekdays)


def test_new_users_appear_and_churned_users_stop():
    ws = SyntheticWorkspace(seed=3, users=2000)
    users = ws.users
    new = np.flatnonzero(users.persona == PERSONAS.index("new"))
    churned = np.flatnonzero(users.persona == PERSONAS.index("churned"))
    assert (users.join_ordinal[new] >= LIFECYCLE_START.toordinal()).all()
    assert (users.churn_ordinal[churned] < LIFECYCLE_END.toordinal()).all()
    for day in (date(2026, 3, 3), date(2026, 9, 15)):
        active = ws.user_day_activity(day).users
        o = day.toordinal()
        assert (users.join_ordinal[active] <= o).all()
        assert (users.churn_ordinal[active] > o).all()
    # somebody joined and somebody left inside one recent quarter
    quarter = (date(2026, 6, 1).toordinal(), date(2026, 9, 1).toordinal())
    assert ((users.join_ordinal[new] >= quarter[0]) & (users.join_ordinal[new] < quarter[1])).any()
    left = users.churn_ordinal[churned]
    assert ((left >= quarter[0]) & (left < quarter[1])).any()


def test_breakdowns_add_up_exactly(ws):
    for day in WEEK:
        act = ws.user_day_activity(day)
        assert (act.threads >= 1).all() and (act.turns >= act.threads).all()
        assert np.array_equal(act.client_threads.sum(axis=1), act.threads)
        assert np.array_equal(act.client_turns.sum(axis=1), act.turns)
        assert np.array_equal(act.client_credits_h.sum(axis=1), act.credits_h)
        assert np.array_equal(act.client_tokens.sum(axis=1), act.tokens)
        assert np.array_equal(act.model_credits_h.sum(axis=1), act.credits_h)
        assert np.array_equal(act.model_tokens.sum(axis=1), act.tokens)
        assert np.array_equal(act.tokens[:, :3].sum(axis=1), act.tokens[:, 3])
        assert (act.client_threads[act.client_index < 0] == 0).all()
        assert np.array_equal(act.cost_cents, ws.cost_cents(act.credits_h))


def test_cost_is_credits_times_one_rate_rounded_to_the_cent(ws):
    rate = ws.usd_per_credit
    act = ws.user_day_activity(WEEK[1])
    for credits_h, cents in zip(act.credits_h.tolist(), act.cost_cents.tolist(), strict=True):
        assert abs(cents - credits_h * rate) <= 0.5 + 1e-9


def test_some_token_and_cost_values_are_unavailable():
    ws = SyntheticWorkspace(seed=7, users=3000)
    act = ws.user_day_activity(WEEK[2])
    assert 0 < (~act.tokens_known).sum() < 0.1 * len(act)
    assert 0 < (~act.cost_known).sum() < 0.1 * len(act)


def test_restatement_revises_some_users_only(ws):
    day = WEEK[0]
    base = ws.user_day_activity(day)
    revised = ws.user_day_activity(day, revision=1)
    assert np.array_equal(base.users, revised.users)
    changed = base.turns != revised.turns
    assert 0 < changed.sum() < len(base)
    assert (revised.turns >= base.turns).all() and (revised.credits_h >= base.credits_h).all()
    assert np.array_equal(revised.client_turns.sum(axis=1), revised.turns)
    assert _same(revised, ws.user_day_activity(day, revision=1))
    assert not np.array_equal(revised.turns, ws.user_day_activity(day, revision=2).turns)


def test_code_review_counts_are_consistent(ws):
    for offset in range(60):
        day = date(2026, 3, 1) + timedelta(days=offset)
        reviews = ws.code_reviews(day)
        assert reviews.p0 + reviews.p1 + reviews.p2 == reviews.comments
        r = ws.code_review_responses(day)
        for count in (r.engaged, r.reacted, r.upvoted, r.downvoted, r.reacted_other, r.replied):
            assert 0 <= count <= r.comments
        assert max(r.reacted, r.replied) <= r.engaged <= r.reacted + r.replied
        assert r.upvotes >= r.upvoted and r.downvotes >= r.downvoted and r.other >= r.reacted_other
        assert r.reactions == r.upvotes + r.downvotes + r.other
        assert r.replies >= r.replied
    assert ws.code_reviews(WEEK[1]) == SyntheticWorkspace(7, 500).code_reviews(WEEK[1])


def test_an_empty_workspace_has_no_activity():
    ws = SyntheticWorkspace(seed=1, users=0)
    assert len(ws.user_day_activity(WEEK[0])) == 0
