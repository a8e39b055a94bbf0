"""`codex-assets simulator serve`: run the simulator as a real HTTP server.

It prints the base URL and the `export ...` line that points the pipeline at it (the keys are
the simulator's own fake keys, so printing them is fine), then serves until interrupted.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import date
from types import FrameType

from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import (
    BILLING_UNITS,
    PROFILE_NAMES,
    FaultRule,
    SimulatorConfig,
    parse_fault,
)
from codex_assets.simulator.server import make_server


def _restatement(text: str) -> tuple[date, int]:
    """`YYYY-MM-DD` (revision 1) or `YYYY-MM-DD:N`."""
    day, _, revision = text.partition(":")
    try:
        return date.fromisoformat(day), int(revision) if revision else 1
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected YYYY-MM-DD or YYYY-MM-DD:REVISION, got {text!r}"
        ) from None


def _fault(text: str) -> FaultRule:
    try:
        return parse_fault(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codex-assets simulator serve",
        description="Serve the Codex API simulator over HTTP (Analytics API"
        " and any registered compliance routes).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (0 picks a free one)")
    parser.add_argument("--users", type=int, default=200, help="workspace size (default 200)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--workspace-id", help="workspace UUID (default: derived from the seed)")
    parser.add_argument(
        "--profile",
        choices=PROFILE_NAMES,
        default="rich",
        help="rich (default: dense rows, the demo's) or contract (every awkward but legal "
        "shape: idle days without rows, short pages, cursors with + / =, nulls, unknown ids, "
        "files sharing an end_time); see docs/simulator.md",
    )
    parser.add_argument(
        "--billing-unit",
        choices=BILLING_UNITS,
        default="credits",
        help="credits (default) or usd: a USD-billed workspace reports cost_usd, not credits",
    )
    parser.add_argument(
        "--max-page-rows",
        type=int,
        metavar="N",
        help="at most N analytics rows a page whatever limit is (default: the profile's)",
    )
    parser.add_argument(
        "--max-page-files",
        type=int,
        metavar="N",
        help="at most N files a compliance list page (default: the profile's)",
    )
    parser.add_argument(
        "--no-max-event-time",
        action="store_true",
        help="answer 404 on the compliance max_event_time route, as an older API",
    )
    parser.add_argument(
        "--fault",
        action="append",
        type=_fault,
        default=[],
        metavar="SPEC",
        help="inject a fault, e.g. rate_limit:every=5,retry_after_s=1 or drop:first=2,"
        "endpoints=usage (repeatable)",
    )
    parser.add_argument(
        "--compliance-events-per-day",
        type=int,
        metavar="N",
        help="about N CODEX_LOG events a day (default: the natural rate of the workspace; "
        "benchmarks use 1000000)",
    )
    parser.add_argument(
        "--compliance-cache-dir",
        metavar="DIR",
        help="where generated compliance log files are cached (default: the system temp dir)",
    )
    parser.add_argument(
        "--restate",
        action="append",
        type=_restatement,
        default=[],
        metavar="YYYY-MM-DD[:N]",
        help="serve that day restated (revision N, default 1) (repeatable)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.users < 0:
        print("codex-assets simulator serve: --users must be 0 or above", file=sys.stderr)
        return 2
    if args.compliance_events_per_day is not None and args.compliance_events_per_day < 0:
        print(
            "codex-assets simulator serve: --compliance-events-per-day must be 0 or above",
            file=sys.stderr,
        )
        return 2
    for flag, value in (
        ("--max-page-rows", args.max_page_rows),
        ("--max-page-files", args.max_page_files),
    ):
        if value is not None and value < 1:
            print(f"codex-assets simulator serve: {flag} must be 1 or above", file=sys.stderr)
            return 2
    overrides = {
        name: value
        for name, value in (
            ("max_page_rows", args.max_page_rows),
            ("max_page_files", args.max_page_files),
        )
        if value is not None
    }
    config = SimulatorConfig(
        seed=args.seed,
        users=args.users,
        workspace_id=args.workspace_id,
        faults=tuple(args.fault),
        compliance_events_per_day=args.compliance_events_per_day,
        compliance_cache_dir=args.compliance_cache_dir,
        profile=args.profile,
        billing_unit=args.billing_unit,
        serve_max_event_time=not args.no_max_event_time,
        **overrides,
    )
    sim = Simulator(config)
    for day, revision in args.restate:
        sim.restate(day, revision)
    try:
        server = make_server(sim, args.host, args.port)
    except OSError as error:
        print(
            f"codex-assets simulator serve: cannot listen on {args.host}:{args.port}: {error}",
            file=sys.stderr,
        )
        return 2

    shape = "" if args.profile == "rich" else f", {args.profile} profile"
    if args.billing_unit != "credits":
        shape += f", billed in {args.billing_unit}"
    print(f"Codex API simulator ({args.users} users, seed {args.seed}{shape}) at {server.base_url}")
    print(
        f"export CODEX_SOURCE=api CODEX_API_BASE_URL={server.base_url} "
        f"CODEX_WORKSPACE_ID={sim.workspace_id} CODEX_ANALYTICS_API_KEY={config.analytics_key} "
        f"CODEX_COMPLIANCE_API_KEY={config.compliance_key}",
        flush=True,
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
