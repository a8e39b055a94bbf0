"""Benchmark: one day of one million Codex audit events, ingested over real HTTP.

1. Start `codex-assets simulator serve --compliance-events-per-day 1000000` in its own process
   (10,000 users, seed 7) and list the day once, so the simulator renders and caches the day's
   files (its cold generation time is reported separately: it is paid once per day and seed).
2. In a fresh child process, materialize `raw/compliance_codex_log` for that day through
   Dagster against the server (CODEX_SOURCE=api): list, download each file through its 307
   signed URL, verify size and sha256, stage, convert, publish. Wall time, events/s and the
   child's peak RSS are recorded. The download route is unpaced here (the documented limit of
   50 downloads a minute would make any ~150-file day take about three minutes against the real
   API; that is the API's limit, not this pipeline's).
3. In another fresh child process, DuckDB alone over the same cached files (the practical
   limit): `read_json` (auto-detected schema) copied to Parquet, and the raw asset's own
   extraction SQL over the local files copied to Parquet (the same output as step 2, minus
   HTTP and verification).
4. With `--downstream`, also time the deduplicated events, marts, DLP findings and export,
   then one read of the day's typed columns through raw.compliance_codex_log (they are
   parsed from the landed `record` on every read).

    uv run python benchmarks/compliance_ingest.py
    uv run python benchmarks/compliance_ingest.py --events 200000 --users 2000

Results are printed as a markdown table and written to benchmarks/results/compliance_ingest.json.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
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


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_ingest(day: date, downstream: bool) -> None:
    """Materialize the raw asset (and optionally the downstream ones) for `day`; print JSON."""
    import dagster as dg
    from dagster_duckdb import DuckDBResource

    from codex_assets.defs.compliance import assets as marts
    from codex_assets.defs.compliance.raw_assets import raw_compliance_codex_log
    from codex_assets.defs.resources.source import CodexSourceResource
    from codex_assets.lib.settings import environment

    codex = CodexSourceResource.from_environment(environment())
    settings = codex.settings()
    settings.data_path.mkdir(parents=True, exist_ok=True)
    res = {"codex": codex, "duckdb": DuckDBResource(database=settings.duckdb_path)}
    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    result = dg.materialize(
        [raw_compliance_codex_log], resources=res, partition_key=day.isoformat(), instance=instance
    )
    wall = time.perf_counter() - started
    metadata = result.asset_materializations_for_node("raw__compliance_codex_log")[0].metadata
    figures = {
        "ok": result.success,
        "wall_s": wall,
        "events": metadata["dagster/row_count"].value,
        # The run-wide figures (issue 14 moved some of them to each partition's own record).
        **{key: metadata[key].value for key in ("files", "bytes", "requests") if key in metadata},
        "peak_rss_mib_ingest": _peak_rss_mib(),
    }
    if downstream:
        assets = [
            marts.compliance_events,
            marts.compliance_activity_daily,
            marts.access_token_events,
            marts.secret_findings,
            marts.compliance_export,
        ]
        started = time.perf_counter()
        done = dg.materialize(
            assets,
            resources=res,
            partition_key=day.isoformat(),
            instance=instance,
            selection=[a.key for a in assets],
        )
        figures["downstream_ok"] = done.success
        figures["downstream_wall_s"] = time.perf_counter() - started
        figures["read_typed_s"] = _time_typed_read(settings.duckdb_path, day)
    figures["peak_rss_mib"] = _peak_rss_mib()
    print(json.dumps(figures))


def _time_typed_read(database: str, day: date) -> float:
    """Seconds to sum a typed column over the day through raw.compliance_codex_log: what a
    query or check reading typed columns pays, since they are parsed from `record` on read."""
    import duckdb

    with duckdb.connect(database, read_only=True) as conn:
        started = time.perf_counter()
        conn.execute(
            "SELECT count(*), sum(output_tokens) FROM raw.compliance_codex_log WHERE day = $day",
            {"day": day},
        ).fetchone()
        return time.perf_counter() - started


def child_duckdb(files: list[str], mode: str) -> None:
    """DuckDB alone over the cached files; print JSON."""
    import duckdb

    from codex_assets.lib.sql import read_sql

    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "out.parquet")
        conn = duckdb.connect(config={"threads": 2, "preserve_insertion_order": False})
        started = time.perf_counter()
        if mode == "read_json":
            conn.execute(
                "COPY (SELECT * FROM read_json($files, format = 'newline_delimited')) TO "
                f"'{out}' (FORMAT parquet, COMPRESSION zstd)",
                {"files": files},
            )
        else:
            params = {
                "paths": files,
                "files": [
                    {
                        "filename": f,
                        "file_id": "x",
                        "file_name": "x",
                        "file_end_time": None,
                        "file_sha256": "x",
                    }
                    for f in files
                ],
                "day": "2026-01-01",
                "loaded_at": datetime(2026, 1, 1),
            }
            conn.execute(
                f"COPY ({read_sql('defs/compliance/raw_codex_log.sql')}) TO '{out}' "
                "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 16384)",
                params,
            )
        wall = time.perf_counter() - started
        rows = conn.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]
    print(json.dumps({"wall_s": wall, "events": rows, "peak_rss_mib": _peak_rss_mib()}))


def _run_child(args: list[str], env: dict[str, str]) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-4000:])
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_wall_s"] = time.perf_counter() - started
    return figures


def measure(users: int, events_per_day: int, downstream: bool, cache_dir: str) -> dict:
    from codex_assets.defs.compliance.client import latest_complete_day
    from codex_assets.simulator.app import Simulator
    from codex_assets.simulator.config import SimulatorConfig

    day = latest_complete_day(datetime.now(UTC))
    port = _free_port()
    command = [
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
        "--compliance-events-per-day",
        str(events_per_day),
        "--compliance-cache-dir",
        cache_dir,
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_for(f"http://127.0.0.1:{port}/", server)
        config = SimulatorConfig(
            seed=7,
            users=users,
            compliance_events_per_day=events_per_day,
            compliance_cache_dir=cache_dir,
        )
        sim = Simulator(config)
        generation_s = _warm(base_url, sim, day)
        files = sorted(
            glob.glob(
                str(
                    Path(cache_dir)
                    / sim.compliance.files.key
                    / "CHATGPT_WORKSPACE"
                    / "CODEX_LOG"
                    / day.isoformat()
                    / "*.jsonl"
                )
            )
        )
        # Late events published after midnight are in the next day's first windows; the day's
        # files by the day rule are exactly the windows of `day`.
        day_files = [f.path for f in sim.compliance.day_files(day)]
        assert sorted(map(str, day_files)) == files, "cache and day rule disagree"
        with tempfile.TemporaryDirectory() as data_dir:
            env = {
                **os.environ,
                "CODEX_SOURCE": "api",
                "CODEX_API_BASE_URL": base_url,
                "CODEX_WORKSPACE_ID": sim.workspace_id,
                "CODEX_COMPLIANCE_API_KEY": config.compliance_key,
                "CODEX_DATA_DIR": data_dir,
                "CODEX_API_REQUESTS_PER_MINUTE": "100000",
                "CODEX_COMPLIANCE_DOWNLOADS_PER_MINUTE": "100000",
            }
            ingest_args = ["--child-ingest", day.isoformat()]
            if downstream:
                ingest_args.append("--downstream")
            ingest = _run_child(ingest_args, env)
        read_json = _run_child(["--child-duckdb", "read_json", *files], dict(os.environ))
        same_sql = _run_child(["--child-duckdb", "raw_sql", *files], dict(os.environ))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_1m_at_end": os.getloadavg()[0],
        "day": day.isoformat(),
        "users": users,
        "events_per_day_target": events_per_day,
        "simulator_generation_s": generation_s,
        "ingest": ingest,
        "duckdb_read_json": read_json,
        "duckdb_same_sql_local": same_sql,
        "ratio_vs_read_json": ingest["wall_s"] / read_json["wall_s"],
        "ratio_vs_same_sql_local": ingest["wall_s"] / same_sql["wall_s"],
    }


def _warm(base_url: str, sim: object, day: date) -> float:
    """List the day once over HTTP so the server renders and caches its files."""
    import httpx

    started = time.perf_counter()
    params = {
        "event_type": "CODEX_LOG",
        "after": f"{day.isoformat()}T00:00:00Z",
        "before": f"{(day + timedelta(days=1)).isoformat()}T00:00:01Z",
        "limit": 100,
    }
    headers = {"Authorization": f"Bearer {sim.config.compliance_key}"}  # type: ignore[attr-defined]
    path = f"{base_url}/compliance/workspaces/{sim.workspace_id}/logs"  # type: ignore[attr-defined]
    with httpx.Client(timeout=600) as client:
        while True:
            body = client.get(path, params=params, headers=headers).raise_for_status().json()
            if not body["has_more"]:
                break
            params["after"] = body["last_end_time"]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child-ingest", metavar="DAY", help=argparse.SUPPRESS)
    parser.add_argument("--child-duckdb", metavar="MODE", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000, help="events per day")
    parser.add_argument("--downstream", action="store_true", help="also time the marts")
    parser.add_argument("--cache-dir", help="simulator file cache (default: a temp dir)")
    args = parser.parse_args()
    if args.child_ingest:
        child_ingest(date.fromisoformat(args.child_ingest), args.downstream)
        return
    if args.child_duckdb:
        child_duckdb(args.files, args.child_duckdb)
        return
    cache = args.cache_dir or tempfile.mkdtemp(prefix="codex-compliance-bench-")
    result = measure(args.users, args.events, args.downstream, cache)
    ingest, limit, same = (
        result["ingest"],
        result["duckdb_read_json"],
        result["duckdb_same_sql_local"],
    )
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; day {result['day']}, {result['users']:,} users\n"
    )
    print("| step | events | wall (s) | events/s | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|")
    for label, figures, peak_rss in (
        (
            "raw/compliance_codex_log over HTTP (list, 307, download, verify, land)",
            ingest,
            ingest["peak_rss_mib_ingest"],
        ),
        ("DuckDB read_json -> Parquet, local files (the limit)", limit, limit["peak_rss_mib"]),
        ("DuckDB, the asset's own SQL -> Parquet, local files", same, same["peak_rss_mib"]),
    ):
        print(
            f"| {label} | {figures['events']:,} | {figures['wall_s']:.1f} | "
            f"{figures['events'] / figures['wall_s']:,.0f} | {peak_rss:.0f} |"
        )
    print(
        f"\nratio to read_json: {result['ratio_vs_read_json']:.2f}x; to the same SQL on local "
        f"files: {result['ratio_vs_same_sql_local']:.2f}x; files {ingest.get('files')}, "
        f"{ingest.get('bytes', 0) / 1e6:,.0f} MB; simulator cold generation "
        f"{result['simulator_generation_s']:.1f}s (once per day and seed)"
    )
    if "downstream_wall_s" in ingest:
        print(
            f"downstream (events, marts, findings, export): {ingest['downstream_wall_s']:.1f}s, "
            f"peak RSS of the whole process {ingest['peak_rss_mib']:.0f} MiB; reading the "
            f"day's typed columns through raw.compliance_codex_log: {ingest['read_typed_s']:.1f}s"
        )
    out = HERE / "results" / "compliance_ingest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
