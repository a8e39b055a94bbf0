"""The daily 12:30 UTC run as history grows: the same run over 90 and over 365 days of history.

The API serves 90 days, so a longer history cannot be backfilled over HTTP; the simulator
serves it to the benchmark directly instead (`Simulator.day_rows`, the rows its API would
serve for any day) and the benchmark lands them with the pipeline's own `write_partition`,
then builds every mart over that history with the code the mart assets call (the marts'
rebuild, timed). Then,
against the simulator over HTTP, the run the schedule makes at 12:30 UTC: every asset
(compliance aside: no compliance key, as `default_selection` does) over [D-2, D], re-loading
the two restated days and landing the new one, with every check. That run is what is compared.

Each step runs in a fresh process against a Dagster instance on disk.

    uv run python benchmarks/daily.py --users 10000 --history 90 --history 365
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from harness import SEED, peak_rss_mib, run_child, serving  # noqa: E402

START_DATE = "2025-06-01"
"""Early enough for 365 days of history: the partition set starts here in the benchmark."""


def _context():
    import dagster as dg

    from codex_assets.backfill import Window, default_selection
    from codex_assets.defs.analytics.window import latest_complete_day
    from codex_assets.defs.resources.source import CodexSourceResource
    from codex_assets.lib.settings import environment
    from codex_assets.lib.utc import utc_now

    env = environment()
    codex = CodexSourceResource.from_environment(env)
    instance = dg.DagsterInstance.local_temp(env["BENCH_INSTANCE_DIR"])
    return codex, instance, latest_complete_day(utc_now()), Window, default_selection


def seed_child(history: int, users: int) -> None:
    """Land `history` days ending yesterday-but-one from the simulator, then build the marts."""
    import duckdb

    from codex_assets.defs.analytics.landing import write_partition
    from codex_assets.defs.analytics.marts.refresh import MartSettings, refresh_mart, refresh_marts
    from codex_assets.defs.analytics.restatements import create_view as create_restatements_view
    from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
    from codex_assets.defs.analytics.views import create_raw_views
    from codex_assets.defs.reconciliation.usage_reconciliation_daily import SPEC as RECONCILIATION
    from codex_assets.simulator.app import Simulator
    from codex_assets.simulator.config import SimulatorConfig

    codex, _, latest, Window, _ = _context()
    sim = Simulator(SimulatorConfig(seed=SEED, users=users))
    lake = codex.lake()
    lake.check_source(codex.fingerprint())
    window = Window(latest - timedelta(days=history), latest - timedelta(days=1))
    started = time.perf_counter()
    for day in window.days:
        for table in ANALYTICS_RAW_TABLES:
            rows = sim.day_rows(table.endpoint, day)
            write_partition(lake, table.name, day, rows, metadata={"complete": "true"})
    settings = codex.settings()
    with duckdb.connect(str(settings.duckdb_path)) as conn:
        for table in ANALYTICS_RAW_TABLES:  # what the raw assets do after landing
            create_raw_views(conn, lake, table)
        create_restatements_view(conn, lake.root)
        seeded = time.perf_counter() - started
        # The marts over the whole history, by the code their assets call (a Dagster run over
        # 365 partitions spends minutes recording a materialization per partition and mart).
        started = time.perf_counter()
        marts = MartSettings.from_settings(settings)
        refresh_marts(conn, window.start, window.end, marts)
        refresh_mart(conn, RECONCILIATION, window.start, window.end, marts)
        rebuild = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seed_s": seeded,
                "rebuild_s": rebuild,
                "days": len(window.days),
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    )


def daily_child() -> None:
    """The 12:30 UTC run: every asset and check over [D-2, D], over HTTP."""
    from codex_assets.backfill import run_window

    codex, instance, latest, Window, default_selection = _context()
    selection, _ = default_selection(codex.settings())
    window = Window(latest - timedelta(days=2), latest)
    started = time.perf_counter()
    result = run_window(window, instance=instance, selection=selection)
    wall = time.perf_counter() - started
    failed = [e.step_key for e in result.all_events if e.is_step_failure]
    print(
        json.dumps(
            {
                "wall_s": wall,
                "ok": result.success,
                "failed_steps": failed,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    )


def measure_daily(users: int, histories: list[int]) -> list[dict]:
    """For each history length: seed and build (untimed for the ratio), then the daily run."""
    results = []
    with serving(users) as server:
        for history in histories:
            with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryDirectory() as home:
                env = server.env(data_dir, CODEX_START_DATE=START_DATE, BENCH_INSTANCE_DIR=home)
                seed = run_child([__file__, "--seed", str(history), "--users", str(users)], env)
                daily = run_child([__file__, "--daily"], env)
            results.append({"users": users, "history_days": history, **seed, "daily": daily})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--daily", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--history", type=int, action="append")
    args = parser.parse_args()
    if args.seed:
        seed_child(args.seed, args.users)
    elif args.daily:
        daily_child()
    else:
        print(json.dumps(measure_daily(args.users, args.history or [90, 365]), indent=2))


if __name__ == "__main__":
    main()
