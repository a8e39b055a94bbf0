"""Hypothesis strategies: legal Codex Analytics workspaces and legal server behaviours.

Everything generated here is allowed by the API contract (reference/codex-api.md, sections
1.1-1.3, as corrected by its "2026-12 additions"), and nothing more: the point is to find what
the pipeline gets wrong on shapes the contract permits, not to feed it garbage.

What the contract allows, and so what these strategies produce:

- sparse days: an idle day has no rows on any endpoint; a user without activity has no row; the
  workspace row (`group=workspace`) may be missing on a day with user rows; `code_reviews` and
  `code_review_responses` come and go independently of each other and of usage, and now and
  then two of them share a day (one row per key is not promised);
- rows that are present but all zero (nothing promises a row is never a zero row);
- `clients: []` while totals are above zero, `models` null / absent / empty, breakdowns that do
  not add up to the totals, null or absent token fields and `estimated_cost_usd`, a null or
  absent email, an absent `actor`, a null or absent top-level `user_id` (it is not required: the
  actor carries the id), unknown client ids and models, unknown extra fields anywhere, numbers sent
  as JSON integers or floats;
- the billing unit: a USD-billed workspace reports `totals.cost_usd` instead of `credits`; a
  workspace that changes unit has a day whose rows carry both;
- pages of any size from 1 to `limit` while `has_more` is true, sometimes an empty last page,
  `next_page` null or absent on the last page, unknown envelope fields, opaque cursors made of
  base64 characters and always holding `+`, `/` or `=` (they must survive URL encoding);
- restatements: a later serve of a day may be a different version of it (another set of rows,
  or none at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from hypothesis import strategies as st

from codex_assets.defs.analytics.client import day_bounds

WORKSPACE_ID = "be545252-ad04-4cfa-9ca5-deca58416151"
API_KEY = "k-property-test"
BASE_URL = "https://api.example.test/v1"

# endpoint (as the client names it) -> the raw lake table it fills
ENDPOINT_TABLES = {
    "usage": "usage_users",
    "usage_workspace": "usage_workspace",
    "code_reviews": "code_reviews",
    "code_review_responses": "code_review_responses",
}
ENDPOINTS = tuple(ENDPOINT_TABLES)

# A sample of the 43 documented CodexClient values, covering every default surface.
KNOWN_CLIENTS = (
    "CODEX_CLI",
    "CODEX_WEB",
    "CODEX_CLOUD_GENERAL_AGENT",
    "CODEX_SLACK",
    "CODEX_WORK_WEB",
    "CODEX_DESKTOP_APP",
    "CODEX_CHATGPT_DESKTOP",
    "CODEX_WORK_DESKTOP",
    "CODEX_WORK_MOBILE",
    "CODEX_IDE_VSCODE",
    "CODEX_IDE_XCODE",
    "CODEX_IDE_JETBRAINS_PYCHARM",
    "CODEX_IDE_JETBRAINS_INTELLIJ_IDEA_COMMUNITY_EDITION",
    "CODEX_GITHUB",
    "CODEX_GITHUB_ACTION",
    "CODEX_SDK_TS",
    "CODEX_SERVICE_EXEC",
    "CODEX_CHROME_EXTENSION_SIDE_PANEL",
    "CODEX_ATLAS",
    "CODEX_UNKNOWN_DEFAULT",
)
# Values the API may add later ("parse enum values leniently").
UNKNOWN_CLIENTS = ("CODEX_VISION_HEADSET", "CODEX_IDE_ZED", "CODEX_TERMINAL_NEXT")
MODELS = ("gpt-5.4", "gpt-5.5", "other", "gpt-6-preview")
TOKEN_FIELDS = (
    "uncached_text_input_tokens",
    "cached_text_input_tokens",
    "text_output_tokens",
    "text_total_tokens",
)

ABSENT = object()
"""A drawn value meaning "leave the key out" (not the same as JSON null)."""

# -- small values ------------------------------------------------------------------------------

# Credits and dollars: cents, whole numbers sent as JSON integers, or arbitrary doubles.
money = st.one_of(
    st.integers(0, 500_000).map(lambda cents: cents / 100),
    st.integers(0, 60),
    st.floats(0, 5_000, allow_nan=False, allow_infinity=False, allow_subnormal=False),
)
positive_money = money.filter(lambda value: value > 0)
tokens = st.integers(0, 10**12)
maybe_tokens = st.one_of(st.just(ABSENT), st.none(), tokens)
maybe_money = st.one_of(st.just(ABSENT), st.none(), money)

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), _text)
json_values = st.recursive(
    _json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
# Unknown fields: prefixed so they never collide with a documented one.
extra_fields = st.dictionaries(
    st.sampled_from(("x_region", "x_future_metric", "x_flags", "x_note", "x_beta")),
    json_values,
    max_size=2,
)


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not ABSENT:
        target[key] = value


# -- the workspace -----------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    user_id: str
    emails: tuple[str | None, ...]
    """The emails the API may show for the user (None: withheld); one is drawn per day."""


@dataclass
class Dataset:
    """What the API holds: endpoint -> day -> the rows of that day, in serving order."""

    days: list[date]
    rows: dict[str, dict[date, list[dict]]]

    def day_rows(self, endpoint: str, day: date) -> list[dict]:
        return self.rows[endpoint].get(day, [])

    def revised(self, revisions: dict[date, dict[str, list[dict]]]) -> Dataset:
        rows = {endpoint: dict(by_day) for endpoint, by_day in self.rows.items()}
        for day, by_endpoint in revisions.items():
            for endpoint, day_rows in by_endpoint.items():
                rows[endpoint][day] = day_rows
        return Dataset(list(self.days), rows)


@dataclass(frozen=True)
class PagePlan:
    """How the server pages one endpoint's day: the size of each page, and its cursors.

    `sizes` sum to the day's rows; every size is between 1 and `limit`, except that the last
    page may be empty (0). `cursors[i]` is the `next_page` of page i (there is one fewer cursor
    than pages).
    """

    sizes: tuple[int, ...]
    cursors: tuple[str, ...]
    extras: dict[str, Any] = field(default_factory=dict)
    last_next_page_absent: bool = False


@dataclass
class Scenario:
    """One generated example: a workspace, how the server pages it, and what it revises."""

    dataset: Dataset
    limit: int
    plans: dict[tuple[str, date], PagePlan]
    revisions: dict[date, dict[str, list[dict]]]
    revision_plans: dict[tuple[str, date], PagePlan]
    usd_per_credit: float | None
    max_concurrency: int
    build_ranges: list[tuple[date, date]] = field(default_factory=list)
    """The first build of the marts, as refreshes of these day ranges in this order (they
    cover the days once; out of order, as a backfill into the past does it)."""

    @property
    def days(self) -> list[date]:
        return self.dataset.days

    @property
    def final(self) -> Dataset:
        """The dataset as the API holds it after the revisions."""
        return self.dataset.revised(self.revisions)

    @property
    def now(self) -> datetime:
        """A moment at which every day of the scenario is complete and inside the 90 days."""
        return datetime.combine(self.days[-1] + timedelta(days=2), time(13), tzinfo=UTC)


users_strategy = st.lists(
    st.builds(
        User,
        user_id=st.one_of(
            st.uuids().map(str),
            st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=10).map(
                lambda s: f"user-{s}"
            ),
        ),
        emails=st.lists(
            st.one_of(st.none(), st.emails().map(str.lower)), min_size=1, max_size=2
        ).map(tuple),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda user: user.user_id,
)


@st.composite
def _usage_numbers(draw: st.DrawFn, unit: str, *, zero: bool = False) -> dict[str, Any]:
    """threads / turns / credits and/or cost_usd / estimate / tokens, as a `Usage` object has."""
    numbers: dict[str, Any] = {
        "threads": 0 if zero else draw(st.integers(0, 60)),
        "turns": 0 if zero else draw(st.integers(0, 500)),
    }
    idle = numbers["threads"] == 0 and numbers["turns"] == 0
    if unit in ("credits", "both"):
        numbers["credits"] = 0 if zero else draw(money)
    if unit in ("usd", "both"):
        # Dollars with no thread, turn or credit would be usage that the definition of
        # "active" (threads, turns or credits above zero) does not speak about: not generated.
        idle = idle and not numbers.get("credits")
        numbers["cost_usd"] = 0.0 if (zero or idle) else draw(money)
    _put(numbers, "estimated_cost_usd", draw(maybe_money))
    for name in TOKEN_FIELDS:
        _put(numbers, name, draw(maybe_tokens))
    numbers.update(draw(extra_fields))
    return numbers


@st.composite
def _clients(draw: st.DrawFn, unit: str) -> list[dict]:
    ids = draw(st.lists(st.sampled_from(KNOWN_CLIENTS + UNKNOWN_CLIENTS), max_size=3, unique=True))
    return [{"client_id": client_id, **draw(_usage_numbers(unit))} for client_id in ids]


@st.composite
def _models(draw: st.DrawFn, unit: str) -> Any:
    shape = draw(st.sampled_from(("absent", "null", "empty", "list")))
    if shape == "absent":
        return ABSENT
    if shape == "null":
        return None
    if shape == "empty":
        return []
    entries = []
    for model in draw(st.lists(st.sampled_from(MODELS), min_size=1, max_size=3, unique=True)):
        entry: dict[str, Any] = {"model": model}
        _put(entry, "speed", draw(st.sampled_from((ABSENT, None, "standard", "fast"))))
        numbers = draw(_usage_numbers(unit))
        numbers.pop("threads")
        numbers.pop("turns")
        entry.update(numbers)
        entries.append(entry)
    return entries


_code_attribution = st.one_of(
    st.just(ABSENT),
    st.none(),
    st.fixed_dictionaries(
        {
            "lines_of_code": st.fixed_dictionaries(
                {"added": st.integers(0, 5000)},
                optional={
                    "removed": st.one_of(st.none(), st.integers(0, 5000)),
                    "committed": st.one_of(st.none(), st.integers(0, 5000)),
                    "total_committed_lines": st.one_of(st.none(), st.integers(0, 50000)),
                    "committed_percentage": st.one_of(st.none(), st.floats(0, 100)),
                },
            ),
            "commits": st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {
                        "with_codex_contribution": st.integers(0, 50),
                        "with_codex_contribution_percentage": st.floats(0, 100),
                        "total_commits": st.integers(0, 100),
                    }
                ),
            ),
        }
    ),
)


@st.composite
def user_row(draw: st.DrawFn, day: date, user: User, unit: str) -> dict:
    """A `UsageRow` of `GET /usage` (per user) for one user and day."""
    start, end = day_bounds(day)
    row: dict[str, Any] = {"object": "workspace.codex.usage.result"}
    row.update(draw(extra_fields))  # unknown fields may come before or after known ones
    row["start_time"], row["end_time"] = start, end
    identity = draw(st.sampled_from(("both", "both", "both", "no_actor", "actor_only")))
    if identity != "actor_only":
        row["user_id"] = user.user_id
    elif draw(st.booleans()):
        row["user_id"] = None  # "string or null": the actor still names the user
    if identity == "no_actor":
        _put(row, "actor", draw(st.sampled_from((ABSENT, None))))
    else:
        actor: dict[str, Any] = {"type": "ACCOUNT_USER", "user_id": user.user_id}
        _put(actor, "email", draw(st.sampled_from((*user.emails, ABSENT))))
        row["actor"] = actor
    row["totals"] = draw(_usage_numbers(unit, zero=draw(st.integers(0, 9)) == 0))
    row["clients"] = [] if draw(st.integers(0, 4)) == 0 else draw(_clients(unit))
    _put(row, "models", draw(_models(unit)))
    _put(row, "code_attribution", draw(_code_attribution))
    return row


@st.composite
def workspace_row(draw: st.DrawFn, day: date, unit: str) -> dict:
    """A `group=workspace` row: the same shape, with null (or absent) user_id and actor.

    Its totals need not equal the users' (the reconciliation mart measures that; nothing in
    the contract promises it)."""
    start, end = day_bounds(day)
    row: dict[str, Any] = {"object": "workspace.codex.usage.result", "start_time": start}
    row["end_time"] = end
    _put(row, "user_id", draw(st.sampled_from((None, ABSENT))))
    _put(row, "actor", draw(st.sampled_from((None, ABSENT))))
    row["totals"] = draw(_usage_numbers(unit))
    row["clients"] = draw(_clients(unit))
    _put(row, "models", draw(_models(unit)))
    row.update(draw(extra_fields))
    return row


@st.composite
def review_row(draw: st.DrawFn, day: date) -> dict:
    """A `ReviewsRow` of `GET /code_reviews`."""
    start, end = day_bounds(day)
    row = {
        "object": "workspace.codex.usage.code_reviews.result",
        "start_time": start,
        "end_time": end,
        "pull_request_reviews": draw(st.integers(0, 80)),
        "comments": draw(st.integers(0, 300)),
        "comment_details": {
            "p0": draw(st.integers(0, 50)),
            "p1": draw(st.integers(0, 150)),
            "p2": draw(st.integers(0, 150)),
            **draw(extra_fields),
        },
    }
    row.update(draw(extra_fields))
    return row


@st.composite
def response_row(draw: st.DrawFn, day: date) -> dict:
    """A `CodeReviewResponseRow` of `GET /code_review_responses` (no ordering between counts)."""
    start, end = day_bounds(day)
    count = st.integers(0, 200)
    row = {
        "object": "workspace.codex.usage.code_review_responses.result",
        "start_time": start,
        "end_time": end,
        "pull_request_reviews": draw(st.integers(0, 80)),
        "comments": draw(count),
        "replies": draw(count),
        "reactions": draw(count),
        "comment_response_details": {
            key: draw(count)
            for key in ("engaged", "reacted", "upvoted", "downvoted", "reacted_other", "replied")
        },
        "reaction_details": {key: draw(count) for key in ("upvotes", "downvotes", "other")},
    }
    row.update(draw(extra_fields))
    return row


@st.composite
def day_rows(
    draw: st.DrawFn, day: date, users: list[User], unit: str, *, idle: bool | None = None
) -> dict[str, list[dict]]:
    """Every endpoint's rows for one day: possibly none at all (an idle day)."""
    if idle is None:
        idle = draw(st.integers(0, 3)) == 0
    if idle:
        return {endpoint: [] for endpoint in ENDPOINTS}
    active = [user for user in users if draw(st.booleans())]
    usage = [draw(user_row(day, user, unit)) for user in active]
    usage = draw(st.permutations(usage))  # rows of one day come in no particular order
    # At most one row a day on the day-grained endpoints, mostly: one row per key is the
    # reference's inference, not a promise, so now and then a day has two (they add up).
    rows_per_day = st.sampled_from((0, 1, 0, 1, 2))
    return {
        "usage": list(usage),
        "usage_workspace": [draw(workspace_row(day, unit)) for _ in range(draw(rows_per_day))],
        "code_reviews": [draw(review_row(day)) for _ in range(draw(rows_per_day))],
        "code_review_responses": [draw(response_row(day)) for _ in range(draw(rows_per_day))],
    }


