"""Progress lines while a CLI run works: per asset, its day range and counts.

`codex-assets demo` runs one Dagster run in process for a minute or more; without these lines
the console stays silent after "Backfilling ...". A thread reads the run's own event log as
Dagster records it (the same events the UI shows) and prints, per asset: the days landed so far
while a raw asset pages through a long range (from the line each raw asset logs per day,
`codex_assets.lib.progress`), then one line when it is materialized, with its rows and time.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date

import dagster as dg

from codex_assets.lib.checks.outcome import window_text
from codex_assets.lib.progress import parse_landed_day

HEARTBEAT_SECONDS = 10.0
"""At most one "so far" line per raw table this often."""


class RunProgress:
    """Turns a run's event records into progress lines (`feed`), printed through `emit`."""

    def __init__(
        self,
        days: Sequence[date],
        partitioned: set[dg.AssetKey],
        emit: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
        days_of: Mapping[str, Sequence[date]] | None = None,
    ) -> None:
        """`days_of`: the days a raw table can land, where fewer than the run's `days` (the
        compliance log, whose API keeps 30 days)."""
        self.days, self.partitioned, self.emit, self.clock = list(days), partitioned, emit, clock
        self.days_of = dict(days_of or {})
        self.landed: dict[str, list[int]] = defaultdict(list)
        self.last_line: dict[str, float] = {}
        self.materialized: dict[dg.AssetKey, list[int]] = defaultdict(list)
        self.started: dict[str, float] = {}

    def feed(self, entry: dg.EventLogEntry) -> None:
        event = entry.dagster_event
        if event is None:
            landed = parse_landed_day(entry.user_message or "")
            if landed is not None:
                self._landed(landed.table, landed.rows)
            return
        if event.event_type == dg.DagsterEventType.STEP_START and event.step_key:
            self.started[event.step_key] = entry.timestamp
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            count = materialization.metadata.get("dagster/row_count")
            rows = getattr(count, "value", None)
            self.materialized[materialization.asset_key].append(
                rows if isinstance(rows, int) else -1
            )
        elif event.event_type == dg.DagsterEventType.STEP_SUCCESS:
            self._done(event, entry.timestamp)
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            self.emit(f"  failed  {event.step_key} (the summary below says why)")

    def _landed(self, table: str, rows: int) -> None:
        now = self.clock()
        if not self.landed[table]:  # the first day: the next line is due a heartbeat later
            self.last_line[table] = now
        self.landed[table].append(rows)
        if now - self.last_line[table] >= HEARTBEAT_SECONDS:
            self.last_line[table] = now
            so_far = self.landed[table]
            self.emit(
                f"  ...     raw/{table}: {len(so_far)} of {len(self.days_of.get(table, self.days))} "
                f"days landed so far, "
                f"{_rows_text(sum(so_far))}"
            )

    def _done(self, event: dg.DagsterEvent, timestamp: float) -> None:
        seconds = timestamp - self.started.get(event.step_key or "", timestamp)
        for key in [key for key in self.materialized if _step_of(key) == event.step_key]:
            days = self.days_of.get(key.path[-1], self.days) if key.path[0] == "raw" else self.days
            span = window_text(days) if key in self.partitioned else "snapshot"
            counts = self.materialized.pop(key)
            self.emit(
                f"  done    {key.to_user_string()}: {span}{self._rows(key, counts)}, {seconds:.1f} s"
            )

    def _rows(self, key: dg.AssetKey, counts: list[int]) -> str:
        """`, 6,232 rows`: a raw table's sum of the rows of the days it landed (its own per-day
        lines), or the row count of a single materialization; nothing otherwise (a range's
        materializations may each repeat the run's total)."""
        landed = self.landed.pop(key.path[-1], None) if key.path[0] == "raw" else None
        if landed is not None:
            return f", {_rows_text(sum(landed))}"
        if len(counts) == 1 and counts[0] >= 0:
            return f", {_rows_text(counts[0])}"
        return ""


def _rows_text(rows: int) -> str:
    return f"{rows:,} row{'' if rows == 1 else 's'}"


def _step_of(key: dg.AssetKey) -> str:
    """The step that materializes `key` (Dagster names it after the key: `raw__usage_users`)."""
    return "__".join(key.path)


@contextmanager
def watching(
    instance: dg.DagsterInstance,
    run_id: str,
    progress: RunProgress,
    poll_seconds: float = 1.0,
) -> Iterator[None]:
    """Feed `progress` the records of `run_id` from `instance` while the body runs (in a
    thread, polling the event log), then once more after it for the last records."""
    stop = threading.Event()
    cursor: list[str | None] = [None]

    def drain() -> None:
        while True:
            connection = instance.get_records_for_run(run_id, cursor=cursor[0], limit=500)
            for record in connection.records:
                progress.feed(record.event_log_entry)
            cursor[0] = connection.cursor
            if not connection.has_more:
                return

    def loop() -> None:
        while not stop.wait(poll_seconds):
            try:
                drain()
            except Exception as error:  # progress is only words: never let it break the run
                progress.emit(f"  (progress lines stopped: {type(error).__name__})")
                return

    thread = threading.Thread(target=loop, name="codex-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        drain()
