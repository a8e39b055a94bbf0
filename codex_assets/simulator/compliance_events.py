"""The Codex audit events of one simulated day, consistent with the analytics usage.

Why one vectorised "skeleton" per day: a 10-minute file must be served without generating the
rest of the day in Python, yet its events must agree with the day's `UserDayActivity` (one
session per thread, one PROMPT_SENT and one PROMPT_RESPONSE_RECEIVED per turn, on the same
clients and models, with token usage that adds up to the analytics tokens). So the whole day
is drawn at once with numpy, as integer arrays (about 40 bytes per event, 50 ms for a million
events), sorted by the instant each event is published; a window is a `searchsorted` slice of
them, and only that slice is rendered to JSON (`compliance_render.EventRenderer`).

What makes the logs realistic rather than tidy:
- delivery is at least once: about 0.4% of events are delivered again 10 to 90 minutes later,
  in a later file, byte for byte the same;
- about 1% of events are late: they are published 10 to 45 minutes after their timestamp, so
  they sit in a later file than their timestamp's window (possibly the next day's);
- about 0.4% of prompts have a fake credential pasted in (`compliance_text.fake_secret`);
- ACCESS_TOKEN_CREATED / _REVOKED events follow tokens across days (a token created on one
  day is revoked on a later one, or never).

Profile shapes (off on the rich profile): `agent_fraction` of events carry the optional
`agent: {type, id?, name?}` attribution (codex-api.md "2026-12 additions": `CODEX_LOG.agent`,
v2.5.37, a top-level field of the record beside `client_id`), chosen from the event id's bits
so a duplicate is still byte for byte the same; `midnight=True` moves one session of every
active day to end at 23:59:59, so the day's last window (ending exactly at midnight UTC)
always has a file.

User ids: the compliance logs name users `user-...`, the analytics API uses UUIDs. The mapping
is `compliance_user_id(uuid) = "user-" + base62(sha256("codex-sim-compliance-user:" + uuid))[:24]`,
a pure function, so a test or a directory file can join the two.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache

import numpy as np

from codex_assets.simulator import compliance_text as text
from codex_assets.simulator.workspace import SyntheticWorkspace, derived_rng

CODEX_LOG = "CODEX_LOG"
KINDS: tuple[str, ...] = (
    "PROMPT_SENT",
    "PROMPT_RESPONSE_RECEIVED",
    "TOOL_CALL_SUGGESTED",
    "TOOL_CALL_COMPLETED",
    "TOOL_CALL_FAILED",
    "ACCESS_TOKEN_CREATED",
    "ACCESS_TOKEN_REVOKED",
)
PROMPT, RESPONSE, TOOL_SUGGESTED, TOOL_COMPLETED, TOOL_FAILED, TOKEN_CREATED, TOKEN_REVOKED = range(
    len(KINDS)
)

US = 1_000_000
DAY_US = 86_400 * US
NATURAL_TOOL_CALLS_PER_TURN = 1.5
P_LATE = 0.01
LATE_US = (10 * 60 * US, 45 * 60 * US)
P_DUPLICATE = 0.004
DUPLICATE_US = (10 * 60 * US, 90 * 60 * US)
MAX_DELIVERY_DELAY_US = LATE_US[1] + DUPLICATE_US[1]
"""An event is delivered at most this long after its timestamp (late, then duplicated)."""
P_SECRET = 0.004
P_TOOL_FAILED = 0.06
P_RESPONSE_INCOMPLETE = 0.02
TOKEN_HISTORY_DAYS = 30
"""A token is revoked at most this many days after it was created."""

EFFORTS = ("low", "medium", "medium", "high")
"""The reasoning efforts a turn is drawn from (`medium` twice: the most common)."""
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def compliance_user_id(analytics_user_id: str) -> str:
    """The `user-...` id the compliance logs give the analytics user `analytics_user_id`."""
    digest = hashlib.sha256(f"codex-sim-compliance-user:{analytics_user_id}".encode()).digest()
    return "user-" + base62(int.from_bytes(digest, "big"), 24)


def base62(number: int, width: int) -> str:
    """The `width` lowest base-62 digits of `number`, least significant first."""
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        chars.append(_BASE62[rest])
    return "".join(chars)


def micros(moment: datetime) -> int:
    """Unix microseconds of an aware datetime."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def day_start_us(day: date) -> int:
    return (day.toordinal() - date(1970, 1, 1).toordinal()) * DAY_US


