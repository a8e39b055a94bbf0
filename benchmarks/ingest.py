"""The raw analytics ingest beside its references, against one server in one run.

For one workspace size, with the simulator serving over HTTP in its own process:

1. **the HTTP floor**: httpx + `json.loads` of every page of the four endpoints, day by day,
   as many days at once as the pipeline (CODEX_API_MAX_CONCURRENCY, 4), nothing else;
2. **the pipeline**: the four raw analytics assets as one Dagster run (benchmarks/backfill_raw.py's
   child: fetch, check the envelopes, land each day's Parquet partition, create the views);
3. the floor again, so load from other work on the machine weighs on both sides of the ratio
   alike: the ratio is the pipeline over the mean of the two floors;
4. **DuckDB `read_json`** over the same pages saved to disk (each endpoint's rows to one
   Parquet file): what DuckDB alone does with the same bytes once they are on disk.

The pages are saved by an untimed pass before the others, which also leaves the simulator's
page cache as every timed pass finds it (at 10,000 users the 96 MB cache holds about 20 of
the 90 days, so every pass regenerates every day; at 1,000 users every pass finds them all).

Each step runs in a fresh process (its peak RSS is its own).

    uv run python benchmarks/ingest.py --users 10000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from harness import peak_rss_mib, run_child, serving, size_parser  # noqa: E402


def window_days(days: int) -> list:
    from codex_assets.backfill import last_days_window
    from codex_assets.defs.resources import CodexResource
    from codex_assets.lib.settings import environment

    return last_days_window(days, CodexResource.from_environment(environment()).settings()).days


def floor_child(days: int, save: str | None) -> None:
    """httpx + json.loads of every page (the floor); with `save`, also write each page there
    (the writes' time is left out of the wall)."""
    import httpx

    from codex_assets.defs.analytics.client import ENDPOINTS, day_bounds
    from codex_assets.lib.settings import environment

    env = environment()
    base, workspace = env["CODEX_API_BASE_URL"], env["CODEX_WORKSPACE_ID"]
    headers = {"Authorization": f"Bearer {env['CODEX_ANALYTICS_API_KEY']}"}
    window = window_days(days)
    totals = {"bytes": 0, "pages": 0, "rows": 0, "write_s": 0.0}

    def one_day(client: httpx.Client, endpoint: str, day) -> None:
        segment, extra = ENDPOINTS[endpoint]
        start, end = day_bounds(day)
        params = [("start_time", start), ("end_time", end), ("limit", 30000), *extra]
        cursor, page = None, 0
        while True:
            query = params + ([("page", cursor)] if cursor else [])
            response = client.get(
                f"{base}/analytics/codex/workspaces/{workspace}/{segment}", params=query
            )
            response.raise_for_status()
            body = json.loads(response.content)
            totals["bytes"] += len(response.content)
            totals["pages"] += 1
            totals["rows"] += len(body["data"])
            if save:
                started = time.perf_counter()
                Path(save, f"{endpoint}-{day}-{page}.json").write_bytes(response.content)
                totals["write_s"] += time.perf_counter() - started
            if not body["has_more"]:
                return
            cursor, page = body["next_page"], page + 1

    started = time.perf_counter()
    with httpx.Client(headers=headers, timeout=60) as client:
        for endpoint in ENDPOINTS:
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(partial(one_day, client, endpoint), window))
    wall = time.perf_counter() - started - totals["write_s"]
    print(
        json.dumps({"wall_s": wall, "peak_rss_mib": peak_rss_mib(), "days": len(window), **totals})
    )


def read_json_child(pages: str) -> None:
    """DuckDB alone: the saved pages' rows, per endpoint, to Parquet."""
    import duckdb

    from codex_assets.defs.analytics.client import ENDPOINTS

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out, duckdb.connect() as conn:
        for endpoint in ENDPOINTS:
            files = sorted(str(p) for p in Path(pages).glob(f"{endpoint}-2*.json"))
            conn.execute(
                "COPY (SELECT unnest(r) FROM (SELECT unnest(data) AS r FROM read_json($files, "
                "format = 'auto', maximum_object_size = 67108864))) "
                f"TO '{out}/{endpoint}.parquet' (FORMAT parquet, COMPRESSION zstd)",
                {"files": files},
            )
    wall = time.perf_counter() - started
    print(json.dumps({"wall_s": wall, "peak_rss_mib": peak_rss_mib()}))


def measure_ingest(users: int, days: int = 90) -> dict:
    """Save the pages, then floor, pipeline, floor, read_json: one server, one run."""
    with serving(users) as server, tempfile.TemporaryDirectory() as scratch:
        env = server.env()
        pages = Path(scratch, "pages")
        pages.mkdir()
        run_child([__file__, "--floor", "--days", str(days), "--save", str(pages)], env)
        floor = [run_child([__file__, "--floor", "--days", str(days)], env)]
        with tempfile.TemporaryDirectory(dir=scratch) as data_dir:
            pipeline = run_child(
                [str(HERE / "backfill_raw.py"), "--child", "--days", str(days)],
                server.env(data_dir),
            )
        floor.append(run_child([__file__, "--floor", "--days", str(days)], env))
        read_json = run_child([__file__, "--read-json", str(pages)])
    floor_s = sum(f["wall_s"] for f in floor) / len(floor)
    return {
        "users": users,
        "days": pipeline["days"],
        "rows": pipeline["rows"],
        "json_mb": floor[0]["bytes"] / 1e6,
        "floor_s": [f["wall_s"] for f in floor],
        "floor_rss_mib": max(f["peak_rss_mib"] for f in floor),
        "pipeline_s": pipeline["wall_s"],
        "pipeline_rss_mib": pipeline["peak_rss_mib"],
        "read_json_s": read_json["wall_s"],
        "read_json_rss_mib": read_json["peak_rss_mib"],
        "ratio": pipeline["wall_s"] / floor_s,
    }


def main() -> None:
    parser = size_parser(__doc__)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--save", help=argparse.SUPPRESS)
    parser.add_argument("--read-json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor_child(args.days, args.save)
    elif args.read_json:
        read_json_child(args.read_json)
    else:
        print(json.dumps(measure_ingest(args.users, args.days), indent=2))


if __name__ == "__main__":
    main()
