"""Benchmark: the 90-day backfill of the raw analytics assets over real HTTP.

For each workspace size, start `codex-assets simulator serve` on loopback, then run the raw
assets' backfill as one Dagster run in a fresh child process pointed at it (CODEX_SOURCE=api),
and record wall time and the child's peak RSS. Running 30 and 90 days at the largest size shows
whether memory grows with the number of days.

    uv run python benchmarks/backfill_raw.py                  # 1,000 and 10,000 users
    uv run python benchmarks/backfill_raw.py --users 1000 --days 90

Results are printed as a markdown table and written to benchmarks/results/backfill_raw.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the simulator exited before it answered")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the simulator did not answer at {url}")


def child(days: int) -> None:
    """Run the raw assets for the last `days` days as one Dagster run; print wall and RSS."""
    import dagster as dg

    from codex_assets.backfill import last_days_window, run_window
    from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
    from codex_assets.defs.resources import CodexResource
    from codex_assets.lib.settings import environment

    window = last_days_window(days, CodexResource.from_environment(environment()).settings())
    # The analytics raw assets alone (the compliance log has its own benchmark), without the
    # checks: the landing is what is measured.
    raw = [dg.AssetKey(["raw", table.name]) for table in ANALYTICS_RAW_TABLES]
    selection = dg.AssetSelection.assets(*raw).without_checks()
    started = time.perf_counter()
    result = run_window(window, instance=dg.DagsterInstance.ephemeral(), selection=selection)
    wall = time.perf_counter() - started
    if not result.success:
        failures = [e.message for e in result.all_events if e.is_failure]
        raise SystemExit(f"the backfill failed: {failures}")
    # A single-run backfill records one materialization per partition, each with its own
    # day's row count: the run's rows are their sum.
    rows = sum(
        event.materialization.metadata["dagster/row_count"].value
        for event in result.get_asset_materialization_events()
    )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "ok": result.success,
                "wall_s": wall,
                "peak_rss_mib": peak_mib,
                "rows": rows,
                "days": len(window.days),
            }
        )
    )


def measure(users: int, days: int) -> dict:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "codex_assets.cli",
            "simulator",
            "serve",
            "--port",
            str(port),
            "--users",
            str(users),
            "--seed",
            "7",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_for(f"http://127.0.0.1:{port}/", server)
        from codex_assets.simulator.app import Simulator
        from codex_assets.simulator.config import SimulatorConfig

        config = SimulatorConfig(seed=7, users=users)
        workspace_id = Simulator(config).workspace_id
        with tempfile.TemporaryDirectory() as data_dir:
            env = {
                **os.environ,
                "CODEX_SOURCE": "api",
                "CODEX_API_BASE_URL": base_url,
                "CODEX_WORKSPACE_ID": workspace_id,
                "CODEX_ANALYTICS_API_KEY": config.analytics_key,
                "CODEX_DATA_DIR": data_dir,
                "CODEX_API_REQUESTS_PER_MINUTE": "6000",
            }
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, __file__, "--child", "--days", str(days)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-3000:])
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            figures["process_wall_s"] = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"users": users, **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, action="append")
    parser.add_argument("--days", type=int, action="append")
    args = parser.parse_args()
    if args.child:
        child(args.days[0])
        return
    plan = [(u, d) for u in (args.users or [1000, 10000]) for d in (args.days or [90])]
    if not args.users and not args.days:
        plan.insert(1, (10000, 30))  # memory must not grow with the number of days
    results = [measure(users, days) for users, days in plan]
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print("| users | days | rows | run wall (s) | process wall (s) | peak RSS (MiB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['users']:,} | {r['days']} | {r['rows']:,} | {r['wall_s']:.1f} | {r['process_wall_s']:.1f} | {r['peak_rss_mib']:.0f} |"
        )
    out = HERE / "results" / "backfill_raw.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
