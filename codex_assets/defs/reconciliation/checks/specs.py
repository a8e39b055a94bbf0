"""The checks that compare the compliance log with the analytics API, each described once
(see `lib/checks/specs.py`). docs/checks.md's tables and the README's are generated from these."""

from __future__ import annotations

from codex_assets.defs.compliance.checks.specs import COMPLIANCE_LOG
from codex_assets.defs.reconciliation.checks.responses import (
    MIN_USER_DAY_VOLUME,
    RESPONSES_PER_TURN_BAND,
)
from codex_assets.lib.checks.specs import CheckSpec

_LOW, _HIGH = RESPONSES_PER_TURN_BAND

RESPONSES_PER_TURN_IN_BAND = CheckSpec(
    name="responses_per_turn_in_band",
    family=COMPLIANCE_LOG,
    on="`raw/compliance_codex_log` (reads `raw/usage_users`)",
    blocking=False,
    rule=(
        "Compliance `PROMPT_RESPONSE_RECEIVED` events per analytics turn within "
        f"{_LOW:g}..{_HIGH:g}, per day and per user-day (matched on email) with at least "
        f"{MIN_USER_DAY_VOLUME} turns or responses."
    ),
    why="the two APIs cover different authentication paths.",
    failure=f"compliance responses per analytics turn outside {_LOW:g}..{_HIGH:g}",
    action=(
        "compare `paging_complete` / `files_cover_day` for those days; a steady ratio is your "
        "workspace's"
    ),
    relies_on="nothing",
    not_promised="that the two APIs see the same traffic (they cover different authentication paths)",
)

RECONCILIATION_SPECS = (RESPONSES_PER_TURN_IN_BAND,)
