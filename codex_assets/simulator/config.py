"""What a simulator is: its seed, size, keys, clock and the faults it injects.

Everything that changes the simulator's output is in `SimulatorConfig`, so two simulators built
from equal configs serve identical bytes. Faults are plain data (`FaultRule`) that a CLI string
can describe (`parse_fault`), because tests, the embedded source and `simulator serve` all need
to switch them on the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

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

    def __post_init__(self) -> None:
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
