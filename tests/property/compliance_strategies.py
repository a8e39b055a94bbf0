"""Hypothesis strategies: legal Compliance Logs Platform histories of CODEX_LOG files.

Within the contract (reference/codex-api.md part 2 and its "2026-12 additions"):

- files of roughly 10-minute windows, several of them sharing an `end_time` (a window split at
  the 15 MB cap), one ending exactly at midnight (it is the closing day's), end times with and
  without fractions of a second, unknown fields in the listing's entries, files of the day
  after the range (the client must not land them), now and then a file with no event, and
  files published late (after their day was first loaded: latency is p99 30 minutes, not a
  bound), which only a re-load of the day sees;
- events delivered at least once: an event may be in two files (of the same day or a later
  one) or twice in one file, and may arrive late, in a file of a later window or day, even
  with a timestamp on the day before the first one loaded; every copy is the same event,
  though not necessarily the same bytes (key order, spacing), and bodies end with or without
  a newline, lines with `\\n` or `\\r\\n`;
- the envelope and every documented `CODEX_LOG` sub-event (prompts, responses with token usage,
  tool calls, access tokens, environments, plugins, sites, and sub-events not documented yet),
  optional fields absent or null, `agent` attribution, personal-access-token credentials, any
  Unicode in the texts (newlines, quotes, emoji), empty prompts;
- listing pages (fake_compliance_api.py): 1..limit files, cut at an end-time boundary or, when
  the page is full, inside a group of files sharing an end time; cut inside a group with a
  conservative `last_end_time` that re-lists the group; an empty page with `has_more` whose
  `last_end_time` moves on; an empty last page.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import strategies as st

from tests.property.strategies import KNOWN_CLIENTS, MODELS, WORKSPACE_ID, extra_fields

WINDOW = timedelta(minutes=10)
SUB_EVENTS = (
    "PROMPT_SENT",
    "PROMPT_RESPONSE_RECEIVED",
    "TOOL_CALL_SUGGESTED",
    "TOOL_CALL_COMPLETED",
    "TOOL_CALL_FAILED",
    "ACCESS_TOKEN_CREATED",
    "ACCESS_TOKEN_REVOKED",
    "ENVIRONMENT_CREATED",
    "WORKSPACE_UPDATED",
    "PLUGIN_INSTALLED",
    "SITE_DEPLOYMENT_COMPLETED",
    "SKILL_INVOKED_FUTURE",  # the list grows: a sub-event not documented yet
)
ABSENT = object()


@dataclass(frozen=True)
class ServedFile:
    """One log file: its listing entry's fields and its JSONL body."""

    id: str
    end_time: datetime
    end_time_text: str
    body: bytes
    lines: tuple[dict, ...]
    """The events in the body, in order (duplicates included)."""
    extra: dict[str, Any] = field(default_factory=dict)
    late: bool = False
    """Published only after its day was first loaded (file latency is p99 30 minutes, not a
    bound): listed, and landed, only by a later re-load of the day."""

    @property
    def day(self) -> date:
        """The UTC day the file belongs to: (D 00:00, D+1 00:00] holds its end_time."""
        return (self.end_time - timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class ListingPlan:
    """How the server cuts pages: cycled through, one entry per listing request."""

    sizes: tuple[int, ...]
    modes: tuple[str, ...]
    """'boundary' (cut where end times change), 'split' (a full page may end inside a group),
    'safe' (end inside a group, last_end_time before the group), 'gap' (an empty page with
    has_more when the next file is more than 2 s away), 'lazy_end' (has_more true on the page
    that holds the last files, then an empty last page)."""
    z_suffix: bool


@dataclass
class ComplianceScenario:
    days: list[date]
    files: list[ServedFile]
    limit: int
    plan: ListingPlan
    first_pass: list[date]
    """Every day loaded once, in this order, before the late files are published."""
    reloads: list[date]
    """Days loaded again afterwards (a re-run, a backfill over days already landed)."""
    max_concurrency: int

    @property
    def load_order(self) -> list[date]:
        return [*self.first_pass, *self.reloads]

    def files_of_days(self) -> list[ServedFile]:
        """The files of the scenario's days (not those of the day after)."""
        return [f for f in self.files if f.day in self.days]

    def landed_files(self, day: date) -> list[ServedFile]:
        """The files of `day` its last load saw: the late ones only if it was re-loaded."""
        return [f for f in self.files_of(day) if not f.late or day in self.reloads]

    @property
    def now(self) -> datetime:
        """Every day complete (an hour after its end) and within the 30-day retention."""
        return datetime.combine(self.days[-1] + timedelta(days=1), time(3), tzinfo=UTC)

    def files_of(self, day: date) -> list[ServedFile]:
        return [f for f in self.files if f.day == day]


_texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=4, max_size=8)


