"""The deterministic synthetic workspace: who the users are and what they did on any day.

Why random access: a client may ask for any day in the last 90 in any order, a 10,000-user
workspace must answer a day in milliseconds, and the compliance generator must reproduce the
same user-days independently. So every day's randomness is derived from hash(seed, day) alone
and vectorised over users with numpy; nothing depends on earlier days having been generated.

Why integers: credits are generated as integer hundredths, costs as integer cents and tokens as
integers, and only turned into JSON numbers when a row is serialised. Per-user values then add
up to the workspace totals exactly, as a reconciliation check expects.

`UserDayActivity` (from `SyntheticWorkspace.user_day_activity`) is the reusable per-user-day
fact table: the analytics rows are one rendering of it, compliance events (one prompt and one
response per turn, one session per thread, on the same clients and models) can be another.

`WorkspaceShape` holds what a simulator profile changes in these facts (idle days, days without
Code Review activity, comments without a priority, how often emails, tokens and costs are
unavailable). Its defaults are the rich shape; contract-shape draws come from their own
random streams, so the rich workspace is exactly what it always was.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

import numpy as np

CLIENTS: tuple[str, ...] = (
    "CODEX_CLI",
    "CODEX_IDE_VSCODE",
    "CODEX_IDE_JETBRAINS_PYCHARM",
    "CODEX_IDE_JETBRAINS_INTELLIJ_IDEA",
    "CODEX_IDE_JETBRAINS_GOLAND",
    "CODEX_IDE_XCODE",
    "CODEX_WEB",
    "CODEX_CLOUD_GENERAL_AGENT",
    "CODEX_DESKTOP_APP",
    "CODEX_CHATGPT_DESKTOP",
    "CODEX_GITHUB",
    "CODEX_SLACK",
    "CODEX_SDK_TS",
    "CODEX_UNKNOWN_DEFAULT",
)
"""Real CodexClient values the synthetic users pick from (index = client code in arrays)."""

_CLIENT_POPULARITY = np.array([30, 22, 4, 5, 2, 1, 10, 6, 7, 2, 5, 3, 1, 2], dtype=np.float64)
# Mean credits per turn, in hundredths: cloud agents and review bots burn more per turn.
_CLIENT_CREDITS_PER_TURN = np.array(
    [45, 40, 40, 40, 40, 38, 60, 90, 45, 50, 70, 55, 35, 40], dtype=np.float64
)
# Clients whose work lands as code in a repository (these users get code attribution).
_CODE_CLIENTS = np.array(
    [c.startswith(("CODEX_CLI", "CODEX_IDE", "CODEX_DESKTOP")) for c in CLIENTS]
)

MODELS: tuple[tuple[str, str | None], ...] = (
    ("gpt-5.5", "standard"),
    ("gpt-5.5", "fast"),
    ("gpt-5.4", "standard"),
    ("gpt-5.4", "fast"),
    ("other", None),
)
"""(model, speed) pairs as the API reports them; `other` is how unrecognised models come back."""

_MODEL_POPULARITY = np.array([50, 15, 20, 5, 10], dtype=np.float64)

PERSONAS: tuple[str, ...] = ("heavy", "occasional", "churned", "new")
_PERSONA_MIX = np.array([0.18, 0.42, 0.18, 0.22])
_PERSONA_P_ACTIVE = np.array([0.88, 0.32, 0.60, 0.55])  # on a weekday, while a member
_PERSONA_THREADS = np.array([5.0, 1.2, 2.0, 2.5])  # extra threads per active day (Poisson mean)
_PERSONA_TURNS_PER_THREAD = np.array([7.0, 4.0, 5.0, 5.0])
_WEEKEND_FACTOR = 0.3

# New users join, and churned users leave, on a day drawn from this span, so any 90-day window
# in it sees some of both. Before it, new users do not exist yet; after it, churned users are gone.
LIFECYCLE_START = date(2025, 1, 1)
LIFECYCLE_END = date(2029, 1, 1)

CLIENT_SLOTS = 3  # a user works from at most this many clients
MODEL_SLOTS = 2  # and with at most this many (model, speed) pairs
TOKEN_FIELDS: tuple[str, ...] = (
    "uncached_text_input_tokens",
    "cached_text_input_tokens",
    "text_output_tokens",
    "text_total_tokens",
)

_P_TOKENS_UNAVAILABLE = 0.04
_P_COST_UNAVAILABLE = 0.03
_P_ATTRIBUTION = 0.75
_P_LINES_UNTRACKED = 0.1
_P_COMMITS_UNTRACKED = 0.25
_P_RESTATED = 0.12

_FIRST_NAMES = (
    "alex", "sam", "jordan", "taylor", "morgan", "casey", "riley", "jamie", "avery", "quinn",
    "maria", "li", "wei", "arjun", "priya", "fatima", "omar", "sofia", "lucas", "emma",
    "noah", "olivia", "mateo", "yuki", "hana", "ivan", "elena", "kwame", "amara", "diego",
)  # fmt: skip
_LAST_NAMES = (
    "smith", "garcia", "chen", "kumar", "nguyen", "okafor", "muller", "rossi", "kim", "tanaka",
    "silva", "cohen", "ivanova", "haddad", "novak", "larsen", "dubois", "mensah", "patel", "lopez",
)  # fmt: skip
_P_EMAIL_HIDDEN = 0.07


@dataclass(frozen=True)
class WorkspaceShape:
    """The facts a profile changes (see `SimulatorConfig` for each knob); defaults: rich."""

    idle_weekends: bool = False
    idle_day_fraction: float = 0.0
    review_day_fraction: float = 1.0
    response_day_fraction: float = 1.0
    unprioritized_comment_fraction: float = 0.0
    null_email_fraction: float = _P_EMAIL_HIDDEN
    null_tokens_fraction: float = _P_TOKENS_UNAVAILABLE
    null_cost_fraction: float = _P_COST_UNAVAILABLE


def derived_rng(seed: int, *keys: object) -> np.random.Generator:
    """A generator seeded from hash(seed, keys): the same keys always give the same stream."""
    material = repr((int(seed), *keys)).encode()
    return np.random.Generator(
        np.random.PCG64(int.from_bytes(hashlib.sha256(material).digest()[:16]))
    )


def derived_uuid(seed: int, *keys: object) -> str:
    """A UUID4-shaped id derived from hash(seed, keys)."""
    digest = hashlib.sha256(repr(("uuid", int(seed), *keys)).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


@dataclass(frozen=True, eq=False)
class UserDirectory:
    """Who is in the workspace. Arrays are indexed by user index; users are sorted by user_id,
    so ascending index order is the API's stable row order within a day."""

    user_ids: tuple[str, ...]
    emails: tuple[str | None, ...]
    persona: np.ndarray  # (n,) index into PERSONAS
    join_ordinal: np.ndarray  # (n,) first day (date ordinal) the user can be active
    churn_ordinal: np.ndarray  # (n,) first day the user is gone
    propensity: np.ndarray  # (n,) multiplies the persona's chance of being active
    intensity: np.ndarray  # (n,) multiplies threads and turns
    client_index: np.ndarray  # (n, CLIENT_SLOTS) index into CLIENTS, -1 = unused slot
    client_weights: np.ndarray  # (n, CLIENT_SLOTS) share of threads per slot, rows sum to 1
    model_index: np.ndarray  # (n, MODEL_SLOTS) index into MODELS, -1 = unused slot

    def __len__(self) -> int:
        return len(self.user_ids)

    def persona_of(self, index: int) -> str:
        return PERSONAS[int(self.persona[index])]


