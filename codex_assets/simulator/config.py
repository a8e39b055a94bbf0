"""What a simulator is: its seed, size, keys, clock and the faults it injects.

Everything that changes the simulator's output is in `SimulatorConfig`, so two simulators built
from equal configs serve identical bytes. Faults are plain data (`FaultRule`) that a CLI string
can describe (`parse_fault`), because tests, the embedded source and `simulator serve` all need
to switch them on the same way.

Profiles: `profile="rich"` (the default, what the demo runs) serves the dense shape the simulator
always served; `profile="contract"` serves every awkward but legal shape of the contract
(reference/codex-api.md, "2026-12 additions"): idle days with no rows, short pages, cursors with
`+`, `/` and `=`, empty breakdowns, nulls, unknown ids and fields, restatements, files sharing
an end_time. A profile only presets the shape knobs (`PROFILES`); any knob passed explicitly
wins over the preset, so `SimulatorConfig(profile="contract", max_page_rows=1)` is the contract
shape with one row a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

FAULT_KINDS: tuple[str, ...] = (
    "rate_limit",
    "server_error",
    "slow",
    "drop",
    "truncate",
    "malformed",
    "extra_fields",
    "bad_checksum",
    "expired",
)
"""Every fault a `FaultRule` can inject (see `FaultRule`)."""

ANALYTICS_ENDPOINTS: tuple[str, ...] = ("usage", "code_reviews", "code_review_responses")
"""Route names of the Analytics API; a `FaultRule.endpoints` entry names one of these (or a
route another module registers, such as `compliance_logs`)."""


@dataclass(frozen=True)
class FaultRule:
    """One way the simulator misbehaves, and on which requests.

    kind: `rate_limit` (429 + Retry-After), `server_error` (503), `slow` (sleep `delay_ms`, then
      answer), `drop` (close the connection without a response), `truncate` (send about half
      the body), `malformed` (200 with an HTML body), `extra_fields` (unknown fields and an
      unknown client in the rows), `bad_checksum` (a 200 whose body has one byte flipped, so
      its size is right and its sha256 is not: a corrupted compliance download), `expired`
      (404 "not found or expired", as for a compliance log file past retention or a signed
      URL past its expiry).
    first: the first N matching requests misbehave (a transient fault).
    every: every Nth matching request misbehaves (requests N, 2N, ...).
      With both 0 every matching request misbehaves (a persistent fault).
    endpoints: route names the rule applies to (`usage`, `code_reviews`,
      `code_review_responses`, ...); empty means every route.
    """

    kind: str
    every: int = 0
    first: int = 0
    endpoints: tuple[str, ...] = ()
    retry_after_s: float = 1.0
    delay_ms: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}"
            )
        if self.every < 0 or self.first < 0:
            raise ValueError("fault 'every' and 'first' must be 0 or above")
        if self.retry_after_s < 0 or self.delay_ms < 0:
            raise ValueError("fault 'retry_after_s' and 'delay_ms' must be 0 or above")
        if isinstance(self.endpoints, str):  # a common slip: endpoints="usage"
            object.__setattr__(self, "endpoints", (self.endpoints,))

    def applies_to(self, endpoint: str) -> bool:
        return not self.endpoints or endpoint in self.endpoints

    def fires_on(self, count: int) -> bool:
        """Whether the `count`-th matching request (1-based) misbehaves."""
        if self.first == 0 and self.every == 0:
            return True
        return count <= self.first or (self.every > 0 and count % self.every == 0)


class _Preset:
    """The default of a shape knob: take the value from the profile's preset (`PROFILES`)."""

    _instance: _Preset | None = None

    def __new__(cls) -> _Preset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "PRESET"

    def __reduce__(self) -> str:
        return "PRESET"


PRESET: Any = _Preset()
"""A shape knob left at PRESET takes its profile's value (resolved in `__post_init__`)."""

PROFILE_NAMES: tuple[str, ...] = ("rich", "contract")
BILLING_UNITS: tuple[str, ...] = ("credits", "usd")
CURSOR_STYLES: tuple[str, ...] = ("urlsafe", "standard")