@lru_cache(maxsize=64)
def _day_prefix(days: int) -> str:
    return date.fromordinal(date(1970, 1, 1).toordinal() + days).isoformat() + "T"


def iso_us(micros: int) -> str:
    """`2026-05-01T00:03:12.118201Z` for Unix microseconds (fast: no datetime objects)."""
    days, rest = divmod(int(micros), DAY_US)
    seconds, fraction = divmod(rest, US)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{_day_prefix(days)}{hours:02d}:{minutes:02d}:{seconds:02d}.{fraction:06d}Z"


def uuid_text(hi: int, lo: int) -> str:
    """A UUID4-shaped string from 128 random bits."""
    h = f"{hi:016x}{lo:016x}"
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


@dataclass(frozen=True, eq=False)
class DayEvents:
    """Every CODEX_LOG event whose timestamp falls on `day`, as integer arrays.

    Distinct events (index = serial): `ts_us`, `kind`, `ref` (row in the turn, tool or token
    arrays, by kind), `id_hi`/`id_lo` (the event_id's bits). Deliveries (one row per copy,
    sorted by `pub_us`, then serial): `copy_serial`, `pub_us`. Turns: `turn_*`; sessions:
    `session_*`; tool calls: `tool_*`; access-token events: `token_*`.
    """

    day: date
    ts_us: np.ndarray
    kind: np.ndarray
    ref: np.ndarray
    id_hi: np.ndarray
    id_lo: np.ndarray
    copy_serial: np.ndarray
    pub_us: np.ndarray
    turn_user: np.ndarray
    turn_client: np.ndarray
    turn_session: np.ndarray
    turn_model: np.ndarray
    turn_effort: np.ndarray
    turn_id_hi: np.ndarray
    turn_id_lo: np.ndarray
    turn_prompt: np.ndarray  # template index, choice (packed: template << 32 | choice)
    turn_response: np.ndarray
    turn_incomplete: np.ndarray
    turn_secret: np.ndarray  # -1 none, else index into compliance_text.SECRET_KINDS
    turn_secret_seed: np.ndarray
    turn_tokens: np.ndarray  # (n, 4): input, cached_input, output, reasoning_output
    session_id_hi: np.ndarray
    session_id_lo: np.ndarray
    tool_turn: np.ndarray
    tool_template: np.ndarray
    tool_choice: np.ndarray
    tool_id: np.ndarray
    token_user: np.ndarray
    token_actor: np.ndarray
    token_id: np.ndarray
    token_name: np.ndarray
    token_expires_days: np.ndarray  # -1: never expires
    token_created_us: np.ndarray

    @property
    def events(self) -> int:
        """Distinct events (duplicates not counted)."""
        return len(self.ts_us)

    @property
    def deliveries(self) -> int:
        return len(self.pub_us)

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in self.__dict__.values() if isinstance(v, np.ndarray))

    @cached_property
    def session_ids(self) -> list[str]:
        return list(map(uuid_text, self.session_id_hi.tolist(), self.session_id_lo.tolist()))

    @cached_property
    def turn_ids(self) -> list[str]:
        return list(map(uuid_text, self.turn_id_hi.tolist(), self.turn_id_lo.tolist()))

    def published_between(self, start_us: int, end_us: int) -> np.ndarray:
        """Delivery rows (indices into copy_serial/pub_us) published in [start_us, end_us)."""
        lo, hi = np.searchsorted(self.pub_us, [start_us, end_us], side="left")
        return np.arange(lo, hi)


# -- generation --------------------------------------------------------------------------------


