"""`codex-assets`: run the demo, backfill a window, or serve the simulator over HTTP."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from codex_assets.lib.http.errors import OutsideApiWindowError
from codex_assets.lib.settings import SettingsError, environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="codex-assets", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser(
        "demo",
        help="backfill the last 90 days of everything as one Dagster run, then summarise",
    )
    backfill = commands.add_parser(
        "backfill", help="backfill a window of days as one Dagster run, then summarise"
    )
    group = backfill.add_mutually_exclusive_group(required=True)
    group.add_argument("--days", type=int, help="the last N complete days")
    group.add_argument("--start", type=date.fromisoformat, help="first day, YYYY-MM-DD")
    backfill.add_argument("--end", type=date.fromisoformat, help="last day (inclusive)")

    simulator = commands.add_parser("simulator", help="the embedded Codex API simulator")
    simulator_commands = simulator.add_subparsers(dest="simulator_command", required=True)
    simulator_commands.add_parser("serve", help="serve the simulator over HTTP", add_help=False)

    args, rest = parser.parse_known_args(argv)
    if args.command == "simulator":
        from codex_assets.simulator.serve import main as serve

        return serve(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return _run(args)
    except (SettingsError, OutsideApiWindowError, ValueError, RuntimeError) as error:
        print(f"codex-assets: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    # Imported here, inside main's error handling: importing the definitions reads
    # CODEX_START_DATE and the partition starts' record: a bad one is a one-line error.
    import dagster as dg

    from codex_assets.backfill import (
        checked_window,
        compliance_ahead,
        default_selection,
        last_days_window,
        run_command_window,
        summarize,
    )
    from codex_assets.defs.resources.preflight import preflight
    from codex_assets.lib import writer_lock
    from codex_assets.lib.checks.outcome import plural

    # What the CLI reads from the environment, in one place: the settings (as the resources'
    # definitions will read them for the run) and where the run is recorded.
    # The preflight reports every bad setting at once, before any request or write; the
    # compliance key is not required here: without it the run leaves compliance out (below).
    env = environment()
    settings = preflight(env)
    if not env.get("DAGSTER_HOME"):
        raise RuntimeError(
            "DAGSTER_HOME is not set, so the run would not be recorded anywhere the UI can show "
            "it. Run through `make demo`, or export DAGSTER_HOME=$PWD/.dagster_home."
        )
    selection, note = default_selection(settings)
    ahead = None
    if args.command == "demo":
        window = last_days_window(90, settings)
    elif args.days is not None:
        if args.days <= 0:
            raise ValueError("--days must be above zero.")
        if args.end is not None:
            raise ValueError(
                "--end goes with --start (--start D --end D); --days N always ends at the "
                "latest complete day."
            )
        window = last_days_window(args.days, settings, clip=False)
    else:
        end = args.end or args.start
        # Days only the compliance log serves yet (yesterday, before 12:00 UTC): load the log.
        ahead = compliance_ahead(args.start, end, settings) if selection is None else None
        window = ahead or checked_window(args.start, end, settings)
    if note:
        print(note)
    # Refused at once, before any request, if another run writes this data directory; held
    # through the run (whose own hold is the same lock) and its summary (lib/writer_lock.py).
    with writer_lock.hold(settings.data_path, wait_seconds=0):
        print(
            f"Backfilling {window.start} .. {window.end} ({plural(len(window.days), 'day')}) from the "
            f"{settings.source} source ...",
            flush=True,
        )
        runs = run_command_window(
            window,
            dg.DagsterInstance.get(),
            selection,
            # A window ending at the latest analytics day: the compliance log may be ahead.
            with_compliance_tail=args.command == "demo" or args.days is not None,
            only_compliance=ahead is not None,
            on_progress=lambda line: print(line, flush=True),
        )
        print(summarize(runs, window, settings))
    return 0 if all(run.result.success for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
