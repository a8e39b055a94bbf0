"""The kill suite (issue 15): SIGKILL a real `codex-assets backfill` at named points, re-run the
same window, and require what a clean run gives.

The backfill is a real process (its own session, killed as a process group) over real HTTP
against the simulator's contract profile (idle days, short pages, files sharing an end time).
A point is the N-th request of a route the server has received (the request is held open, so
the kill lands while it is in flight: analytics pages, compliance listings, a log file's
bytes), or a time after the last request (the marts and checks, which make none). After each
kill the lake holds only published partitions (staging lives outside it, lib/staging.py); after
the re-run, the lake's partitions and every table and view equal the clean run's, and the
staging place holds nothing of a dead writer.

`make test` runs five points, chained on one data directory (each run is killed at the next
point, then one re-run); `pytest --kill-matrix` adds twenty points, each killed and re-run on
its own (marked `slow`; minutes).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from codex_assets.backfill import last_days_window
from codex_assets.cli import main
from codex_assets.defs.resources import CodexResource
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import SimulatorConfig
from tests.support.digests import lake_digest, warehouse_digest
from tests.support.kills import (
    ANY_ROUTE,
    KillPoint,
    Tripwire,
    dead_staging,
    leftovers,
    published,
    serving,
)
from tests.support.resources import served_api_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

DAYS = 3
CLEARED = ("CODEX_SIMULATOR_FAULTS", "CODEX_SIMULATOR_PROFILE", "CODEX_DUCKDB_PATH")


@dataclass(frozen=True)
class Reference:
    """The clean run the kills are compared with, and the server they all talk to."""

    wire: Tripwire
    env: dict[str, str]
    window: tuple[str, str]
    counts: Counter
    routes: tuple[str, ...]
    tail_s: float
    """Seconds from the clean run's last request to its end (the marts and checks)."""
    lake: dict[str, tuple[int, str]]
    warehouse: dict[str, tuple[int, str]]


