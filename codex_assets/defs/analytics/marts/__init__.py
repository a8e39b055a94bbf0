"""The analytics marts as plain library code: one spec module beside each mart's SQL, the
registry of them, and the refresh that runs them.

Each mart `<name>` is `<name>.py` (its `SPEC`: grain, columns, lineage) beside `<name>.sql`;
`registry.py` lists them in build order (`MARTS`); `columns.py` builds the columns several
share; `definitions.py` words every rule once. The Dagster assets (`assets.py`) are thin
wrappers: each calls `refresh_mart` with its partition range and attaches metadata built
from the spec. See docs/marts.md and docs/adding-a-mart.md.
"""

from codex_assets.defs.analytics.marts.definitions import DEFINITIONS
from codex_assets.defs.analytics.marts.refresh import (
    MartSettings,
    ensure_schema,
    last_loaded_day,
    refresh_mart,
    refresh_marts,
)
from codex_assets.defs.analytics.marts.registry import MARTS, STATE_TABLES

__all__ = [
    "DEFINITIONS",
    "MARTS",
    "STATE_TABLES",
    "MartSettings",
    "ensure_schema",
    "last_loaded_day",
    "refresh_mart",
    "refresh_marts",
]