PROFILES: dict[str, dict[str, Any]] = {
    # The shape the simulator always served (the demo's): every value here is what the code
    # did before profiles existed, so a rich config serves the same bytes as before.
    "rich": {
        "idle_weekends": False,
        "idle_day_fraction": 0.0,
        "omit_empty_rows": False,
        "review_day_fraction": 1.0,
        "response_day_fraction": 1.0,
        "unprioritized_comment_fraction": 0.0,
        "null_email_fraction": 0.07,
        "null_tokens_fraction": 0.04,
        "null_cost_fraction": 0.03,
        "empty_clients_fraction": 0.0,
        "null_models_fraction": 0.0,
        "unknown_client_fraction": 0.0,
        "unknown_model_fraction": 0.0,
        "extra_fields_fraction": 0.0,
        "restated_day_fraction": 0.0,
        "restatement_delay_days": 1,
        "max_page_rows": None,
        "empty_last_page_fraction": 0.0,
        "cursor_style": "urlsafe",
        "max_page_files": None,
        "shared_end_time_fraction": 0.0,
        "midnight_file": False,
        "agent_attribution_fraction": 0.0,
    },
    # Every awkward but legal shape, each often enough that a few days of a small workspace
    # show all of them (reference/codex-api.md, "2026-12 additions").
    "contract": {
        "idle_weekends": True,
        "idle_day_fraction": 0.1,
        "omit_empty_rows": True,
        "review_day_fraction": 0.7,
        "response_day_fraction": 0.6,
        "unprioritized_comment_fraction": 0.3,
        "null_email_fraction": 0.25,
        "null_tokens_fraction": 0.2,
        "null_cost_fraction": 0.2,
        "empty_clients_fraction": 0.05,
        "null_models_fraction": 0.1,
        "unknown_client_fraction": 0.05,
        "unknown_model_fraction": 0.05,
        "extra_fields_fraction": 0.1,
        "restated_day_fraction": 0.3,
        "restatement_delay_days": 1,
        "max_page_rows": 25,
        "empty_last_page_fraction": 0.5,
        "cursor_style": "standard",
        "max_page_files": 3,
        "shared_end_time_fraction": 0.2,
        "midnight_file": True,
        "agent_attribution_fraction": 0.2,
    },
}
"""Each profile's value for every shape knob (see `SimulatorConfig` for what each means)."""

SHAPE_KNOBS: tuple[str, ...] = tuple(PROFILES["rich"])

COMPLIANCE_BYTES_KNOBS: tuple[str, ...] = (
    "idle_weekends",
    "idle_day_fraction",
    "null_email_fraction",
    "shared_end_time_fraction",
    "midnight_file",
    "agent_attribution_fraction",
)
"""The shape knobs that change compliance file bytes (and so the file cache key and ids)."""

_FRACTION_KNOBS = tuple(name for name in SHAPE_KNOBS if name.endswith("_fraction"))


