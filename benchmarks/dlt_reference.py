"""The reference a team would otherwise build: dlt's REST API client into DuckDB.

The same requests as the pipeline (each endpoint, each day, every page by `next_page`), through
`dlt.sources.helpers.rest_client` with its JSON cursor paginator, loaded by one `dlt` pipeline
into a DuckDB file with dlt's defaults (schema inference, nested tables for the breakdowns).
dlt is in the `bench` dependency group only (`uv sync --group bench`); `make setup` and CI do
not install it.

    uv run --group bench python benchmarks/dlt_reference.py --users 10000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from harness import peak_rss_mib, run_child, serving, size_parser  # noqa: E402


def dlt_child(days: int, target: str) -> None:
    import dlt
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
    from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
    from ingest import window_days

    from codex_assets.defs.analytics.client import ENDPOINTS, day_bounds
    from codex_assets.lib.settings import environment

    env = environment()
    client = RESTClient(
        base_url=f"{env['CODEX_API_BASE_URL']}/analytics/codex/workspaces/{env['CODEX_WORKSPACE_ID']}",
        auth=BearerTokenAuth(env["CODEX_ANALYTICS_API_KEY"]),
        paginator=JSONResponseCursorPaginator(cursor_path="next_page", cursor_param="page"),
        data_selector="data",
    )
    window = window_days(days)

    def resource(endpoint: str):
        segment, extra = ENDPOINTS[endpoint]

        @dlt.resource(name=endpoint, write_disposition="append")
        def pages():
            for day in window:
                start, end = day_bounds(day)
                params = {"start_time": start, "end_time": end, "limit": 30000, **dict(extra)}
                yield from client.paginate(f"/{segment}", params=params)

        return pages

    pipeline = dlt.pipeline(
        pipeline_name="codex_bench",
        destination=dlt.destinations.duckdb(str(Path(target) / "dlt.duckdb")),
        dataset_name="raw",
        pipelines_dir=str(Path(target) / "pipelines"),
    )
    started = time.perf_counter()
    pipeline.run([resource(endpoint) for endpoint in ENDPOINTS])
    wall = time.perf_counter() - started
    rows = sum(pipeline.last_trace.last_normalize_info.row_counts.get(e, 0) for e in ENDPOINTS)
    print(json.dumps({"wall_s": wall, "rows": rows, "peak_rss_mib": peak_rss_mib()}))


def measure_dlt(users: int, days: int = 90) -> dict:
    with serving(users) as server, tempfile.TemporaryDirectory() as target:
        return run_child([__file__, "--child", target, "--days", str(days)], server.env())


def main() -> None:
    parser = size_parser(__doc__)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        dlt_child(args.days, args.child)
    else:
        print(json.dumps(measure_dlt(args.users, args.days), indent=2))


if __name__ == "__main__":
    main()