def _iso(moment: datetime, style: str) -> str:
    """ISO 8601 UTC in one of the spellings the API may use."""
    if style == "z_micro":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if style == "offset":
        return moment.isoformat()  # +00:00, a fraction only when there is one
    if style == "z_milli":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _put(target: dict, key: str, value: Any) -> None:
    if value is not ABSENT:
        target[key] = value


def _optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.just(ABSENT), st.none(), strategy)


@st.composite
def _details(draw: st.DrawFn, sub_event: str, session: str, user_id: str) -> dict:
    details: dict[str, Any] = {"detail_type": sub_event}
    if sub_event in ("PROMPT_SENT", "PROMPT_RESPONSE_RECEIVED") or sub_event.startswith(
        "TOOL_CALL_"
    ):
        details["session_id"] = session
        for name in ("turn_id", "call_id", "environment_id"):
            _put(details, name, draw(_optional(_ids)))
    if sub_event == "PROMPT_SENT":
        details["prompt_text"] = draw(st.one_of(st.just(""), _texts))
        _put(details, "model", draw(_optional(st.sampled_from(MODELS))))
    elif sub_event == "PROMPT_RESPONSE_RECEIVED":
        details["response_text"] = draw(_texts)
        details["status"] = draw(st.sampled_from(("completed", "incomplete", "failed")))
        details["model"] = draw(st.sampled_from(MODELS))
        _put(details, "service_tier", draw(_optional(st.sampled_from(("default", "flex")))))
        _put(details, "reasoning_effort", draw(_optional(st.sampled_from(("low", "medium")))))
        count = st.integers(0, 10**7)
        details["token_usage"] = {
            "input_tokens": draw(count),
            "output_tokens": draw(count),
            "cached_input_tokens": draw(count),
            "reasoning_output_tokens": draw(count),
        }
    elif sub_event.startswith("TOOL_CALL_"):
        details["tool_name"] = draw(st.sampled_from(("shell", "apply_patch", "web.search")))
        details["tool_type"] = draw(st.sampled_from(("function", "local_shell", "mcp")))
        details["tool_input"] = draw(_texts)
        _put(details, "tool_call_id", draw(_optional(_ids.map(lambda s: f"tc_{s}"))))
        _put(details, "status", draw(_optional(st.sampled_from(("ok", "error")))))
        _put(details, "model", draw(_optional(st.sampled_from(MODELS))))
    elif sub_event.startswith("ACCESS_TOKEN_"):
        details["access_token_id"] = "cat_" + draw(_ids)
        details["access_token_name"] = draw(_texts)
        details["created_by_user_id"] = user_id
        _put(details, "expires_at", draw(_optional(st.sampled_from(("2027-01-01T00:00:00Z",)))))
    elif sub_event == "ENVIRONMENT_CREATED":
        details["environment_id"] = "env_" + draw(_ids)
        details["environment_fields"] = {"label": draw(_texts), "repos": []}
    elif sub_event == "PLUGIN_INSTALLED":
        details.update(plugin_id="p_" + draw(_ids), plugin_scope="WORKSPACE", plugin_name="x")
    details.update(draw(extra_fields))
    return details


@st.composite
def event(draw: st.DrawFn, event_id: str, timestamp: datetime, users: list[tuple]) -> dict:
    """One CODEX_LOG event: the envelope plus its sub-event's fields."""
    user_id, email = draw(st.sampled_from(users))
    sub_event = draw(st.sampled_from(SUB_EVENTS))
    actor: dict[str, Any] = {"type": "ACCOUNT_USER", "user_id": user_id, "user_email": email}
    _put(actor, "credential_id", draw(st.sampled_from((ABSENT, "pat_1a2b"))))
    record: dict[str, Any] = {
        "event_id": event_id,
        "type": "CODEX_LOG",
        "timestamp": _iso(timestamp, draw(st.sampled_from(("z_micro", "offset", "z", "z_milli")))),
        "principal": {"id": WORKSPACE_ID, "type": "CHATGPT_WORKSPACE"},
        "actor": actor,
        "event_type": sub_event,
        "client_id": draw(st.sampled_from(KNOWN_CLIENTS)),
        "workspace_id": WORKSPACE_ID,
        "event_details": draw(
            _details(sub_event, "session-" + draw(st.sampled_from("abc")), user_id)
        ),
    }
    _put(
        record,
        "agent",
        draw(
            st.sampled_from(
                (
                    ABSENT,
                    None,
                    {"type": "CODEX_AGENT"},
                    {"type": "x", "id": "a1", "name": "n"},
                    {"type": "SERVICE", "id": None, "name": "ci-bot"},
                )
            )
        ),
    )
    record.update(draw(extra_fields))
    return record