def generate_day(
    workspace: SyntheticWorkspace,
    day: date,
    events_per_day: int | None = None,
    midnight: bool = False,
) -> DayEvents:
    """Draw every CODEX_LOG event of `day` (a pure function of the workspace seed and `day`).

    midnight: the session that ends last is moved to end at 23:59:59 UTC and its last response
      is delivered on time, so the day's last window (ending at midnight) has a file.
    """
    seed = workspace.seed
    act = workspace.user_day_activity(day, 0)
    rng = derived_rng(seed, "compliance", day.toordinal())
    start_us = day_start_us(day)

    # Client slots with usage: one session per thread, `turns` turns over those sessions.
    live = (act.client_index >= 0) & (act.client_threads > 0)
    rows, slots = np.nonzero(live)
    n_slots = len(rows)
    slot_sessions = act.client_threads[rows, slots].astype(np.int64)
    slot_turns = act.client_turns[rows, slots].astype(np.int64)
    slot_tokens = act.client_tokens[rows, slots].astype(np.int64)  # uncached, cached, out, total
    slot_client = act.client_index[rows, slots]
    slot_user = act.users[rows]

    n_sessions = int(slot_sessions.sum())
    session_slot = np.repeat(np.arange(n_slots), slot_sessions)
    slot_session_start = np.concatenate(([0], np.cumsum(slot_sessions)[:-1])).astype(np.int64)
    extra = slot_turns - slot_sessions
    extra_slot = np.repeat(np.arange(n_slots), extra)
    extra_session = slot_session_start[extra_slot] + np.floor(
        rng.random(len(extra_slot)) * slot_sessions[extra_slot]
    ).astype(np.int64)
    session_turns = 1 + np.bincount(extra_session, minlength=n_sessions)
    n_turns = int(session_turns.sum())
    turn_session = np.repeat(np.arange(n_sessions), session_turns)
    turn_slot = session_slot[turn_session]
    session_first_turn = np.concatenate(([0], np.cumsum(session_turns)[:-1]))[:n_sessions].astype(
        np.int64
    )  # (a day without sessions, e.g. an idle day, has none)
    turn_no = np.arange(n_turns) - session_first_turn[turn_session]

    # Models: a session uses the user's first model, or (sometimes) the second.
    user_models = act.model_index[rows][session_slot]
    second = (user_models[:, 1] >= 0) & (rng.random(n_sessions) < 0.3)
    session_model = np.where(second, user_models[:, 1], user_models[:, 0])
    turn_model = session_model[turn_session]

    # Tokens: each slot's analytics tokens split over its turns, so the sums match exactly.
    turn_tokens = _split_tokens(rng, slot_tokens, turn_slot, n_slots, n_turns)

    # Times: sessions start around working hours; turns follow one another.
    gap_s = np.where(turn_no == 0, 0.0, 15.0 + rng.exponential(90.0, n_turns))
    duration_s = 8.0 + rng.exponential(40.0, n_turns)
    step = gap_s + duration_s
    cumulative = np.cumsum(step) - step
    offset_s = cumulative - cumulative[session_first_turn][turn_session] + gap_s
    span_s = np.bincount(turn_session, weights=step, minlength=n_sessions)
    scale = np.minimum(1.0, 80_000.0 / np.maximum(span_s, 1.0))
    span_s = span_s * scale
    session_start_s = np.clip(rng.normal(13.5, 3.5, n_sessions), 0.0, 23.99) * 3600.0
    session_start_s = np.clip(session_start_s, 0.0, np.maximum(0.0, 86_399.0 - span_s))
    last_session = -1
    if midnight and n_sessions:
        last_session = int(np.argmax(session_start_s + span_s))
        session_start_s[last_session] = max(0.0, 86_399.0 - span_s[last_session])
    prompt_s = session_start_s[turn_session] + offset_s * scale[turn_session]
    response_s = prompt_s + duration_s * scale[turn_session]

    # Access-token events: created today, and revoked today (created on an earlier day or today).
    tokens = _token_events(workspace, day)
    n_token_events = len(tokens["kind"])

    # Tool calls: a natural rate, or as many as it takes to reach the requested volume.
    if events_per_day is None:
        rate = NATURAL_TOOL_CALLS_PER_TURN
    elif n_turns:
        rate = max(0.0, (events_per_day - 2 * n_turns - n_token_events) / (2 * n_turns))
    else:
        rate = 0.0
    tools_per_turn = rng.poisson(rate, n_turns) if n_turns else np.zeros(0, dtype=np.int64)
    tool_turn = np.repeat(np.arange(n_turns), tools_per_turn)
    n_tools = len(tool_turn)
    span = response_s[tool_turn] - prompt_s[tool_turn]
    suggested_s = prompt_s[tool_turn] + span * rng.uniform(0.05, 0.8, n_tools)
    finished_s = suggested_s + (response_s[tool_turn] - suggested_s) * rng.uniform(
        0.1, 0.9, n_tools
    )
    tool_failed = rng.random(n_tools) < P_TOOL_FAILED

    # Distinct events: prompts, responses, tool suggestions, tool outcomes, token events.
    kind = np.concatenate(
        [
            np.full(n_turns, PROMPT),
            np.full(n_turns, RESPONSE),
            np.full(n_tools, TOOL_SUGGESTED),
            np.where(tool_failed, TOOL_FAILED, TOOL_COMPLETED),
            tokens["kind"],
        ]
    ).astype(np.int8)
    ref = np.concatenate(
        [
            np.arange(n_turns),
            np.arange(n_turns),
            np.arange(n_tools),
            np.arange(n_tools),
            np.arange(n_token_events),
        ]
    ).astype(np.int32)
    seconds = np.concatenate([prompt_s, response_s, suggested_s, finished_s])
    ts_us = np.concatenate([start_us + np.rint(seconds * US).astype(np.int64), tokens["ts_us"]])
    n_events = len(kind)
    ids = rng.integers(0, np.iinfo(np.int64).max, size=(n_events, 2), dtype=np.int64)

    # Delivery: most events in their own window, some late, some twice.
    pub = ts_us.copy()
    late = rng.random(n_events) < P_LATE
    if last_session >= 0:  # its last response, at 23:59:59, is delivered on time
        late[n_turns + session_first_turn[last_session] + session_turns[last_session] - 1] = False
    pub[late] += rng.integers(*LATE_US, int(late.sum()))
    duplicated = np.flatnonzero(rng.random(n_events) < P_DUPLICATE)
    copy_serial = np.concatenate([np.arange(n_events), duplicated])
    copy_pub = np.concatenate([pub, pub[duplicated] + rng.integers(*DUPLICATE_US, len(duplicated))])
    order = np.lexsort((copy_serial, copy_pub))

    # Text choices, drawn now so rendering any one event needs no generator.
    prompt_tpl = rng.integers(0, len(text.PROMPTS), n_turns)
    response_tpl = rng.integers(0, len(text.RESPONSES), n_turns)
    choices = rng.integers(0, 2**31, (n_turns, 2))
    secret = np.where(
        (rng.random(n_turns) < P_SECRET),
        rng.integers(0, len(text.SECRET_KINDS), n_turns),
        -1,
    )
    users = slot_user[turn_slot]
    return DayEvents(
        day=day,
        ts_us=ts_us,
        kind=kind,
        ref=ref,
        id_hi=ids[:, 0],
        id_lo=ids[:, 1],
        copy_serial=copy_serial[order].astype(np.int64),
        pub_us=copy_pub[order],
        turn_user=users.astype(np.int32),
        turn_client=slot_client[turn_slot].astype(np.int16),
        turn_session=turn_session.astype(np.int32),
        turn_model=turn_model.astype(np.int16),
        turn_effort=rng.integers(0, len(EFFORTS), n_turns).astype(np.int8),
        turn_id_hi=rng.integers(0, np.iinfo(np.int64).max, n_turns),
        turn_id_lo=rng.integers(0, np.iinfo(np.int64).max, n_turns),
        turn_prompt=(prompt_tpl << 32) | choices[:, 0],
        turn_response=(response_tpl << 32) | choices[:, 1],
        turn_incomplete=rng.random(n_turns) < P_RESPONSE_INCOMPLETE,
        turn_secret=secret.astype(np.int8),
        turn_secret_seed=rng.integers(0, 2**62, n_turns),
        turn_tokens=turn_tokens,
        session_id_hi=rng.integers(0, np.iinfo(np.int64).max, n_sessions),
        session_id_lo=rng.integers(0, np.iinfo(np.int64).max, n_sessions),
        tool_turn=tool_turn.astype(np.int32),
        tool_template=rng.integers(0, len(text.TOOLS), n_tools).astype(np.int8),
        tool_choice=rng.integers(0, 2**31, n_tools),
        tool_id=rng.integers(0, np.iinfo(np.int64).max, n_tools),
        token_user=tokens["user"],
        token_actor=tokens["actor"],
        token_id=tokens["id"],
        token_name=tokens["name"],
        token_expires_days=tokens["expires_days"],
        token_created_us=tokens["created_us"],
    )


