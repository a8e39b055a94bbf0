"""Benchmark: the cost of `column_schema_unchanged`'s record fields comparison.

Lands the raw analytics tables for the last `--days` days (and the compliance log for the
last `--compliance-days`) from the embedded simulator with `--users` users, as one Dagster run
without checks, unless `--data-dir` already holds them; then times
`codex_assets.lib.checks.record_fields.unread_fields` (what the check adds: one DuckDB query
over the days' partition files) for each table over every landed day: wall and process CPU time
(DuckDB's threads included), best of `--repeat`. On a shared machine the CPU time is the
steadier figure. Then the five `column_schema_unchanged` checks alone, as one Dagster run over
every landed day (what a 90-day single-run backfill evaluates), timed whole.

    uv run python benchmarks/record_fields.py                     # 10,000 users, 90 days
    uv run python benchmarks/record_fields.py --users 1000 --days 30 --compliance-days 1
    uv run python benchmarks/record_fields.py --data-dir /tmp/lake-10k   # reuse a lake

Results are printed as a markdown table and written to benchmarks/results/record_fields.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent


def build(days: int, compliance_days: int) -> dict[str, float]:
    """Land the raw tables for the window from the embedded simulator; seconds per part."""
    import dagster as dg

    from codex_assets.backfill import Window, last_days_window, run_window
    from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
    from codex_assets.defs.compliance.client import latest_complete_day
    from codex_assets.defs.resources import CodexResource
    from codex_assets.lib.settings import environment

    spent: dict[str, float] = {}
    parts = [
        (
            "analytics",
            last_days_window(days, CodexResource.from_environment(environment()).settings()),
            [dg.AssetKey(["raw", table.name]) for table in ANALYTICS_RAW_TABLES],
        )
    ]
    if compliance_days:
        end = latest_complete_day(datetime.now(UTC))
        parts.append(
            (
                "compliance",
                Window(end - timedelta(days=compliance_days - 1), end),
                [dg.AssetKey(["raw", "compliance_codex_log"])],
            )
        )
    for name, window, keys in parts:
        started = time.perf_counter()
        result = run_window(
            window,
            instance=dg.DagsterInstance.ephemeral(),
            selection=dg.AssetSelection.assets(*keys).without_checks(),
        )
        if not result.success:
            raise SystemExit(f"landing the {name} tables failed")
        spent[name] = time.perf_counter() - started
    return spent


def measure(lake_root: Path, repeat: int) -> list[dict]:
    import duckdb

    from codex_assets.defs.analytics.checks.tables import ANALYTICS_CHECKED_TABLES
    from codex_assets.defs.compliance.checks.tables import COMPLIANCE_CODEX_LOG
    from codex_assets.lib.checks.record_fields import known_fields, unread_fields
    from codex_assets.lib.lake import Lake

    lake = Lake(lake_root)
    results = []
    for table in [*ANALYTICS_CHECKED_TABLES.values(), COMPLIANCE_CODEX_LOG]:
        days = lake.landed_days(table.name)
        if not days:
            continue
        known_fields(table.typed_from)  # parsed once per process; not what a run repeats
        files = [str(lake.partition_file(table.name, day)) for day in days]
        with duckdb.connect() as conn:
            (rows,) = conn.execute("SELECT count(*) FROM read_parquet($f)", {"f": files}).fetchone()
        timings, cpu = [], []
        for _ in range(repeat):
            started, used = time.perf_counter(), time.process_time()
            drift = unread_fields(lake, table.name, table.typed_from, days)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
        results.append(
            {
                "table": table.name,
                "days": len(days),
                "rows": rows,
                "lake_mib": sum(os.path.getsize(f) for f in files) / 2**20,
                "best_s": min(timings),
                "all_s": timings,
                "best_cpu_s": min(cpu),
                "fields_not_read": [field.path for field in drift.fields],
            }
        )
    return results


def through_dagster(lake_root: Path) -> dict:
    """The `column_schema_unchanged` checks alone, as one Dagster run over every landed day
    (what a 90-day single-run backfill evaluates): wall time of the whole run."""
    import dagster as dg

    from codex_assets.backfill import Window, run_window
    from codex_assets.defs.analytics.checks.specs import COLUMN_SCHEMA_UNCHANGED
    from codex_assets.defs.analytics.checks.tables import ANALYTICS_CHECKED_TABLES
    from codex_assets.defs.compliance.checks.tables import COMPLIANCE_CODEX_LOG
    from codex_assets.lib.lake import Lake

    lake = Lake(lake_root)
    names = [*ANALYTICS_CHECKED_TABLES, COMPLIANCE_CODEX_LOG.name]
    days = sorted({day for name in names for day in lake.landed_days(name)})
    checks = [
        dg.AssetCheckKey(dg.AssetKey(["raw", name]), COLUMN_SCHEMA_UNCHANGED.name) for name in names
    ]
    started = time.perf_counter()
    result = run_window(
        Window(days[0], days[-1]),
        instance=dg.DagsterInstance.ephemeral(),
        selection=dg.AssetSelection.checks(*checks),
    )
    wall = time.perf_counter() - started
    evaluations = result.get_asset_check_evaluations()
    return {
        "window_days": len(days),
        "checks": len(evaluations),
        "passed": sum(e.passed for e in evaluations),
        "run_wall_s": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--compliance-days", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, help="reuse (or build into) this data dir")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="record-fields-")) / "data"
    os.environ.update(
        {
            "CODEX_SOURCE": "simulator",
            "CODEX_DATA_DIR": str(data_dir),
            "CODEX_SIMULATOR_USERS": str(args.users),
            "CODEX_COMPLIANCE_DOWNLOADS_PER_MINUTE": "1000000",
            "CODEX_API_REQUESTS_PER_MINUTE": "1000000",
        }
    )
    os.environ.pop("CODEX_SIMULATOR_FAULTS", None)
    built = {}
    if not (data_dir / "lake" / "usage_users").exists():
        built = build(args.days, args.compliance_days)
    results = measure(data_dir / "lake", args.repeat)
    run = through_dagster(data_dir / "lake")
    print(
        f"\n{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{args.users:,} users; lake {data_dir / 'lake'}\n"
    )
    print(
        f"| table | days | rows | lake MiB | wall s (best of {args.repeat}) | CPU s | "
        "fields not read |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['table']} | {r['days']} | {r['rows']:,} | {r['lake_mib']:.0f} | "
            f"{r['best_s']:.2f} | {r['best_cpu_s']:.2f} | "
            f"{', '.join(r['fields_not_read']) or 'none'} |"
        )
    print(
        f"\nThe {run['checks']} column_schema_unchanged checks as one Dagster run over "
        f"{run['window_days']} days: {run['run_wall_s']:.1f} s ({run['passed']} passed)."
    )
    out = HERE / "results" / "record_fields.json"
    summary = {"users": args.users, "landing_s": built, "results": results, "dagster_run": run}
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
