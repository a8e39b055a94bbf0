"""The one Definitions: everything under `defs/` is loaded from there.

The asset-level freshness policies (the UI's health view) are applied here, once, over every
loaded asset: see `codex_assets/defs/reconciliation/checks/freshness.py`.
"""

from pathlib import Path

import dagster as dg

from codex_assets.defs.reconciliation.checks.freshness import apply_freshness_policies


@dg.definitions
def defs() -> dg.Definitions:
    return apply_freshness_policies(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    )
