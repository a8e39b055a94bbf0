"""`MARTS`: the cross-source marts, which compare what the Analytics and Compliance APIs say.

Built by the analytics refresh (`codex_assets.defs.analytics.marts.refresh_mart`), whose SQL
helpers they use; each spec is in the module beside its SQL.
"""

from __future__ import annotations

from codex_assets.defs.reconciliation import usage_reconciliation_daily
from codex_assets.lib.tables import TableSpec

MARTS: dict[str, TableSpec] = {
    module.SPEC.name: module.SPEC for module in (usage_reconciliation_daily,)
}