def _split_tokens(
    rng: np.random.Generator,
    slot_tokens: np.ndarray,
    turn_slot: np.ndarray,
    n_slots: int,
    n_turns: int,
) -> np.ndarray:
    """Per turn (input, cached_input, output, reasoning_output); per slot, input - cached sums
    to the analytics uncached tokens, cached to cached, output to output, exactly."""
    out = np.zeros((n_turns, 4), dtype=np.int64)
    if not n_turns:
        return out
    weight = rng.uniform(0.5, 1.5, n_turns)
    share = weight / np.bincount(turn_slot, weights=weight, minlength=n_slots)[turn_slot]
    first = np.concatenate(([0], np.flatnonzero(np.diff(turn_slot)) + 1))
    parts = []
    for field in range(3):  # uncached, cached, output
        total = slot_tokens[:, field]
        part = np.floor(total[turn_slot] * share).astype(np.int64)
        assigned = np.bincount(turn_slot, weights=part, minlength=n_slots)
        part[first] += total - np.rint(assigned).astype(np.int64)
        parts.append(part)
    uncached, cached, output = parts
    out[:, 0] = uncached + cached
    out[:, 1] = cached
    out[:, 2] = output
    out[:, 3] = np.floor(output * rng.uniform(0.2, 0.6, n_turns)).astype(np.int64)
    return out