def _env(base_url: str, sim: Simulator, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    (root / "home").mkdir(parents=True, exist_ok=True)
    return {
        **env,
        **served_api_env(base_url, sim),
        "CODEX_DATA_DIR": str(root / "data"),
        "DAGSTER_HOME": str(root / "home"),
    }


def _in_process_backfill(env: dict[str, str], *args: str) -> str:
    """`codex-assets backfill ARGS` in this process (no interpreter start-up); its stdout."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for key in CLEARED:
            patch.delenv(key, raising=False)
        for key, value in env.items():
            if os.environ.get(key) != value:
                patch.setenv(key, value)
        patch.chdir(Path(env["CODEX_DATA_DIR"]).parent)  # no repo `.env` under the run
        with contextlib.redirect_stdout(out):
            code = main(["backfill", *args])
    assert code == 0, out.getvalue()[-3000:]
    return out.getvalue()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    sim = Simulator(SimulatorConfig(profile="contract", users=4, seed=11))
    wire = Tripwire(sim)
    with serving(wire) as base_url:
        env = _env(base_url, sim, tmp_path_factory.mktemp("clean"))
        # The same `--start/--end` as the killed runs and their re-runs (`--days` would also
        # load the compliance day complete after the window between 01:00 and 12:00 UTC).
        last = last_days_window(DAYS, CodexResource().settings())
        window = (last.start.isoformat(), last.end.isoformat())
        started = time.monotonic()
        text = _in_process_backfill(env, "--start", window[0], "--end", window[1])
        ended = time.monotonic()
        last_request = wire.last_request_at
        assert f"Backfilling {window[0]} .. {window[1]}" in text, text
        data = Path(env["CODEX_DATA_DIR"])
        yield Reference(
            wire=wire,
            env=env,
            window=window,
            counts=wire.counts(),
            routes=tuple(wire.routes),
            tail_s=ended - max(last_request, started),
            lake=lake_digest(data),
            warehouse=warehouse_digest(data / "codex.duckdb"),
        )


def _window_args(ref: Reference) -> list[str]:
    return ["--start", ref.window[0], "--end", ref.window[1]]


def _reached(ref: Reference, point: KillPoint, process: subprocess.Popen, data: Path) -> bool:
    """Wait for `point` (at most 240 s); whether it came while the run was alive."""
    if not point.published:
        return ref.wire.tripped.wait(240)
    started, deadline = time.time(), time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if published(data, point.route, since=started) >= point.nth:
            return True
        time.sleep(0.01)
    return False


def _kill_at(ref: Reference, env: dict[str, str], point: KillPoint) -> None:
    """Start the backfill as its own process group, SIGKILL it at `point`, check the lake."""
    ref.wire.arm(point)
    log = Path(env["CODEX_DATA_DIR"]).parent / "killed-run.log"  # a file: a pipe could fill
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "codex_assets.cli", "backfill", *_window_args(ref)],
            env=env,
            cwd=log.parent,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            reached = _reached(ref, point, process, Path(env["CODEX_DATA_DIR"]))
            if reached and point.after_s:
                time.sleep(point.after_s)
            alive = process.poll() is None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            ref.wire.disarm()
    tail = log.read_text(errors="replace")[-1500:]
    assert reached, f"{point.id} never came: {ref.wire.counts()}; {tail}"
    assert alive, f"the run ended before {point.id}: {tail}"
    data = Path(env["CODEX_DATA_DIR"])
    assert leftovers(data) == [], f"after a kill at {point.id}"
    # Whatever the killed run published is whole: the clean run's partition of that day.
    published = lake_digest(data)
    assert {p: d for p, d in published.items() if ref.lake.get(p) != d} == {}, point.id


def _assert_equals_clean(ref: Reference, env: dict[str, str]) -> None:
    _in_process_backfill(env, *_window_args(ref))
    data = Path(env["CODEX_DATA_DIR"])
    assert leftovers(data) == []
    assert dead_staging(data) == []
    assert lake_digest(data) == ref.lake
    got = warehouse_digest(data / "codex.duckdb")
    differ = {
        name
        for name in ref.warehouse.keys() | got.keys()
        if got.get(name) != ref.warehouse.get(name)
    }
    assert not differ, {name: (ref.warehouse.get(name), got.get(name)) for name in sorted(differ)}


def default_points(ref: Reference) -> list[KillPoint]:
    """One point in each phase: by the clean run's request counts, by a published partition,
    and by time after the last request."""
    counts, total = ref.counts, sum(ref.counts.values())
    return [
        KillPoint("analytics-pages", "usage", counts["usage"] // 2 + 1),
        KillPoint("compliance-list", "compliance_logs", 2),
        KillPoint("mid-download", "compliance_file", 3),
        # the first compliance day is published, the next ones are still coming
        KillPoint("between-days", "compliance_codex_log", 1, published=True),
        KillPoint("marts-and-checks", ANY_ROUTE, total, after_s=round(ref.tail_s * 0.4, 2)),
    ]


def test_runs_killed_at_five_points_then_rerun_equal_a_clean_run(reference, tmp_path):
    env = {
        **reference.env,
        **_env(reference.env["CODEX_API_BASE_URL"], reference.wire.sim, tmp_path),
    }
    for point in default_points(reference):
        _kill_at(reference, env, point)
    _assert_equals_clean(reference, env)


def matrix_points(counts: Counter, tail_s: float) -> list[KillPoint]:
    """Twenty points: the first, middle and last request of each busy route, the first and last
    code-review page, the last request held, and five times after the last request (within
    the first half of the clean run's tail, so a killed run under less load is still busy)."""
    points = []
    for route in ("usage", "compliance_logs", "compliance_download", "compliance_file"):
        n = counts[route]
        for nth in sorted({1, n // 2 + 1, n}):
            points.append(KillPoint(route, route, nth))
    points += [KillPoint("code-reviews", "code_reviews", n) for n in (1, counts["code_reviews"])]
    total = sum(counts.values())
    points.append(KillPoint("last-request", ANY_ROUTE, total))
    for fraction in (0.05, 0.15, 0.25, 0.35, 0.5):
        points.append(KillPoint("marts-and-checks", ANY_ROUTE, total, round(tail_s * fraction, 2)))
    assert len(points) == 20, points
    return points


MATRIX = range(20)


@pytest.mark.slow
@pytest.mark.kill_matrix
@pytest.mark.parametrize("index", MATRIX)
def test_a_run_killed_at_any_point_then_rerun_equals_a_clean_run(reference, tmp_path, index):
    point = matrix_points(reference.counts, reference.tail_s)[index]
    env = {
        **reference.env,
        **_env(reference.env["CODEX_API_BASE_URL"], reference.wire.sim, tmp_path),
    }
    _kill_at(reference, env, point)
    _assert_equals_clean(reference, env)
