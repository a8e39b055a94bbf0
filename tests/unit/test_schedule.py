"""The daily schedule: 12:30 UTC, yesterday plus the two days before it, as one run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from codex_assets.definitions import defs
from codex_assets.defs.automation import (
    RANGE_END_TAG,
    RANGE_START_TAG,
    compliance_refresh_job,
    compliance_refresh_schedule,
    compliance_restate_schedule,
    daily_refresh_job,
    daily_refresh_schedule,
    scheduled_range,
)
from codex_assets.defs.partitions import compliance_partitions, daily_partitions


def _tick(when: datetime) -> list[dg.RunRequest]:
    context = dg.build_schedule_context(scheduled_execution_time=when)
    return list(daily_refresh_schedule.evaluate_tick(context).run_requests or [])


def test_schedule_runs_daily_at_1230_utc_and_is_on_by_default():
    assert daily_refresh_schedule.cron_schedule == "30 12 * * *"
    assert daily_refresh_schedule.execution_timezone == "UTC"
    assert daily_refresh_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert daily_refresh_schedule.job_name == "daily_refresh"


def test_tick_requests_yesterday_and_the_two_days_before_as_one_range_run():
    (request,) = _tick(datetime(2026, 11, 21, 12, 30, tzinfo=UTC))
    assert request.tags[RANGE_START_TAG] == "2026-11-18"
    assert request.tags[RANGE_END_TAG] == "2026-11-20"
    assert request.partition_key is None  # a range, not three runs
    assert request.run_key == "daily-2026-11-20"
    keys = daily_partitions.get_partition_keys_in_range(
        dg.PartitionKeyRange(request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG])
    )
    assert keys == ["2026-11-18", "2026-11-19", "2026-11-20"]


def test_tick_uses_utc_whatever_the_timezone_of_the_tick():
    from zoneinfo import ZoneInfo

    # 12:30 UTC is 04:30 in Los Angeles on the same day.
    when = datetime(2026, 11, 21, 4, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    (request,) = _tick(when)
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == (
        "2026-11-18",
        "2026-11-20",
    )


def test_range_is_clipped_to_the_first_partition():
    first = daily_partitions.start.date()

    def at(day):
        return datetime(day.year, day.month, day.day, 12, 30, tzinfo=UTC)

    assert scheduled_range(at(first + timedelta(days=2))) == (first, first + timedelta(days=1))
    assert scheduled_range(at(first)) is None
    result = daily_refresh_schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=at(first))
    )
    assert not result.run_requests and result.skip_message


def test_the_two_scheduled_jobs_cover_every_asset_each_in_one_run_of_one_partition_set():
    definitions = defs()
    graph = definitions.resolve_asset_graph()
    executable = {key for key in graph.get_all_asset_keys() if graph.get(key).is_executable}
    jobs = {
        daily_refresh_job.name: daily_partitions,
        compliance_refresh_job.name: compliance_partitions,
    }
    covered: list = []
    for name, partitions_def in jobs.items():
        job = definitions.resolve_job_def(name)
        in_job = set(job.asset_layer.executable_asset_keys)
        covered += in_job
        for key in in_job:
            node = graph.get(key)
            if node.partitions_def is not None:
                # One run over a range needs every partitioned asset to accept a single run.
                assert node.partitions_def == partitions_def, key
                assert node.backfill_policy == dg.BackfillPolicy.single_run(), key
    assert sorted(covered) == sorted(executable)  # every asset in exactly one of the two
    assert daily_partitions != compliance_partitions


def test_compliance_restate_tick_at_1230_reloads_the_last_three_compliance_days():
    assert compliance_restate_schedule.cron_schedule == daily_refresh_schedule.cron_schedule
    assert compliance_restate_schedule.job_name == compliance_refresh_job.name
    assert compliance_restate_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    first = compliance_partitions.start.date()
    tick = datetime(first.year, first.month, first.day, 12, 30, tzinfo=UTC)
    context = dg.build_schedule_context(scheduled_execution_time=tick + timedelta(days=10))
    (request,) = compliance_restate_schedule.evaluate_tick(context).run_requests
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == (
        (first + timedelta(days=7)).isoformat(),
        (first + timedelta(days=9)).isoformat(),
    )
    assert request.run_key == f"compliance-restate-{first + timedelta(days=9)}"
    # Clipped to the compliance set's own start, not the analytics one's.
    assert scheduled_range(tick + timedelta(days=2), compliance_partitions) == (
        first,
        first + timedelta(days=1),
    )


@pytest.mark.parametrize("hour", [0, 12, 23])
def test_any_tick_time_on_a_day_requests_the_same_days(hour):
    (request,) = _tick(datetime(2026, 11, 21, hour, 30, tzinfo=UTC))
    assert request.tags[RANGE_END_TAG] == "2026-11-20"


def _compliance_tick(when: datetime) -> dg.ScheduleExecutionData:
    # A partitioned run request is validated against the repository's partitions.
    repository = defs().get_repository_def()
    context = dg.build_schedule_context(scheduled_execution_time=when, repository_def=repository)
    return compliance_refresh_schedule.evaluate_tick(context)


def test_compliance_tick_at_0115_utc_loads_yesterday_before_its_0200_deadline():
    assert compliance_refresh_schedule.cron_schedule == "15 1 * * *"
    assert compliance_refresh_schedule.execution_timezone == "UTC"
    assert compliance_refresh_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    (request,) = _compliance_tick(datetime(2026, 11, 21, 1, 15, tzinfo=UTC)).run_requests
    assert request.partition_key == "2026-11-20"
    assert request.run_key == "compliance-2026-11-20"
    # Before 01:00 UTC the day's last files may not be published: the day before is loaded.
    (early,) = _compliance_tick(datetime(2026, 11, 21, 0, 30, tzinfo=UTC)).run_requests
    assert early.partition_key == "2026-11-19"


def test_compliance_tick_skips_before_the_first_partition():
    first = compliance_partitions.start.date()
    result = _compliance_tick(datetime(first.year, first.month, first.day, 1, 15, tzinfo=UTC))
    assert not result.run_requests and result.skip_message


def test_the_compliance_job_is_the_compliance_log_and_what_is_built_on_it():
    job = defs().resolve_job_def(compliance_refresh_job.name)
    assert {key.to_user_string() for key in job.asset_layer.executable_asset_keys} == {
        "raw/compliance_codex_log",
        "restricted/compliance_events",
        "restricted/secret_findings",
        "marts/compliance_activity_daily",
        "marts/compliance_agent_activity_daily",
        "marts/access_token_events",
        "reports/compliance_export",
    }
