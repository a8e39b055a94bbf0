"""What Dagster loads: every module below is collected by `load_from_defs_folder`.

Every daily asset passes `backfill_policy=dg.BackfillPolicy.single_run()` on purpose (one run
per range, so one DuckDB writer and one mart refresh), a parameter Dagster 1.13 labels Beta and
announces with a `BetaWarning` in every process that loads the assets (the CLI, the code
server, each run). That one notice is silenced here, before any asset is defined, so `make ui`
and `codex-assets demo` print only what is news; every other warning still shows.
"""

import warnings

import dagster as dg

warnings.filterwarnings(
    "ignore", message=r"Parameter `backfill_policy` of function `asset`", category=dg.BetaWarning
)
