"""Each check described once: its name, where it runs, its severity, what it checks, why that
severity, what a failure means and what to do, and what it relies on from the API contract.

The Dagster spec (`asset_check_spec`: the description the UI shows), docs/checks.md's reference
tables and the README's check table are all made from it (`lib/checks/docs.py`), so the four
can no longer drift apart. Each source's specs sit in its slice (`defs/<source>/checks/specs.py`);
only the checks every source gets the same way are here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

from codex_assets.lib.checks.sla import Sla

FRESHNESS = "Freshness"
COMPLETENESS = "Completeness"
VALIDITY = "Validity"
RECONCILIATION = "Reconciliation"
"""The families every source's checks fall in (docs/checks.md has a section each; a source may
add its own, as the compliance log does)."""


@dataclass(frozen=True)
class CheckSpec:
    """One check on one kind of asset (a check name on two sources with two rules is two specs).

    family: the docs section (`FRESHNESS`...; the sections' order is the docs generator's).
    on: which assets carry it, in words (`every raw analytics asset`).
    rule: what it checks, one or two sentences (Markdown).
    why: why this severity (what a blocking check protects, or why a check only warns).
    failure, action: what a failure means, and what to do about it (the README's columns).
    relies_on, not_promised: what the contract promises that the check relies on, and what it
      does not promise and how the check treats it ("C": the contract states it, "I": an
      inference, "ours": the pipeline's own invariant).
    """

    name: str
    family: str
    on: str
    blocking: bool
    rule: str
    why: str
    failure: str
    action: str
    relies_on: str
    not_promised: str

    @property
    def severity(self) -> str:
        """`blocking` (ERROR: stops what is built on the asset in the run) or `warn`."""
        return "blocking" if self.blocking else "warn"

    @property
    def description(self) -> str:
        """What Dagster shows for the check: the rule and why it blocks or warns."""
        return f"{self.rule} {'Blocking' if self.blocking else 'Warns'}: {self.why}"

    def asset_check_spec(
        self, key: dg.AssetKey, *, additional_deps: Sequence[dg.AssetKey] = (), **kwargs
    ) -> dg.AssetCheckSpec:
        """The Dagster spec of this check on `key` (`additional_deps`: assets it also reads)."""
        return dg.AssetCheckSpec(
            self.name,
            asset=key,
            blocking=self.blocking,
            description=self.description,
            additional_deps=list(additional_deps) or None,
            **kwargs,
        )


PAGING_COMPLETE = CheckSpec(
    name="paging_complete",
    family=COMPLETENESS,
    on="every raw asset",
    blocking=True,
    rule=(
        "Every day of the run has a partition whose Parquet footer says `complete=true`, written "
        "only after paging reached `has_more = false`. A whole partition without rows is an idle "
        "day (counted in `idle_days`), not a failure: the API omits inactive days."
    ),
    why="a day that may miss pages would make every mart built on it wrong.",
    failure=(
        "a day's partition is missing or was not written after `has_more = false` (a partition "
        "without rows is an idle day, and passes)"
    ),
    action="reload the days named",
    relies_on=(
        "the envelope's `has_more` / `next_page` (C); the loader writes `complete=true` only "
        "after `has_more = false` (ours)"
    ),
    not_promised=(
        "rows on any day, or pages as long as `limit`: a day without rows is loaded (idle), a "
        "short page is followed"
    ),
)


def coverage_spec(sla: Sla, *, on: str, relies_on: str, not_promised: str) -> CheckSpec:
    """`last_<lookback>_days_loaded` of a source: no day it can still refill is missing."""
    return CheckSpec(
        name=f"last_{sla.lookback_days}_days_loaded",
        family=COMPLETENESS,
        on=on,
        blocking=False,
        rule=(
            f"No day of the last {sla.lookback_days} that is due (day D by {sla.deadline_text}) "
            "is missing from the lake; the description lists the missing days and the "
            "`codex-assets backfill` commands that load them."
        ),
        why="a missing day holds back no mart; it is a gap to fill while the source serves it.",
        failure="a day the API still serves was never loaded",
        action="run the backfill commands the check prints",
        relies_on=relies_on,
        not_promised=not_promised,
    )