def _line(record: dict, seed: int) -> bytes:
    """The event as one JSON line: the same event, spelled one of several equivalent ways."""
    spelling = random.Random(seed)
    keys = list(record)
    if spelling.random() < 0.3:
        spelling.shuffle(keys)
    separators = (",", ":") if spelling.random() < 0.5 else (", ", ": ")
    ordered = {key: record[key] for key in keys}
    return json.dumps(ordered, separators=separators, ensure_ascii=spelling.random() < 0.5).encode()


@st.composite
def compliance_scenarios(draw: st.DrawFn, *, max_days: int = 4) -> ComplianceScenario:
    first = draw(st.dates(date(2026, 1, 1), date(2026, 12, 30)))
    days = [first + timedelta(days=i) for i in range(draw(st.integers(1, max_days)))]
    users = draw(
        st.lists(
            st.tuples(
                _ids.map(lambda s: f"user-{s}"),
                st.one_of(st.none(), st.emails().map(str.lower)),
            ),
            min_size=1,
            max_size=3,
            unique_by=lambda user: user[0],
        )
    )

    # The files: 10-minute slots of each day and of the day after (not to be landed), slot 144
    # ending at midnight; a slot may hold several files (one window split at the size cap).
    slots: list[tuple[datetime, int]] = []
    for day in [*days, days[-1] + timedelta(days=1)]:
        base = datetime.combine(day, time(0), tzinfo=UTC)
        chosen = draw(st.lists(st.integers(1, 144), max_size=4, unique=True))
        if draw(st.integers(0, 2)) == 0:
            chosen.append(144)  # the file closing the day at 00:00 of the next
        for slot in sorted(set(chosen)):
            end = base + slot * WINDOW
            if draw(st.integers(0, 4)) == 0:  # "roughly" 10 minutes: an odd end time
                end -= timedelta(
                    seconds=draw(st.integers(1, 300)), microseconds=draw(st.integers(0, 999_999))
                )
            slots.append((end, draw(st.sampled_from((1, 1, 1, 2, 3)))))
    ends = sorted(end for end, copies in slots for _ in range(copies))
    if not ends:
        ends = [datetime.combine(days[0], time(0), tzinfo=UTC) + WINDOW]
    limit = draw(st.sampled_from((max(3, 1), 3, 4, 100)))  # >= the largest group of a slot

    # The events: each delivered first in one file, at most a window before its end (or late:
    # up to a day before), and sometimes again, in the same file or a later one.
    deliveries: list[list[dict]] = [[] for _ in ends]
    for n in range(draw(st.integers(0, 14))):
        home = draw(st.integers(0, len(ends) - 1))
        late = draw(st.integers(0, 5)) == 0
        back = timedelta(
            seconds=draw(st.integers(0, 86_400 if late else 599)),
            microseconds=draw(st.integers(0, 999_999)),
        )
        timestamp = ends[home] - back
        record = draw(event(f"evt-{n:03d}-" + draw(_ids), timestamp, users))
        deliveries[home].append(record)
        for again in draw(st.lists(st.integers(home, len(ends) - 1), max_size=2)):
            deliveries[again].append(record)
    files = []
    for index, end in enumerate(ends):
        records = draw(st.permutations(deliveries[index]))
        newline = b"\r\n" if draw(st.integers(0, 5)) == 0 else b"\n"
        body = newline.join(_line(r, draw(st.integers(0, 2**16))) for r in records)
        if records and draw(st.booleans()):
            body += newline
        file_id = f"clf_{index:03d}{draw(_ids)}"
        entry_extra = draw(st.dictionaries(st.sampled_from(("region", "x_part")), _ids, max_size=1))
        end_text = _iso(
            end,
            draw(st.sampled_from(("offset", "z_micro", "z"))) if end.microsecond == 0 else "offset",
        )
        late = draw(st.integers(0, 7)) == 0
        files.append(
            ServedFile(file_id, end, end_text, body, tuple(records), entry_extra, late=late)
        )

    # Load the days in any order, then some again (a re-run, a backfill over landed days).
    first_pass = list(draw(st.permutations(days)))
    reloads = draw(st.lists(st.sampled_from(days), max_size=2))
    plan_length = draw(st.integers(1, 4))
    plan = ListingPlan(
        sizes=tuple(draw(st.integers(1, limit)) for _ in range(plan_length)),
        modes=tuple(
            draw(st.sampled_from(("boundary", "split", "safe", "gap", "lazy_end")))
            for _ in range(plan_length)
        ),
        z_suffix=draw(st.booleans()),
    )
    return ComplianceScenario(
        days=days,
        files=files,
        limit=limit,
        plan=plan,
        first_pass=first_pass,
        reloads=reloads,
        max_concurrency=draw(st.integers(1, 3)),
    )
