"""What every benchmark shares: the simulator as a real HTTP server in its own process, fresh
child processes measured for wall and peak RSS, and the machine's description.

Why child processes: peak RSS is per process (`ru_maxrss`), so each measured step runs in one
of its own, started from a clean interpreter, and reports its figures as one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
SEED = 7


@dataclass(frozen=True)
class Server:
    """A running `codex-assets simulator serve` and what a client needs to reach it."""

    base_url: str
    workspace_id: str
    analytics_key: str
    pid: int

    def env(self, data_dir: str | None = None, **extra: str) -> dict[str, str]:
        """The environment pointing the pipeline at this server (CODEX_SOURCE=api)."""
        env = {
            **os.environ,
            "CODEX_SOURCE": "api",
            "CODEX_API_BASE_URL": self.base_url,
            "CODEX_WORKSPACE_ID": self.workspace_id,
            "CODEX_ANALYTICS_API_KEY": self.analytics_key,
            # The analytics API publishes no rate limit; the client's default of 100 a minute
            # per route would make the benchmark measure the pacing (README, Performance).
            "CODEX_API_REQUESTS_PER_MINUTE": "6000",
            **extra,
        }
        if data_dir is not None:
            env["CODEX_DATA_DIR"] = data_dir
        return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(users: int, *options: str) -> Iterator[Server]:
    """The simulator over HTTP on loopback for `users` users (seed 7), stopped on exit."""
    import httpx

    from codex_assets.simulator.app import Simulator
    from codex_assets.simulator.config import SimulatorConfig

    port = _free_port()
    command = [sys.executable, "-m", "codex_assets.cli", "simulator", "serve"]
    command += ["--port", str(port), "--users", str(users), "--seed", str(SEED), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("the simulator exited before it answered")
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the simulator did not answer") from None
                time.sleep(0.2)
        config = SimulatorConfig(seed=SEED, users=users)
        yield Server(
            base_url=f"http://127.0.0.1:{port}/v1",
            workspace_id=Simulator(config).workspace_id,
            analytics_key=config.analytics_key,
            pid=process.pid,
        )
    finally:
        process.terminate()
        process.wait(timeout=30)


def run_child(command: Sequence[str], env: dict[str, str] | None = None) -> dict:
    """Run a measuring child (`python <script> ...`) and return the JSON of its last line."""
    done = subprocess.run(
        [sys.executable, *command], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def size_parser(description: str | None) -> argparse.ArgumentParser:
    """The command line of a benchmark over one workspace: `--users` and `--days`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--users", type=int, default=10000, help="workspace size (10,000)")
    parser.add_argument("--days", type=int, default=90, help="days backfilled (90)")
    return parser


def peak_rss_mib() -> float:
    """This process's peak resident set size so far."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    """When and where: the date, the CPU, the cores, the load average, Python."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{now}; {cpu}, {os.cpu_count()} cores, load average {load}; "
        f"Python {platform.python_version()}"
    )


def load_average() -> float:
    return os.getloadavg()[0]
