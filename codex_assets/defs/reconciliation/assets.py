"""The cross-source marts as assets, built like the analytics marts (`build_mart_asset`)."""

from codex_assets.defs.analytics.marts.assets import build_mart_asset
from codex_assets.defs.reconciliation.marts import MARTS

reconciliation_mart_assets = [build_mart_asset(spec) for spec in MARTS.values()]