@st.composite
def billing_units(draw: st.DrawFn, days: list[date]) -> dict[date, str]:
    """The unit of each day: all credits, all USD, or a change of unit on one day (whose rows
    carry both), credits before it and USD after."""
    mode = draw(st.sampled_from(("credits", "usd", "change")))
    if mode != "change":
        return dict.fromkeys(days, mode)
    switch = draw(st.integers(0, len(days) - 1))
    return {
        day: "credits" if i < switch else "both" if i == switch else "usd"
        for i, day in enumerate(days)
    }


_CURSOR_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


@st.composite
def page_plan(draw: st.DrawFn, rows: int, limit: int) -> PagePlan:
    """Page sizes 1..limit summing to `rows` (any of them shorter than `limit`), sometimes a
    trailing empty page, and a distinct opaque cursor per page boundary."""
    sizes: list[int] = []
    left = rows
    while left > 0:
        size = draw(st.integers(1, min(limit, left)))
        sizes.append(size)
        left -= size
    if not sizes or draw(st.integers(0, 3)) == 0:
        sizes.append(0)  # the only page of an idle day, or an empty last page
    cursors = []
    for i in range(len(sizes) - 1):
        body = draw(st.text(_CURSOR_ALPHABET, max_size=10))
        special = draw(st.sampled_from(("+", "/", "=", "==", "+/=", "/+")))
        # The index keeps the cursors of a day distinct (a repeated cursor is a paging loop).
        cursors.append(f"{body}{special}{i}" if draw(st.booleans()) else f"{special}{i}{body}")
    envelope_extras = draw(
        st.dictionaries(st.sampled_from(("x_request_id", "x_served_by")), _text, max_size=1)
    )
    return PagePlan(
        sizes=tuple(sizes),
        cursors=tuple(cursors),
        extras=envelope_extras,
        last_next_page_absent=draw(st.booleans()),
    )


