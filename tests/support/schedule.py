"""Run what today's 12:30 UTC tick of the daily schedule launches, in process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.defs.automation import daily_refresh_schedule


def scheduled_run(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """The tick's one run over [D-2, D] (D = the latest complete day), through the real job."""
    from codex_assets.definitions import defs

    yesterday = latest_complete_day(datetime.now(UTC))
    tick = datetime.combine(yesterday + timedelta(days=1), datetime.min.time(), UTC)
    context = dg.build_schedule_context(scheduled_execution_time=tick.replace(hour=12, minute=30))
    (request,) = daily_refresh_schedule.evaluate_tick(context).run_requests
    job = defs().resolve_job_def(daily_refresh_schedule.job_name)
    return job.execute_in_process(instance=instance, tags=request.tags, raise_on_error=False)
