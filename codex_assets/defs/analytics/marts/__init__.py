"""The analytics marts as plain library code: table specs, SQL, and the refresh that runs it.

The Dagster assets are thin wrappers: each calls `refresh_mart` with its partition range and
attaches metadata built from `MARTS[name]`. See docs/marts.md.
"""

from codex_assets.defs.analytics.marts.definitions import DEFINITIONS
from codex_assets.defs.analytics.marts.refresh import (
    MartSchemaError,
    MartSettings,
    ensure_schema,
    last_loaded_day,
    refresh_mart,
    refresh_marts,
)
from codex_assets.defs.analytics.marts.specs import (
    MARTS,
    STATE_TABLES,
    Column,
    MartSpec,
    StateTable,
)

__all__ = [
    "DEFINITIONS",
    "MARTS",
    "STATE_TABLES",
    "Column",
    "MartSchemaError",
    "MartSettings",
    "MartSpec",
    "StateTable",
    "ensure_schema",
    "last_loaded_day",
    "refresh_mart",
    "refresh_marts",
]