@dataclass(frozen=True)
class SimulatorConfig:
    """The simulated workspace and how the simulator behaves.

    workspace_id: None derives a UUID from the seed, so a seed names one workspace everywhere
      (the embedded source and `simulator serve` agree without passing the id around).
    now: a UTC clock; None means real time. Tests pin it to exercise the 12-hour lag and the
      90-day lookback at fixed instants.
    organization_id: the API Platform org (`org-...`) the compliance org route answers for;
      None derives one from the seed.
    compliance_events_per_day: about how many CODEX_LOG events a day should hold; None is the
      natural rate (prompts and responses follow the users' turns, about 1.5 tool calls per
      turn). A target adds tool calls per turn until the day reaches it (benchmarks ask for
      1,000,000); prompts and responses always match the analytics turns.
    compliance_cache_dir: where generated compliance files are cached (None: the system temp
      dir); files are keyed by everything that changes their bytes, so caches never go stale.
    compliance_file_max_bytes: the documented 15 MB cap; a 10-minute window with more is split
      into several files (tests lower it to exercise splitting).
    billing_unit: `credits` (the default) or `usd`. A USD-billed workspace reports
      `cost_usd` where a credit-billed one reports `credits`, in `totals` and in every
      `clients[]` / `models[]` entry, and never both (the `credits` key is absent);
      `estimated_cost_usd` stays as it is (codex-api.md, "2026-12 additions", Billing unit).
    serve_max_event_time: serve the compliance freshness route
      `GET /compliance/{workspaces|organizations}/{id}/max_event_time`; False answers 404 there,
      as an API older than v2.5.12 does.

    profile: `rich` (default) or `contract`; presets every shape knob below (`PROFILES`).
    Shape knobs (PRESET = the profile's value; pass a value to override one knob):

    Sparse days (analytics):
    idle_weekends: Saturdays and Sundays (UTC) are idle for the whole workspace.
    idle_day_fraction: about this share of the other days is idle too, chosen per day from
      hash(seed, day). An idle day has no activity at all: every analytics endpoint answers
      `{"data": [], "has_more": false}` for it, and its compliance logs hold no usage events.
    omit_empty_rows: the `group=workspace`, `code_reviews` and `code_review_responses` feeds
      serve no row (rather than a zero row) on a day without activity, reviews or responses
      (per-user rows always omit inactive users, on every profile).
    review_day_fraction: share of days that have Code Review activity at all (from
      hash(seed, day)); 1.0 = every day, with its drawn counts.
    response_day_fraction: the same for responses to review comments, drawn independently.
    unprioritized_comment_fraction: share of review days where some comments carry no
      priority, so `p0 + p1 + p2 < comments` (the contract does not promise equality).
    Row quirks (analytics; each on a deterministic share of rows):
    null_email_fraction: users whose `actor.email` is null (the contract: "when allowed").
    null_tokens_fraction: user-days whose four token fields are null (null = unavailable).
    null_cost_fraction: user-days whose `estimated_cost_usd` is null.
    empty_clients_fraction: user rows with `clients: []` while `totals` are above zero
      (openai/codex#13295); the workspace row's breakdown loses the same usage.
    null_models_fraction: user rows with `models: null`.
    unknown_client_fraction: user rows whose first client has an id outside the 43 documented
      values (a client must parse enums leniently).
    unknown_model_fraction: user rows whose first model is a name the client has not seen.
    extra_fields_fraction: rows (usage, workspace and review rows) with fields the contract
      does not document, at the top level and in `totals`.
    restated_day_fraction: share of days restated without anyone calling `restate`: such a
      day is served at revision 1 from `restatement_delay_days` days after it was first
      published (D+1 12:00 UTC); an explicit `Simulator.restate` always wins.
    restatement_delay_days: see `restated_day_fraction` (1 = from D+2 12:00 UTC).
    Paging:
    max_page_rows: an analytics page holds at most this many rows whatever `limit` is, with
      `has_more` true while rows remain (1 = one row a page); None = `limit` rows.
    empty_last_page_fraction: share of queries (from the query's parameters) whose last rows
      come with `has_more` true, followed by a page with `data: []` and `has_more` false
      (analytics; on the compliance list, an empty page with `last_end_time` null).
    cursor_style: `urlsafe` (unpadded URL-safe base64) or `standard` (standard base64 with
      padding: every cursor contains `+`, `/` and `=`, so it survives only if the client
      URL-encodes it).
    max_page_files: a compliance list page holds at most this many files whatever `limit`
      is, with `has_more` true while files remain (1 = one file a page); files sharing an
      end_time are never split across pages (see `compliance.py`); None = `limit` files.
    shared_end_time_fraction: share of 10-minute windows whose events come as 2 or 3 files
      that all have the same `end_time` (the window's end).
    midnight_file: every active day's last window (23:50-00:00 UTC) has a CODEX_LOG file,
      whose `end_time` is exactly midnight UTC; it is always split into files sharing it.
    agent_attribution_fraction: share of CODEX_LOG events that carry the optional
      `agent: {type, id?, name?}` attribution (v2.5.37).
    """

    seed: int = 7
    users: int = 200
    workspace_id: str | None = None
    analytics_key: str = "sim-analytics-key"
    compliance_key: str = "sim-compliance-key"
    faults: tuple[FaultRule, ...] = ()
    now: Callable[[], datetime] | None = None
    organization_id: str | None = None
    compliance_events_per_day: int | None = None
    compliance_cache_dir: str | None = None
    compliance_file_max_bytes: int = 15_000_000
    billing_unit: str = "credits"
    serve_max_event_time: bool = True
    profile: str = "rich"
    idle_weekends: bool = PRESET
    idle_day_fraction: float = PRESET
    omit_empty_rows: bool = PRESET
    review_day_fraction: float = PRESET
    response_day_fraction: float = PRESET
    unprioritized_comment_fraction: float = PRESET
    null_email_fraction: float = PRESET
    null_tokens_fraction: float = PRESET
    null_cost_fraction: float = PRESET
    empty_clients_fraction: float = PRESET
    null_models_fraction: float = PRESET
    unknown_client_fraction: float = PRESET
    unknown_model_fraction: float = PRESET
    extra_fields_fraction: float = PRESET
    restated_day_fraction: float = PRESET
    restatement_delay_days: int = PRESET
    max_page_rows: int | None = PRESET
    empty_last_page_fraction: float = PRESET
    cursor_style: str = PRESET
    max_page_files: int | None = PRESET
    shared_end_time_fraction: float = PRESET
    midnight_file: bool = PRESET
    agent_attribution_fraction: float = PRESET

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(
                f"unknown simulator profile {self.profile!r}; expected one of "
                f"{', '.join(PROFILE_NAMES)}"
            )
        for name, value in PROFILES[self.profile].items():
            if getattr(self, name) is PRESET:
                object.__setattr__(self, name, value)
        self._check_shape()
        if self.users < 0:
            raise ValueError("users must be 0 or above")
        if self.compliance_events_per_day is not None and self.compliance_events_per_day < 0:
            raise ValueError("compliance_events_per_day must be 0 or above (or None)")
        if self.compliance_file_max_bytes < 4096:
            raise ValueError("compliance_file_max_bytes must be at least 4096")
        if self.organization_id is not None and not self.organization_id.startswith("org-"):
            raise ValueError("organization_id must look like org-...")
        if self.analytics_key == self.compliance_key:
            raise ValueError("the analytics and compliance keys must differ (scopes are per key)")
        object.__setattr__(self, "faults", tuple(self.faults))

    def _check_shape(self) -> None:
        for name in _FRACTION_KNOBS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a number from 0 to 1, got {value!r}")
        for name in ("max_page_rows", "max_page_files"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"{name} must be 1 or above (or None for no cap), got {value!r}")
        delay = self.restatement_delay_days
        if isinstance(delay, bool) or not isinstance(delay, int) or delay < 0:
            raise ValueError(f"restatement_delay_days must be 0 or above, got {delay!r}")
        if self.billing_unit not in BILLING_UNITS:
            raise ValueError(
                f"unknown billing_unit {self.billing_unit!r}; expected one of "
                f"{', '.join(BILLING_UNITS)}"
            )
        if self.cursor_style not in CURSOR_STYLES:
            raise ValueError(
                f"unknown cursor_style {self.cursor_style!r}; expected one of "
                f"{', '.join(CURSOR_STYLES)}"
            )

    def shape(self) -> dict[str, Any]:
        """Every shape knob's resolved value."""
        return {name: getattr(self, name) for name in SHAPE_KNOBS}

    def compliance_shape_key(self) -> tuple[tuple[str, Any], ...]:
        """The knobs that change compliance bytes, where they differ from the rich shape
        (empty for a rich config, so its cache key and file ids are what they always were)."""
        rich = PROFILES["rich"]
        return tuple(
            (name, getattr(self, name))
            for name in COMPLIANCE_BYTES_KNOBS
            if getattr(self, name) != rich[name]
        )


