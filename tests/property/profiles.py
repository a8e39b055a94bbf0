"""Hypothesis profiles for the property suite (docs/testing.md), chosen by HYPOTHESIS_PROFILE.

- `default`: 25 examples a test, what `make test` runs;
- `thorough`: 500 examples a test, for a change to a client, the landing or the marts:
  `HYPOTHESIS_PROFILE=thorough uv run pytest tests/property`;
- `repro`: the default's size, derandomized (the same examples on every run and machine);
- `noshrink`: the default's size, a failing example reported as found, without shrinking it
  (shrinking a multi-day workspace can take minutes): while debugging.

A failing example is shrunk and printed, with the `@reproduce_failure` blob and the seed to
re-run it (`--hypothesis-seed=N`). No deadline: a DuckDB write may stall on a busy machine.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_COMMON = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": (HealthCheck.too_slow, HealthCheck.data_too_large),
}
settings.register_profile("default", max_examples=25, **_COMMON)
settings.register_profile("thorough", max_examples=500, **_COMMON)
settings.register_profile("repro", max_examples=25, derandomize=True, **_COMMON)
settings.register_profile(
    "noshrink", max_examples=25, phases=[p for p in Phase if p != Phase.shrink], **_COMMON
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SECONDS_PER_EXAMPLE = 10
"""A generous bound on one example (a few seconds on a busy 2-core machine) plus shrinking."""


def timeout() -> int:
    """pytest-timeout's limit for a property test under the loaded profile: the suite's 600 s
    would stop `thorough` halfway."""
    return max(600, settings().max_examples * SECONDS_PER_EXAMPLE + 300)
