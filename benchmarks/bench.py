"""`make bench`: every speed figure beside its reference, measured in the same run, as one table.

- ingest: the four raw analytics assets' 90-day backfill (one Dagster run) against the HTTP
  floor, DuckDB `read_json` over the same pages on disk, and dlt's REST API client into DuckDB
  (benchmarks/ingest.py, benchmarks/dlt_reference.py);
- the daily 12:30 UTC run over 365 days of history against the same run over 90
  (benchmarks/daily.py), with the marts' rebuild over each history;
- the compliance downstream (dedup, marts, DLP, export) against the landing of the same day,
  at 100,000 and 1,000,000 events (benchmarks/compliance_ingest.py).

One benchmark runs at a time (the machine is shared: never start two). `--quick` keeps the
sizes small; the full run (`--dlt-users 1000`) took 11 minutes on 2026-12-04 on 2 cores, with
the compliance steps failing early.

    uv run --group bench python benchmarks/bench.py            # make bench
    uv run python benchmarks/bench.py --quick                  # make bench ARGS=--quick
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import compliance_ingest  # noqa: E402
from daily import measure_daily  # noqa: E402
from dlt_reference import measure_dlt  # noqa: E402
from harness import machine  # noqa: E402
from ingest import measure_ingest  # noqa: E402

FULL = {"ingest_users": 10_000, "daily_users": 1_000, "events": [100_000, 1_000_000]}
QUICK = {"ingest_users": 1_000, "daily_users": 200, "events": [100_000]}


def _gib(mib: float) -> str:
    return f"{mib / 1024:.2f} GiB"


def _ratio_if_same(ingest: dict, other: dict) -> str:
    """This project over the reference, when both ran at the same size."""
    same = other["users"] == ingest["users"]
    return f"{ingest['pipeline_s'] / other['wall_s']:.2f}" if same else "(other size)"


def table(results: dict) -> list[str]:
    """The markdown rows: what, this project, its reference, the ratio and its target, RSS."""
    rows = [
        "| what | this project | reference | ratio (target) | peak RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    ingest = results.get("ingest")
    results = (
        {**results, "dlt": results.get("dlt")}
        if results.get("dlt")
        else {k: v for k, v in results.items() if k != "dlt"}
    )
    if ingest is None:
        return rows + _later_rows(results)
    size = f"{ingest['users']:,} users x {ingest['days']} days, {ingest['rows']:,} rows, {ingest['json_mb']:.0f} MB of JSON"
    floor = sum(ingest["floor_s"]) / len(ingest["floor_s"])
    floors = " / ".join(f"{f:.1f}" for f in ingest["floor_s"])
    rows.append(
        f"| ingest, {size}: the raw assets, one Dagster run / HTTP floor (httpx + json.loads; "
        f"before / after) | {ingest['pipeline_s']:.1f} s | {floor:.1f} s ({floors}) | "
        f"**{ingest['ratio']:.2f}** (<= 1.6) | {_gib(ingest['pipeline_rss_mib'])} / {_gib(ingest['floor_rss_mib'])} |"
    )
    rows.append(
        f"| ingest: DuckDB `read_json` of the same pages saved to disk | | {ingest['read_json_s']:.1f} s | "
        f"{ingest['pipeline_s'] / ingest['read_json_s']:.2f} | {_gib(ingest['read_json_rss_mib'])} |"
    )
    dlt = results.get("dlt")
    if dlt:
        rows.append(
            f"| ingest: dlt REST API client into DuckDB, {dlt['users']:,} users ({dlt['rows']:,} rows) "
            f"| | {dlt['wall_s']:.1f} s | {_ratio_if_same(ingest, dlt)} | {_gib(dlt['peak_rss_mib'])} |"
        )
    return rows + _later_rows(results)


def _later_rows(results: dict) -> list[str]:
    rows = []
    by_history = {d["history_days"]: d for d in results["daily"]}
    if 90 in by_history and 365 in by_history:
        short, long = by_history[90], by_history[365]
        rows.append(
            f"| daily 12:30 UTC run ([D-2, D], every asset and check), {short['users']:,} users: "
            f"365 days of history / 90 | {long['daily']['wall_s']:.1f} s | {short['daily']['wall_s']:.1f} s | "
            f"**{long['daily']['wall_s'] / short['daily']['wall_s']:.2f}** (<= 1.5) | "
            f"{_gib(long['daily']['peak_rss_mib'])} / {_gib(short['daily']['peak_rss_mib'])} |"
        )
    for daily in results["daily"]:
        rows.append(
            f"| marts' rebuild over {daily['days']} days, {daily['users']:,} users (one run) | "
            f"{daily['rebuild_s']:.1f} s | | | {_gib(daily['peak_rss_mib'])} |"
        )
    for day in results["compliance"]:
        ingest_c = day["ingest"]
        rows.append(
            f"| compliance downstream (dedup, marts, DLP, export) / landing, "
            f"{ingest_c['events']:,} events | {ingest_c['downstream_wall_s']:.1f} s | {ingest_c['wall_s']:.1f} s | "
            f"**{ingest_c['downstream_wall_s'] / ingest_c['wall_s']:.2f}** (<= 3) | {_gib(ingest_c['peak_rss_mib'])} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, no dlt")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["ingest", "dlt", "daily", "compliance"]
    )
    parser.add_argument(
        "--dlt-users",
        type=int,
        help="dlt's workspace size (default: the ingest's; dlt held 12.4 GiB at 10,000 users)",
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    out = HERE / "results" / ("bench-quick.json" if args.quick else "bench.json")
    results: dict = {"quick": args.quick, "daily": [], "compliance": [], "failed": {}}

    def step(name: str, measure: Callable[[], Any]) -> Any:
        """Run one benchmark; a failure is recorded (one line) and the others still run."""
        if name in args.skip:
            return None
        try:
            return measure()
        except Exception as error:
            lines = str(error).strip().splitlines() or [type(error).__name__]
            named = [line for line in lines if "Error" in line]  # the cause, not the advice
            results["failed"][name] = (named or lines)[-1].strip()[:300]
            return None
        finally:
            out.write_text(json.dumps(results, indent=2) + "\n")

    results["ingest"] = step("ingest", lambda: measure_ingest(plan["ingest_users"]))
    if not args.quick and importlib.util.find_spec("dlt") is not None:
        users = args.dlt_users or plan["ingest_users"]
        results["dlt"] = step("dlt", lambda: {"users": users, **measure_dlt(users)})
    results["daily"] = step("daily", lambda: measure_daily(plan["daily_users"], [90, 365])) or []
    for events in plan["events"]:

        def one_day(events: int = events) -> dict:
            with tempfile.TemporaryDirectory() as cache:
                return compliance_ingest.measure(10_000, events, True, cache)

        day = step("compliance", one_day)
        if day is not None:
            results["compliance"].append(day)
    results["machine"] = machine()
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{results['machine']}\n")
    print("\n".join(table(results)))
    for name, reason in results["failed"].items():
        print(f"\n{name} failed: {reason}")
    print(f"\n(figures in {out.relative_to(HERE.parent)})")


if __name__ == "__main__":
    main()
