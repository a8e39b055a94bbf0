"""The CLI's progress lines: read from a real run's event log while it runs, per asset, with
its day range and counts, and no line for what a newcomer need not read."""

import uuid
from datetime import date, timedelta

import dagster as dg

from codex_assets.lib.progress import IDLE_NOTE, landed_day_message, parse_landed_day
from codex_assets.progress import HEARTBEAT_SECONDS, RunProgress, watching

DAYS = [date(2026, 11, 1) + timedelta(days=i) for i in range(4)]
ROWS = [5, 0, 7, 11]
daily = dg.DailyPartitionsDefinition(start_date="2026-11-01", end_date="2026-11-05")


@dg.asset(key=["raw", "demo_table"], partitions_def=daily)
def demo_table(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    for day, rows in zip(DAYS, ROWS, strict=True):
        context.log.info(landed_day_message("demo_table", day, rows))
    return dg.MaterializeResult(metadata={"dagster/row_count": sum(ROWS)})


@dg.asset(key=["marts", "demo_snapshot"], deps=[demo_table])
def demo_snapshot() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"dagster/row_count": 3})


def test_the_day_line_reads_back_as_it_was_written() -> None:
    day = date(2026, 11, 2)
    assert parse_landed_day(landed_day_message("usage_users", day, 71)).rows == 71
    idle = landed_day_message("usage_users", day, 0)
    assert idle.endswith(IDLE_NOTE)
    assert parse_landed_day(idle) == parse_landed_day("usage_users 2026-11-02: 0 rows")
    files = parse_landed_day(landed_day_message("compliance_codex_log", day, 12040, files=9))
    assert (files.table, files.day, files.rows) == ("compliance_codex_log", day, 12040)
    assert parse_landed_day("usage_users: 4 values restated since the last load") is None


def test_a_real_run_prints_one_line_per_asset_with_its_days_and_rows() -> None:
    """Each asset's line names its day range (the run's, or "snapshot") and its rows: a raw
    table's from the days it landed, whatever its materializations repeat."""
    lines: list[str] = []
    instance = dg.DagsterInstance.ephemeral()
    run_id = str(uuid.uuid4())
    partitioned = {dg.AssetKey(["raw", "demo_table"])}
    # A clock that jumps a heartbeat per reading: every landed day after the first is reported.
    ticks = iter(range(0, 1000 * int(HEARTBEAT_SECONDS), int(HEARTBEAT_SECONDS)))
    progress = RunProgress(DAYS, partitioned, lines.append, clock=lambda: next(ticks))
    job = dg.Definitions(assets=[demo_table, demo_snapshot]).resolve_implicit_global_asset_job_def()
    with watching(instance, run_id, progress, poll_seconds=0.05):
        result = job.execute_in_process(
            instance=instance,
            run_id=run_id,
            tags={
                "dagster/asset_partition_range_start": DAYS[0].isoformat(),
                "dagster/asset_partition_range_end": DAYS[-1].isoformat(),
            },
        )
    assert result.success
    done = [line for line in lines if line.startswith("  done")]
    assert done[0].startswith(
        f"  done    raw/demo_table: 2026-11-01..2026-11-04 (4 days), {sum(ROWS)} rows, "
    )
    assert done[1].startswith("  done    marts/demo_snapshot: snapshot, 3 rows, ")
    so_far = [line for line in lines if line.startswith("  ...")]
    # The first day starts the heartbeat; each later day (a heartbeat apart) gets a line.
    assert so_far == [
        f"  ...     raw/demo_table: {n} of 4 days landed so far, {sum(ROWS[:n])} rows"
        for n in (2, 3, 4)
    ]


def test_a_table_that_lands_fewer_days_is_counted_against_its_own() -> None:
    lines: list[str] = []
    served = DAYS[2:]
    progress = RunProgress(DAYS, set(), lines.append, clock=lambda: 0.0, days_of={"log": served})
    progress.landed["log"] = [1]
    progress.last_line["log"] = -HEARTBEAT_SECONDS
    progress._landed("log", 2)
    assert lines == ["  ...     raw/log: 2 of 2 days landed so far, 3 rows"]
