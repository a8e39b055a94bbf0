"""Test suite (a package so helpers import as `tests.support...`).

Imported before any test module, so before `codex_assets`: the partition starts are pinned
here to what a fresh install gets today (CODEX_START_DATE, the analytics start; the
compliance start follows, defs/partitions.py), so the suite's partition sets depend neither
on `./data/partitions.json` nor on a `.env` of the checkout, and every process the tests start
(the webserver, the daemon, the CLI) inherits the same sets.
"""

import os
from datetime import UTC, datetime, timedelta

ANALYTICS_LOOKBACK_DAYS = 90  # (codex-api.md "Analytics API": the last 90 days are served)
os.environ["CODEX_START_DATE"] = (
    datetime.now(UTC).date() - timedelta(days=ANALYTICS_LOOKBACK_DAYS)
).isoformat()