@dataclass(frozen=True, eq=False)
class UserDayActivity:
    """What every active user did on one day (already including any restatement).

    Rows are active users only, ascending by user index (= by user_id). Per row i:
      users[i]                      user index into `SyntheticWorkspace.users`
      threads[i], turns[i]          totals (threads >= 1, turns >= threads)
      credits_h[i]                  credits in integer hundredths (credits = credits_h / 100)
      cost_cents[i], cost_known[i]  estimated cost in integer cents; unknown -> JSON null
      tokens[i, t], tokens_known[i] TOKEN_FIELDS order; unknown -> JSON null (never zero)
      client_index[i, k]            CLIENTS index of client slot k (-1 = unused slot), with
        client_threads / client_turns / client_credits_h / client_cost_cents [i, k] and
        client_tokens[i, k, t]; a slot with zero threads has no usage and is not reported
      model_index[i, m]             MODELS index of model slot m (-1 = unused slot), with
        model_credits_h / model_cost_cents [i, m] and model_tokens[i, m, t]; a slot with
        zero credits is not reported
      attribution[i]                whether code attribution is reported; `lines_*` and
        `commits_*` hold its values (-1 where the API gives null)
    Invariants: client slots sum to the totals for threads, turns, credits and tokens; model
    slots sum to the totals for credits and tokens. A compliance generator can emit one
    session per thread and one prompt/response pair per turn on each client slot.
    """

    day: date
    revision: int
    users: np.ndarray
    threads: np.ndarray
    turns: np.ndarray
    credits_h: np.ndarray
    cost_cents: np.ndarray
    cost_known: np.ndarray
    tokens: np.ndarray
    tokens_known: np.ndarray
    client_index: np.ndarray
    client_threads: np.ndarray
    client_turns: np.ndarray
    client_credits_h: np.ndarray
    client_cost_cents: np.ndarray
    client_tokens: np.ndarray
    model_index: np.ndarray
    model_credits_h: np.ndarray
    model_cost_cents: np.ndarray
    model_tokens: np.ndarray
    attribution: np.ndarray
    lines_added: np.ndarray
    lines_removed: np.ndarray
    lines_committed: np.ndarray
    lines_total_committed: np.ndarray
    commits_with_codex: np.ndarray
    commits_total: np.ndarray

    def __len__(self) -> int:
        return len(self.users)