def _tokens_created(workspace: SyntheticWorkspace, day: date) -> dict[str, np.ndarray]:
    """Personal access tokens created on `day`: who, when, how long they live, when revoked."""
    users = workspace.users
    o = day.toordinal()
    rng = derived_rng(workspace.seed, "compliance-tokens", o)
    members = np.flatnonzero((users.join_ordinal <= o) & (o < users.churn_ordinal))
    rate = max(1.5, len(users) * 0.01) * (0.3 if day.weekday() >= 5 else 1.0)
    n = int(rng.poisson(rate)) if len(members) else 0
    creator = members[rng.integers(0, len(members), n)] if n else np.zeros(0, dtype=np.int64)
    revoked = rng.random(n) < 0.5
    return {
        "user": creator.astype(np.int32),
        "actor": np.where(
            rng.random(n) < 0.8, creator, members[rng.integers(0, max(1, len(members)), n)]
        ).astype(np.int32)
        if n
        else np.zeros(0, dtype=np.int32),
        "id": rng.integers(0, np.iinfo(np.int64).max, n),
        "name": rng.integers(0, len(text.TOKEN_NAMES), n),
        "expires_days": np.where(rng.random(n) < 0.3, -1, rng.choice([7, 30, 90], n)),
        "created_us": day_start_us(day) + rng.integers(0, DAY_US, n),
        "revoke_after_days": np.where(revoked, rng.integers(0, TOKEN_HISTORY_DAYS + 1, n), -1),
        "revoke_at": rng.random(n),
    }


def _token_events(workspace: SyntheticWorkspace, day: date) -> dict[str, np.ndarray]:
    """ACCESS_TOKEN_CREATED events of `day`, then ACCESS_TOKEN_REVOKED events of `day` (for
    tokens created on `day` or up to TOKEN_HISTORY_DAYS before)."""
    columns = ("user", "actor", "id", "name", "expires_days", "created_us")
    parts: dict[str, list[np.ndarray]] = {key: [] for key in (*columns, "kind", "ts_us")}
    start = day_start_us(day)
    for back in range(TOKEN_HISTORY_DAYS, -1, -1):
        created_day = day - timedelta(days=back)
        made = _tokens_created(workspace, created_day)
        if back == 0:
            for key in columns:
                parts[key].append(made[key])
            parts["kind"].append(np.full(len(made["id"]), TOKEN_CREATED))
            parts["ts_us"].append(made["created_us"])
        due = made["revoke_after_days"] == back
        if not due.any():
            continue
        # Revoked some time after creation, within `day`.
        earliest = np.maximum(made["created_us"][due] + US, start)
        at = earliest + (made["revoke_at"][due] * (start + DAY_US - 1 - earliest)).astype(np.int64)
        for key in columns:
            parts[key].append(made[key][due])
        parts["kind"].append(np.full(int(due.sum()), TOKEN_REVOKED))
        parts["ts_us"].append(at)
    return {
        key: np.concatenate(values).astype(np.int64 if key != "kind" else np.int8)
        if values
        else np.zeros(0, dtype=np.int64)
        for key, values in parts.items()
    }


def window_index(micros: int) -> int:
    """The 10-minute window (index since the epoch) an instant falls in."""
    return int(micros) // (600 * US)


def window_bounds(index: int) -> tuple[int, int]:
    return index * 600 * US, (index + 1) * 600 * US


def window_day(index: int) -> date:
    return (_EPOCH + timedelta(seconds=index * 600)).date()
