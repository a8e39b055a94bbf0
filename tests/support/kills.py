"""Kill a real `codex-assets backfill` at a chosen point, and compare what it leaves behind.

`Tripwire` wraps the simulator served over real HTTP: it records the route of every request
and, when armed, holds the N-th request of a route (or of any route) unanswered and tells the
test, which then SIGKILLs the backfill's process group while that request is in flight. A
point without requests (the marts and checks after the last one) is chosen by time instead.

What the runs leave is compared with tests/support/digests.py.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codex_assets.lib.staging import STAGING_DIR
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.server import make_server

ANY_ROUTE = "*"


@dataclass(frozen=True)
class KillPoint:
    """Kill when the `nth` request of `route` (ANY_ROUTE: of any route) arrives, then wait
    `after_s` more (a point in a phase without requests); with `published`, `route` is a lake
    table instead, and the kill comes once its `nth` partition is published (between days).
    `phase` is for the test's id."""

    phase: str
    route: str
    nth: int
    after_s: float = 0.0
    published: bool = False

    @property
    def id(self) -> str:
        delay = f"+{self.after_s:g}s" if self.after_s else ""
        return f"{self.phase}:{self.route}#{self.nth}{delay}"


class Tripwire:
    """A stand-in for the simulator behind `SimulatorHTTPServer`: counts and may hold requests."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.routes: list[str] = []
        self._lock = threading.Lock()
        self._armed: KillPoint | None = None
        self.tripped = threading.Event()
        self._release = threading.Event()
        self.last_request_at = 0.0
        """`time.monotonic()` when the last request arrived."""

    def handle(self, method: str, path: str, query: Any, headers: Mapping[str, str]):
        found = self.sim.router.match(method.upper(), path)
        route = "?" if isinstance(found, list) else found[0].name
        with self._lock:
            self.routes.append(route)
            self.last_request_at = time.monotonic()
            point = self._armed
            hit = point is not None and (
                (point.route == ANY_ROUTE and len(self.routes) == point.nth)
                or (point.route == route and self.routes.count(route) == point.nth)
            )
        if hit and point.after_s == 0:  # hold this request open until the run is killed
            self.tripped.set()
            self._release.wait(60)
        answer = self.sim.handle(method, path, query, headers)
        if hit and point.after_s:
            self.tripped.set()
        return answer

    def arm(self, point: KillPoint) -> None:
        with self._lock:
            self.routes.clear()
            self._armed = point
        self.tripped.clear()
        self._release.clear()

    def disarm(self) -> None:
        with self._lock:
            self._armed = None
        self._release.set()

    def counts(self) -> Counter:
        with self._lock:
            return Counter(self.routes)


@contextmanager
def serving(wire: Tripwire) -> Iterator[str]:
    """Serve `wire` over HTTP on loopback; yields the API root URL."""
    server = make_server(wire)  # type: ignore[arg-type]  # only `handle` is called
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server.base_url
    finally:
        wire.disarm()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def published(data_dir: Path, table: str, since: float) -> int:
    """How many partitions of `table` were published (written) at or after `since` (epoch s)."""
    files = (data_dir / "lake" / table).glob("day=*/data.parquet")
    return sum(1 for path in files if path.stat().st_mtime >= since)


def leftovers(data_dir: Path) -> list[str]:
    """What in the lake is not a published partition or the source record: staging folders,
    `.tmp` files, FIFOs (the shapes killed runs used to leave behind)."""
    found = []
    for path in sorted((data_dir / "lake").rglob("*")):
        name = path.name
        if (
            stat.S_ISFIFO(path.lstat().st_mode)
            or name.startswith(".staging")
            or name.endswith(".tmp")
            or (path.is_file() and name != "_source.json" and not name.endswith(".parquet"))
        ):
            found.append(str(path.relative_to(data_dir)))
    return found


def dead_staging(data_dir: Path) -> list[str]:
    """Entries of the staging place (outside the lake) whose writer process is gone."""
    root = data_dir / STAGING_DIR
    if not root.exists():
        return []
    return [entry.name for entry in root.iterdir() if not _alive(entry.name.split("-")[0])]


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
