"""Run what today's 12:30 UTC ticks launch, in process: the analytics run and, beside it (the
compliance assets have their own partition set, so their own job), the compliance re-load."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.defs.automation import compliance_restate_schedule, daily_refresh_schedule


def _tick_run(
    schedule: dg.ScheduleDefinition, instance: dg.DagsterInstance
) -> dg.ExecuteInProcessResult:
    from codex_assets.definitions import defs

    yesterday = latest_complete_day(datetime.now(UTC))
    tick = datetime.combine(yesterday + timedelta(days=1), datetime.min.time(), UTC)
    context = dg.build_schedule_context(scheduled_execution_time=tick.replace(hour=12, minute=30))
    (request,) = schedule.evaluate_tick(context).run_requests
    job = defs().resolve_job_def(schedule.job_name)
    return job.execute_in_process(instance=instance, tags=request.tags, raise_on_error=False)


def scheduled_run(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """The analytics tick's one run over [D-2, D] (D = the latest complete day), through the
    real job."""
    return _tick_run(daily_refresh_schedule, instance)


def scheduled_compliance_run(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """The 12:30 compliance tick's one run over the same days, through the real job."""
    return _tick_run(compliance_restate_schedule, instance)
