"""docs/checks.md's reference tables and the README's check table, generated from the specs.

Every check is described once, by its `CheckSpec` in its slice; this module (in the one slice
that sees every source) gathers them and writes the tables between the documents' markers. A
test fails when a document falls behind. Regenerate with
`python -m codex_assets.docgen.checks`.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

from codex_assets.defs.analytics.checks.specs import ANALYTICS_SPECS
from codex_assets.defs.compliance.checks.specs import COMPLIANCE_LOG, COMPLIANCE_SPECS
from codex_assets.defs.reconciliation.checks.specs import RECONCILIATION_SPECS
from codex_assets.lib.checks.docs import contract_table, family_table, readme_table, splice_all
from codex_assets.lib.checks.specs import (
    COMPLETENESS,
    FRESHNESS,
    PAGING_COMPLETE,
    RECONCILIATION,
    VALIDITY,
)

ALL_SPECS = (PAGING_COMPLETE, *ANALYTICS_SPECS, *COMPLIANCE_SPECS, *RECONCILIATION_SPECS)
"""Every check of every source (a name on two sources with two rules is two specs)."""
SECTIONS = (FRESHNESS, COMPLETENESS, VALIDITY, RECONCILIATION, COMPLIANCE_LOG)
"""docs/checks.md's sections, in order: a spec's `family`."""

COMMAND = "python -m codex_assets.docgen.checks"
ROOT = Path(__file__).resolve().parents[2]
CHECKS_DOC = ROOT / "docs" / "checks.md"
README = ROOT / "README.md"


def blocks(document: Path) -> dict:
    """The generated blocks of `document`, by name, each with what renders it."""
    if document == README:
        return {"checks": partial(readme_table, ALL_SPECS, SECTIONS)}
    tables = {
        f"checks:{family.lower().replace(' ', '-')}": partial(family_table, ALL_SPECS, family)
        for family in SECTIONS
    }
    return {**tables, "checks:contract": partial(contract_table, ALL_SPECS, SECTIONS)}


def render(document: Path) -> str:
    """`document` as it should read, its generated blocks current."""
    return splice_all(document.read_text(), blocks(document), COMMAND)


def main(documents: tuple[Path, ...] = (CHECKS_DOC, README)) -> int:
    for document in documents:
        updated = render(document)
        if updated != document.read_text():
            document.write_text(updated)
            print(f"updated {document}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