@dataclass(frozen=True)
class CodeReviewDay:
    """Codex Code Review activity on one day (the `code_reviews` row)."""

    pull_request_reviews: int
    comments: int
    p0: int
    p1: int
    p2: int


@dataclass(frozen=True)
class CodeReviewResponseDay:
    """Engagement with Codex review comments on PRs merged that day (`code_review_responses`)."""

    pull_request_reviews: int
    comments: int
    replies: int
    reactions: int
    engaged: int
    reacted: int
    upvoted: int
    downvoted: int
    reacted_other: int
    replied: int
    upvotes: int
    downvotes: int
    other: int


class SyntheticWorkspace:
    """A seeded workspace of `users` people; every query is a pure function of (seed, day)."""

    def __init__(self, seed: int, users: int, shape: WorkspaceShape | None = None) -> None:
        self.seed = int(seed)
        self.shape = shape or WorkspaceShape()
        self.users = _make_directory(self.seed, users, self.shape.null_email_fraction)
        # USD per credit in 1/10,000 dollars, e.g. 560 = $0.056 per credit.
        self.rate_per_credit_e4 = int(derived_rng(self.seed, "rate").integers(350, 751))
        self._idle: dict[int, bool] = {}

    def is_idle(self, day: date) -> bool:
        """Whether nobody in the workspace used Codex on `day` (an idle day of the profile):
        a weekend with `idle_weekends`, or a day whose hash(seed, day) draw falls under
        `idle_day_fraction`."""
        shape = self.shape
        if shape.idle_weekends and day.weekday() >= 5:
            return True
        if not shape.idle_day_fraction:
            return False
        o = day.toordinal()
        idle = self._idle.get(o)
        if idle is None:
            idle = self._idle[o] = draw(self.seed, "idle-day", o) < shape.idle_day_fraction
        return idle

    @property
    def usd_per_credit(self) -> float:
        return self.rate_per_credit_e4 / 10_000

    def cost_cents(self, credits_h: np.ndarray) -> np.ndarray:
        """Credits (hundredths) x the workspace rate, rounded half up to the cent, exactly."""
        return (credits_h * self.rate_per_credit_e4 + 5_000) // 10_000

    def user_day_activity(self, day: date, revision: int = 0) -> UserDayActivity:
        """Every active user's activity on `day`; `revision` > 0 is a restated version of it.

        A restatement revises some active users' threads, turns and credits upwards (late
        events), deterministically per (seed, day, revision), and leaves everyone else as-is.
        """
        u = self.users
        n = len(u)
        o = day.toordinal()
        rng = derived_rng(self.seed, "activity", o)

        weekday_factor = _WEEKEND_FACTOR if day.weekday() >= 5 else 1.0
        day_factor = rng.uniform(0.9, 1.1)
        member = (u.join_ordinal <= o) & (o < u.churn_ordinal)
        p_active = np.minimum(
            0.97, _PERSONA_P_ACTIVE[u.persona] * u.propensity * weekday_factor * day_factor
        )
        active = member & (rng.random(n) < p_active)
        if self.is_idle(day):
            active = np.zeros_like(active)
        threads_all = 1 + rng.poisson(_PERSONA_THREADS[u.persona] * u.intensity)
        slot_threads_all = rng.multinomial(threads_all, u.client_weights)
        turn_rate = (_PERSONA_TURNS_PER_THREAD[u.persona] * u.intensity - 1.0)[:, None]
        slot_turns_all = slot_threads_all + rng.poisson(slot_threads_all * turn_rate)
        mean_cpt = _CLIENT_CREDITS_PER_TURN[np.maximum(u.client_index, 0)]
        cpt_all = rng.gamma(2.0, mean_cpt / 2.0)
        tokens_per_h_all = rng.uniform(600.0, 950.0, n)
        cached_share_all = rng.uniform(0.72, 0.9, n)
        output_share_all = rng.uniform(0.015, 0.04, n)
        tokens_known_all = rng.random(n) >= self.shape.null_tokens_fraction
        cost_known_all = rng.random(n) >= self.shape.null_cost_fraction
        model_share_all = rng.uniform(0.55, 0.95, n)

        idx = np.flatnonzero(active)
        m = len(idx)
        client_index = u.client_index[idx]
        slot_threads = slot_threads_all[idx].astype(np.int64)
        slot_turns = slot_turns_all[idx].astype(np.int64)
        cpt = cpt_all[idx]
        base_turns = slot_turns.sum(axis=1)

        if revision and m:
            slot_threads, slot_turns = _restate(self.seed, o, revision, slot_threads, slot_turns)

        slot_credits = np.where(
            slot_turns > 0, np.maximum(slot_turns, np.rint(slot_turns * cpt)), 0
        ).astype(np.int64)
        slot_tokens = _split_tokens(
            slot_credits,
            tokens_per_h_all[idx][:, None],
            cached_share_all[idx][:, None],
            output_share_all[idx][:, None],
        )
        credits_h = slot_credits.sum(axis=1)
        tokens = slot_tokens.sum(axis=1)

        model_index = u.model_index[idx]
        share = np.where(model_index[:, 1] >= 0, model_share_all[idx], 1.0)
        model_credits = np.empty((m, MODEL_SLOTS), dtype=np.int64)
        model_credits[:, 0] = np.floor(credits_h * share).astype(np.int64)
        model_credits[:, 1] = credits_h - model_credits[:, 0]
        model_tokens = np.empty((m, MODEL_SLOTS, len(TOKEN_FIELDS)), dtype=np.int64)
        model_tokens[:, 0] = np.floor(tokens * share[:, None]).astype(np.int64)
        model_tokens[:, 1] = tokens - model_tokens[:, 0]

        attr = _attribution(self.seed, o, n, idx, base_turns, client_index)
        return UserDayActivity(
            day=day,
            revision=revision,
            users=idx,
            threads=slot_threads.sum(axis=1),
            turns=slot_turns.sum(axis=1),
            credits_h=credits_h,
            cost_cents=self.cost_cents(credits_h),
            cost_known=cost_known_all[idx],
            tokens=tokens,
            tokens_known=tokens_known_all[idx],
            client_index=client_index,
            client_threads=slot_threads,
            client_turns=slot_turns,
            client_credits_h=slot_credits,
            client_cost_cents=self.cost_cents(slot_credits),
            client_tokens=slot_tokens,
            model_index=model_index,
            model_credits_h=model_credits,
            model_cost_cents=self.cost_cents(model_credits),
            model_tokens=model_tokens,
            **attr,
        )

    def code_reviews(self, day: date) -> CodeReviewDay:
        """Reviews Codex ran and the comments it left, by priority (p0 + p1 + p2 == comments)."""
        o = day.toordinal()
        shape = self.shape
        if not self._has_reviews(day, "review-day", shape.review_day_fraction):
            return CodeReviewDay(0, 0, 0, 0, 0)
        rng = derived_rng(self.seed, "code_reviews", o)
        prs = int(rng.poisson(self._review_rate(day)))
        comments = int(rng.poisson(prs * 2.8)) if prs else 0
        p0, p1, p2 = (int(x) for x in rng.multinomial(comments, [0.1, 0.5, 0.4]))
        if comments and shape.unprioritized_comment_fraction:
            qr = derived_rng(self.seed, "unprioritized-comments", o)
            if qr.random() < shape.unprioritized_comment_fraction:
                none = max(1, int(qr.binomial(comments, 0.25)))
                p0, p1, p2 = (int(x) for x in qr.multinomial(comments - none, [0.1, 0.5, 0.4]))
        return CodeReviewDay(prs, comments, p0, p1, p2)

    def code_review_responses(self, day: date) -> CodeReviewResponseDay:
        """How people responded to Codex comments on PRs merged that day.

        Per-comment counts are consistent: engaged = reacted or replied, and upvoted,
        downvoted, reacted_other, replied, reacted, engaged are each <= comments.
        """
        if not self._has_reviews(day, "response-day", self.shape.response_day_fraction):
            return CodeReviewResponseDay(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        rng = derived_rng(self.seed, "code_review_responses", day.toordinal())
        prs = int(rng.poisson(self._review_rate(day) * 0.7))
        comments = int(rng.poisson(prs * 2.6)) if prs else 0
        reacted = int(rng.binomial(comments, 0.45))
        replied = int(rng.binomial(comments, 0.2))
        both = int(rng.binomial(min(reacted, replied), 0.4))
        both = min(max(both, reacted + replied - comments), min(reacted, replied))
        upvoted = int(rng.binomial(reacted, 0.7))
        downvoted = int(rng.binomial(reacted, 0.12))
        reacted_other = min(
            reacted, max(int(rng.binomial(reacted, 0.2)), reacted - upvoted - downvoted)
        )
        upvotes = upvoted + int(rng.poisson(upvoted * 0.25))
        downvotes = downvoted + int(rng.poisson(downvoted * 0.15))
        other = reacted_other + int(rng.poisson(reacted_other * 0.3))
        replies = replied + int(rng.poisson(replied * 0.4))
        return CodeReviewResponseDay(
            pull_request_reviews=prs,
            comments=comments,
            replies=replies,
            reactions=upvotes + downvotes + other,
            engaged=reacted + replied - both,
            reacted=reacted,
            upvoted=upvoted,
            downvoted=downvoted,
            reacted_other=reacted_other,
            replied=replied,
            upvotes=upvotes,
            downvotes=downvotes,
            other=other,
        )

    def _has_reviews(self, day: date, stream: str, fraction: float) -> bool:
        """False on idle days and on the days a `*_day_fraction` below 1 leaves out."""
        if self.is_idle(day):
            return False
        return fraction >= 1 or draw(self.seed, stream, day.toordinal()) < fraction

    def _review_rate(self, day: date) -> float:
        weekday_factor = 0.15 if day.weekday() >= 5 else 1.0
        return max(0.5, len(self.users) * 0.03) * weekday_factor


def draw(seed: int, *keys: object) -> float:
    """One uniform [0, 1) number from hash(seed, keys) (cheaper than a generator)."""
    digest = hashlib.sha256(repr(("draw", int(seed), *keys)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _make_directory(seed: int, n: int, p_email_hidden: float = _P_EMAIL_HIDDEN) -> UserDirectory:
    rng = derived_rng(seed, "directory", n)
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    user_ids = [str(uuid.UUID(bytes=row.tobytes(), version=4)) for row in raw]
    first = rng.integers(0, len(_FIRST_NAMES), n)
    last = rng.integers(0, len(_LAST_NAMES), n)
    hidden = rng.random(n) < p_email_hidden
    persona = rng.choice(len(PERSONAS), size=n, p=_PERSONA_MIX).astype(np.int64)
    span = (LIFECYCLE_START.toordinal(), LIFECYCLE_END.toordinal())
    lifecycle_day = rng.integers(span[0], span[1], n)
    propensity = np.clip(rng.lognormal(0.0, 0.25, n), 0.6, 1.4)
    intensity = np.clip(rng.lognormal(0.0, 0.3, n), 0.5, 2.0)
    # k distinct clients per user, weighted by popularity (Gumbel top-k).
    keys = np.log(_CLIENT_POPULARITY) + rng.gumbel(size=(n, len(CLIENTS)))
    picked = np.argsort(-keys, axis=1)[:, :CLIENT_SLOTS]
    n_clients = rng.choice(np.arange(1, CLIENT_SLOTS + 1), size=n, p=[0.45, 0.35, 0.2])
    weights = rng.dirichlet(np.full(CLIENT_SLOTS, 1.5), size=n)
    model_keys = np.log(_MODEL_POPULARITY) + rng.gumbel(size=(n, len(MODELS)))
    model_picked = np.argsort(-model_keys, axis=1)[:, :MODEL_SLOTS]
    two_models = rng.random(n) < 0.4

    order = np.argsort(np.array(user_ids, dtype=object)) if n else np.arange(0)
    used = np.arange(CLIENT_SLOTS)[None, :] < n_clients[:, None]
    client_index = np.where(used, picked, -1)
    client_weights = np.where(used, weights, 0.0)
    client_weights /= client_weights.sum(axis=1, keepdims=True) if n else 1.0
    model_index = model_picked.copy()
    model_index[~two_models, 1] = -1

    emails: list[str | None] = []
    seen: dict[str, int] = {}
    for i in range(n):
        local = f"{_FIRST_NAMES[first[i]]}.{_LAST_NAMES[last[i]]}"
        seen[local] = seen.get(local, 0) + 1
        if seen[local] > 1:
            local = f"{local}{seen[local]}"
        emails.append(None if hidden[i] else f"{local}@example.com")

    never = np.iinfo(np.int64).max
    join = np.where(persona == PERSONAS.index("new"), lifecycle_day, 0)
    churn = np.where(persona == PERSONAS.index("churned"), lifecycle_day, never)
    return UserDirectory(
        user_ids=tuple(user_ids[i] for i in order),
        emails=tuple(emails[i] for i in order),
        persona=persona[order],
        join_ordinal=join[order],
        churn_ordinal=churn[order],
        propensity=propensity[order],
        intensity=intensity[order],
        client_index=client_index[order],
        client_weights=client_weights[order],
        model_index=model_index[order],
    )


def _restate(
    seed: int, ordinal: int, revision: int, slot_threads: np.ndarray, slot_turns: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Late events for some active users: extra threads/turns on their busiest client."""
    rr = derived_rng(seed, "restate", ordinal, revision)
    m = len(slot_threads)
    chosen = rr.random(m) < _P_RESTATED
    chosen[rr.integers(m)] = True
    add_threads = rr.integers(0, 2, m) * chosen
    add_turns = rr.integers(1, 7, m) * chosen
    rows = np.arange(m)
    busiest = np.argmax(slot_threads, axis=1)
    slot_threads = slot_threads.copy()
    slot_turns = slot_turns.copy()
    slot_threads[rows, busiest] += add_threads
    slot_turns[rows, busiest] += add_threads + add_turns
    return slot_threads, slot_turns


def _split_tokens(
    credits_h: np.ndarray, per_h: np.ndarray, cached_share: np.ndarray, output_share: np.ndarray
) -> np.ndarray:
    """Token counts per slot, (..., 4) in TOKEN_FIELDS order; uncached + cached + output = total."""
    total = np.rint(credits_h * per_h).astype(np.int64)
    cached = np.rint(total * cached_share).astype(np.int64)
    output = np.rint(total * output_share).astype(np.int64)
    uncached = total - cached - output
    return np.stack([uncached, cached, output, total], axis=-1)


def _attribution(
    seed: int,
    ordinal: int,
    n: int,
    idx: np.ndarray,
    turns: np.ndarray,
    client_index: np.ndarray,
) -> dict[str, np.ndarray]:
    """Code attribution for users who worked in a code client; from its own random stream so a
    restatement (which changes turns) does not shift anyone else's values."""
    rng = derived_rng(seed, "attribution", ordinal)
    present_all = rng.random(n) < _P_ATTRIBUTION
    lines_tracked_all = rng.random(n) >= _P_LINES_UNTRACKED
    commits_tracked_all = rng.random(n) >= _P_COMMITS_UNTRACKED
    per_turn_all = rng.uniform(2.0, 14.0, n)
    removed_share_all = rng.uniform(0.05, 0.5, n)
    committed_share_all = rng.uniform(0.2, 0.9, n)
    repo_factor_all = rng.uniform(1.2, 6.0, n)
    total_commits_all = 1 + rng.poisson(3.0, n)
    codex_commit_share_all = rng.uniform(0.1, 0.9, n)

    code = _CODE_CLIENTS[np.maximum(client_index, 0)] & (client_index >= 0)
    present = present_all[idx] & code.any(axis=1)
    added = np.rint(turns * per_turn_all[idx]).astype(np.int64)
    tracked = lines_tracked_all[idx]
    removed = np.where(tracked, np.rint(added * removed_share_all[idx]), -1).astype(np.int64)
    committed = np.where(tracked, np.rint(added * committed_share_all[idx]), -1).astype(np.int64)
    total_committed = np.where(
        tracked, np.rint(np.maximum(committed, 1) * repo_factor_all[idx]), -1
    ).astype(np.int64)
    commits_tracked = commits_tracked_all[idx]
    commits_total = np.where(commits_tracked, total_commits_all[idx], -1).astype(np.int64)
    commits_with = np.where(
        commits_tracked, np.rint(total_commits_all[idx] * codex_commit_share_all[idx]), -1
    ).astype(np.int64)
    return {
        "attribution": present,
        "lines_added": added,
        "lines_removed": removed,
        "lines_committed": committed,
        "lines_total_committed": total_committed,
        "commits_with_codex": commits_with,
        "commits_total": commits_total,
    }