_INT_FIELDS = {"every", "first", "delay_ms"}
_FLOAT_FIELDS = {"retry_after_s"}
_RULE_FIELDS = {f.name for f in fields(FaultRule)} - {"kind"}


def parse_fault(spec: str) -> FaultRule:
    """Parse `kind[:key=value,...]`, e.g. `rate_limit:every=5,retry_after_s=1`.

    `endpoints` takes one or more route names separated by `|` or `+`
    (`drop:first=2,endpoints=usage|code_reviews`). Raises ValueError naming what is wrong.
    """
    text = spec.strip()
    if not text:
        raise ValueError("empty fault spec; expected kind[:key=value,...], e.g. drop:first=2")
    kind, _, rest = text.partition(":")
    kind = kind.strip()
    if kind not in FAULT_KINDS:
        raise ValueError(
            f"bad fault spec {spec!r}: unknown kind {kind!r}; expected one of "
            f"{', '.join(FAULT_KINDS)}"
        )
    values: dict[str, object] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, raw = item.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not raw:
            raise ValueError(f"bad fault spec {spec!r}: {item!r} is not key=value")
        if key not in _RULE_FIELDS:
            raise ValueError(
                f"bad fault spec {spec!r}: unknown option {key!r}; expected one of "
                f"{', '.join(sorted(_RULE_FIELDS))}"
            )
        try:
            if key in _INT_FIELDS:
                values[key] = int(raw)
            elif key in _FLOAT_FIELDS:
                values[key] = float(raw)
            else:
                names = tuple(n.strip() for n in raw.replace("+", "|").split("|") if n.strip())
                values[key] = names
        except ValueError:
            raise ValueError(
                f"bad fault spec {spec!r}: {key} must be a number, got {raw!r}"
            ) from None
    try:
        return FaultRule(kind=kind, **values)  # type: ignore[arg-type]
    except ValueError as error:
        raise ValueError(f"bad fault spec {spec!r}: {error}") from None
