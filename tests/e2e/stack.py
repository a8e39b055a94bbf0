"""The real stack on loopback: the simulator over HTTP and `dagster dev`, in their own sessions.

Both run as subprocesses in new process groups, so teardown can signal the whole group (the
webserver, the daemon and the code server `dagster dev` starts) and escalate to SIGKILL: a
`dagster dev` that inherited an ignored SIGTERM would otherwise outlive the test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_group(process: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left of it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    # The group may outlive its leader (children of `dagster dev`): kill it regardless.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    # SIGKILL is delivered asynchronously: on a loaded machine a member can take a moment to die.
    deadline = time.monotonic() + grace
    while group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group `pgid`, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


@contextlib.contextmanager
def simulator_server(users: int, seed: int, log: Path) -> Iterator[dict[str, str]]:
    """`codex-assets simulator serve` on a free loopback port; yields the env it prints."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "codex_assets.cli",
            "simulator",
            "serve",
            "--port",
            "0",
            "--users",
            str(users),
            "--seed",
            str(seed),
        ],
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
        start_new_session=True,
        cwd=REPO,
    )
    try:
        env: dict[str, str] = {}
        deadline = time.monotonic() + 60
        while not env and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"the simulator exited: {log.read_text()[-2000:]}")
            if line.startswith("export "):
                env = dict(item.split("=", 1) for item in line.split()[1:])
        yield env
    finally:
        stop_group(process)


@dataclass
class Dagster:
    url: str
    home: Path
    process: subprocess.Popen
    log: Path

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> dict:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": dict(variables or {})},
            timeout=60,
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise AssertionError(f"GraphQL errors: {body['errors']}")
        return body["data"]


@contextlib.contextmanager
def dagster_dev(
    env: Mapping[str, str], home: Path, log: Path, timeout: float = 120
) -> Iterator[Dagster]:
    """`dagster dev` (webserver + daemon) on the repo's workspace.yaml, with the repo's
    dagster.yaml in a fresh DAGSTER_HOME."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "instance" / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    dagster = Path(sys.executable).with_name("dagster")
    process = subprocess.Popen(
        [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **env, "DAGSTER_HOME": str(home)},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=REPO,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"dagster dev exited: {log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(f"dagster dev did not answer: {log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield Dagster(url, home, process, log)
    finally:
        stop_group(process)
