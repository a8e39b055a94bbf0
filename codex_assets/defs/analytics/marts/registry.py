"""`MARTS`: every analytics mart, from the spec module beside each one's SQL.

In build order: each mart after the marts it reads (usage_user_daily first, the snapshot
last). `STATE_TABLES` are the bookkeeping tables their refreshes keep, and the ledger every
refresh writes (`codex_assets.lib.refresh.LEDGER`).
"""

from __future__ import annotations

from codex_assets.defs.analytics.marts import (
    adoption_daily,
    review_impact_daily,
    spend_by_model_daily,
    spend_by_surface_daily,
    spend_by_team_monthly,
    usage_user_daily,
    user_activity,
)
from codex_assets.lib.refresh import LEDGER
from codex_assets.lib.tables import TableSpec

MARTS: dict[str, TableSpec] = {
    module.SPEC.name: module.SPEC
    for module in (
        usage_user_daily,
        adoption_daily,
        spend_by_surface_daily,
        spend_by_model_daily,
        spend_by_team_monthly,
        review_impact_daily,
        user_activity,
    )
}
"""Every analytics mart, in an order that builds each after the marts it reads."""

STATE_TABLES: dict[str, TableSpec] = {
    table.name: table
    for table in (usage_user_daily.USER_FIRST_ACTIVE, usage_user_daily.USER_ACTIVE_RUNS, LEDGER)
}
"""Bookkeeping tables in schema `marts`, written by the refresh named in `maintained_by` in
its own transaction, so they never disagree with it. Not assets."""