@st.composite
def scenarios(
    draw: st.DrawFn, *, min_days: int = 2, max_days: int = 8, restatements: bool = True
) -> Scenario:
    """A workspace over a few consecutive UTC days, its server's paging, and its revisions."""
    first = draw(st.dates(date(2025, 12, 20), date(2026, 12, 31)))
    # Mostly short ranges (each day costs four partition writes), sometimes past a week.
    lengths = [n for n in (2, 2, 3, 3, 4, 5, 6, 8) if min_days <= n <= max_days] or [min_days]
    days = [first + timedelta(days=i) for i in range(draw(st.sampled_from(lengths)))]
    users = draw(users_strategy)
    units = draw(billing_units(days))
    by_day = {day: draw(day_rows(day, users, units[day])) for day in days}
    dataset = Dataset(
        days, {endpoint: {day: by_day[day][endpoint] for day in days} for endpoint in ENDPOINTS}
    )
    limit = draw(st.sampled_from((1, 2, 3, 5, 1000, 30000)))

    def plans_for(data: dict[date, dict[str, list[dict]]]) -> dict[tuple[str, date], PagePlan]:
        return {
            (endpoint, day): draw(page_plan(len(rows[endpoint]), limit))
            for day, rows in data.items()
            for endpoint in ENDPOINTS
        }

    plans = plans_for(by_day)
    revisions: dict[date, dict[str, list[dict]]] = {}
    if restatements and draw(st.booleans()):
        for day in draw(st.lists(st.sampled_from(days), min_size=1, max_size=2, unique=True)):
            revisions[day] = draw(day_rows(day, users, units[day]))
    # One build of the whole range, or two or three chunks in any order.
    chunked = draw(st.booleans())
    cuts = (
        sorted(draw(st.sets(st.integers(1, len(days) - 1), min_size=1, max_size=2)))
        if chunked
        else []
    )
    bounds = [0, *cuts, len(days)]
    ranges = [(days[a], days[b - 1]) for a, b in pairwise(bounds)]
    return Scenario(
        build_ranges=list(draw(st.permutations(ranges))),
        dataset=dataset,
        limit=limit,
        plans=plans,
        revisions=revisions,
        revision_plans=plans_for(revisions),
        usd_per_credit=draw(st.one_of(st.none(), st.sampled_from((0.04, 0.035, 1.0)))),
        max_concurrency=draw(st.integers(1, 4)),
    )
