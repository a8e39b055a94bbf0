"""The compliance log's freshness check: the lake's rule, the API's max_event_time beside it.

Rule (unchanged): the day that is due (D, by D+1 02:00 UTC) is materialized; WARN, never
blocking. The check reports the lake's newest event and the Compliance API's `max_event_time`
(codex-api.md, "2026-12 additions") in its summary and metadata. The API's time "does not
guarantee that all earlier events have arrived", so it never makes a failing check pass; a 404
(an API older than the endpoint) leaves the lake alone and says so; other errors are named.
The Dagster tests run the check against tests/support/contract_server.py over real HTTP.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import dagster as dg
import pytest

from codex_assets.defs.compliance.checks import asset_checks as freshness_module
from codex_assets.defs.compliance.checks.asset_checks import (
    COMPLIANCE_TARGET,
    compliance_freshness_check,
)
from codex_assets.defs.compliance.checks.freshness import (
    API_FAILED,
    API_NOT_OFFERED,
    API_READ,
    ApiNewestEvent,
    LakeNewestEvent,
    compliance_freshness,
    lake_newest_event,
)
from codex_assets.defs.compliance.raw_assets import RAW_KEY as COMPLIANCE_KEY
from codex_assets.defs.compliance.window import COMPLIANCE_SLA
from codex_assets.defs.partitions import compliance_partitions
from codex_assets.defs.reconciliation.checks.freshness import freshness_checks
from codex_assets.lib.checks.freshness import (
    FRESH_UNTIL_KEY,
    FRESHNESS_CHECK_NAME,
    FRESHNESS_PARAMS_KEY,
    LATEST_CRON_TICK_KEY,
)
from codex_assets.lib.lake import Lake
from tests.support.compliance import body, event, land
from tests.support.contract_server import API_KEY, WORKSPACE, contract_server, utc
from tests.support.resources import environment_codex, environment_settings

NOW = utc(2026, 5, 12, 9, 0)
DUE = date(2026, 5, 11)  # due by 2026-05-12 02:00 UTC
TABLE = "compliance_codex_log"
LAKE = LakeNewestEvent(utc(2026, 5, 11, 23, 58, 3), DUE, 1)


def _outcome(landed: bool, api: ApiNewestEvent, lake: LakeNewestEvent = LAKE):
    return compliance_freshness(
        table=TABLE, sla=COMPLIANCE_SLA, due_day=DUE, landed=landed, lake=lake, api=api
    )


# -- the rule, as plain functions ---------------------------------------------------------------


def test_a_landed_day_passes_and_reports_both_newest_events():
    outcome = _outcome(True, ApiNewestEvent(API_READ, utc(2026, 5, 12, 8, 40)))
    assert outcome.passed
    assert "day 2026-05-11 is landed" in outcome.summary
    assert "2026-05-11 23:58:03 UTC" in outcome.summary  # the lake's
    assert "max_event_time for CODEX_LOG is 2026-05-12 08:40:00 UTC" in outcome.summary
    assert "522 minutes after the lake's newest event" in outcome.summary
    measured = outcome.measured
    assert measured["api_max_event_time"] == "2026-05-12 08:40:00 UTC"
    assert measured["lake_newest_event"] == "2026-05-11 23:58:03 UTC"
    assert measured["api_ahead_of_lake_minutes"] == pytest.approx(521.95, abs=0.06)
    assert measured["api_max_event_time_status"] == API_READ
    assert measured["deadline"] == "2026-05-12 02:00:00 UTC"


@pytest.mark.parametrize("api_time", [utc(2026, 5, 12, 8, 40), utc(2026, 5, 11, 12), None])
def test_the_api_never_makes_a_day_the_lake_lacks_pass(api_time):
    outcome = _outcome(False, ApiNewestEvent(API_READ, api_time))
    assert not outcome.passed
    assert outcome.offending_days == [DUE]
    assert "is not landed" in outcome.summary
    assert "uv run codex-assets backfill --start 2026-05-11 --end 2026-05-11" in outcome.summary
    if api_time is not None and api_time >= utc(2026, 5, 12):
        assert "it is the load that is late" in outcome.summary
    else:
        assert "the delay may be upstream" in outcome.summary
        assert "still counts as late" in outcome.summary


def test_a_null_max_event_time_is_reported_as_no_event():
    outcome = _outcome(True, ApiNewestEvent(API_READ, None))
    assert outcome.passed
    assert "is null: it reports no event" in outcome.summary
    assert outcome.measured["api_max_event_time"] == "null (no event)"
    assert "api_ahead_of_lake_minutes" not in outcome.measured


@pytest.mark.parametrize("landed", [True, False])
def test_an_api_without_the_endpoint_leaves_the_lake_rule_and_says_so(landed):
    outcome = _outcome(landed, ApiNewestEvent(API_NOT_OFFERED, problem="ApiNotFoundError: 404"))
    assert outcome.passed is landed
    assert "no max_event_time endpoint (HTTP 404" in outcome.summary
    assert "judged on the lake alone" in outcome.summary
    assert "api_max_event_time" not in outcome.measured


@pytest.mark.parametrize("landed", [True, False])
def test_any_other_failure_is_named_and_the_lake_decides(landed):
    problem = "ApiPermissionError: HTTP 403 Forbidden for GET /v1/compliance/…/max_event_time"
    outcome = _outcome(landed, ApiNewestEvent(API_FAILED, problem=problem))
    assert outcome.passed is landed
    assert f"could not be read ({problem})" in outcome.summary
    assert outcome.measured["api_max_event_time_problem"] == problem


def test_an_empty_lake_is_said_plainly():
    outcome = _outcome(False, ApiNewestEvent(API_READ, None), LakeNewestEvent(None, None, 0))
    assert "the lake holds no partition yet" in outcome.summary
    assert outcome.measured["lake_newest_event"] == "none"


def test_the_lakes_newest_event_is_read_from_the_newest_partitions(tmp_path):
    lake = Lake(tmp_path / "lake")
    assert lake_newest_event(lake, TABLE) == LakeNewestEvent(None, None, 0)
    older, newer = DUE - timedelta(days=1), DUE
    land(
        lake,
        older,
        [("f1", datetime(2026, 5, 11, 0, 0), body(event("e1", "2026-05-10T23:50:00Z", "X")))],
    )
    land(
        lake,
        newer,
        [
            (
                "f2",
                datetime(2026, 5, 11, 10, 10),
                body(
                    event("e2", "2026-05-11T10:01:00Z", "X"),
                    event("e3", "2026-05-11T12:05:00+02:00", "X"),  # 10:05 UTC: the newest
                    event("e4", "2026-05-11T09:00:00", "X"),  # no offset: taken as UTC
                    event("e5", "not a time", "X"),
                ),
            )
        ],
    )
    assert lake_newest_event(lake, TABLE) == LakeNewestEvent(utc(2026, 5, 11, 10, 5), newer, 1)
    # a newest partition without a timed event: the one before it is searched
    land(lake, newer + timedelta(days=1), [("f3", datetime(2026, 5, 12, 0, 10), b"{}\n")])
    assert lake_newest_event(lake, TABLE) == LakeNewestEvent(utc(2026, 5, 11, 10, 5), newer, 2)


# -- through Dagster, against the contract server over real HTTP --------------------------------


@dg.asset(key=COMPLIANCE_KEY, partitions_def=compliance_partitions)
def _compliance_codex_log() -> None: ...


TARGET = COMPLIANCE_TARGET


def _evaluate(instance: dg.DagsterInstance) -> dg.AssetCheckEvaluation:
    definitions = dg.Definitions(
        assets=[_compliance_codex_log],
        asset_checks=[compliance_freshness_check(TARGET)],
        resources={"codex": environment_codex()},
    )
    job = definitions.resolve_implicit_global_asset_job_def().get_subset(
        asset_check_selection={dg.AssetCheckKey(COMPLIANCE_KEY, FRESHNESS_CHECK_NAME)}
    )
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


@pytest.fixture
def api_mode(data_dir, monkeypatch):
    """CODEX_SOURCE=api at a contract server; the check's clock pinned to NOW."""
    monkeypatch.setattr(freshness_module, "utc_now", lambda: NOW)

    def start(**server_fields):
        server = contract_server(**server_fields)
        running = server.__enter__()
        monkeypatch.setenv("CODEX_SOURCE", "api")
        monkeypatch.setenv("CODEX_API_BASE_URL", running.url)
        monkeypatch.setenv("CODEX_WORKSPACE_ID", WORKSPACE)
        monkeypatch.setenv("CODEX_COMPLIANCE_API_KEY", API_KEY)
        monkeypatch.setenv("CODEX_ANALYTICS_API_KEY", "sk-analytics-unused")
        started.append(server)
        return running

    started: list = []
    yield start
    for server in started:
        server.__exit__(None, None, None)


def _land_due_day(instance: dg.DagsterInstance) -> None:
    lake = Lake(environment_settings().lake_root)
    events = body(event("e1", "2026-05-11T23:41:09Z", "PROMPT_SENT"))
    land(lake, DUE, [("f1", datetime(2026, 5, 11, 23, 50), events)])
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=COMPLIANCE_KEY, partition=DUE.isoformat())
    )


def test_the_check_reads_max_event_time_and_keeps_dagsters_freshness_metadata(api_mode):
    server = api_mode(max_event_time={"CODEX_LOG": utc(2026, 5, 12, 8, 30)})
    instance = dg.DagsterInstance.ephemeral()
    _land_due_day(instance)
    evaluation = _evaluate(instance)
    assert evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    metadata = {k: v.value for k, v in evaluation.metadata.items()}
    assert metadata["api_max_event_time"] == "2026-05-12 08:30:00 UTC"
    assert metadata["lake_newest_event"] == "2026-05-11 23:41:09 UTC"
    assert metadata["api_max_event_time_status"] == API_READ
    assert metadata[FRESHNESS_PARAMS_KEY] == {"timezone": "UTC", "deadline_cron": "0 2 * * *"}
    assert metadata[LATEST_CRON_TICK_KEY] == utc(2026, 5, 12, 2).timestamp()
    assert metadata[FRESH_UNTIL_KEY] == utc(2026, 5, 13, 2).timestamp()
    assert "2026-05-12 08:30:00 UTC" in evaluation.description
    assert "2026-05-11 23:41:09 UTC" in evaluation.description
    (call,) = server.calls("/max_event_time")
    assert call["query"] == [("event_type", "CODEX_LOG")]
    assert API_KEY not in str(metadata) + evaluation.description


def test_a_day_not_landed_fails_whatever_the_api_says(api_mode):
    api_mode(max_event_time={"CODEX_LOG": utc(2026, 5, 12, 8, 30)})
    evaluation = _evaluate(dg.DagsterInstance.ephemeral())
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "day 2026-05-11, due by 2026-05-12 02:00:00 UTC, is not landed" in (
        evaluation.description
    )
    assert "it is the load that is late" in evaluation.description
    assert FRESH_UNTIL_KEY not in evaluation.metadata


def test_an_older_api_answering_404_falls_back_to_the_lake(api_mode):
    api_mode(max_event_time=None)
    instance = dg.DagsterInstance.ephemeral()
    _land_due_day(instance)
    evaluation = _evaluate(instance)
    assert evaluation.passed
    assert "no max_event_time endpoint (HTTP 404" in evaluation.description
    assert evaluation.metadata["api_max_event_time_status"].value == API_NOT_OFFERED


@pytest.mark.parametrize("status", [401, 403])
def test_other_api_errors_are_named_without_the_key(api_mode, status):
    api_mode(max_event_time={"CODEX_LOG": None}, max_event_time_status=status)
    instance = dg.DagsterInstance.ephemeral()
    _land_due_day(instance)
    evaluation = _evaluate(instance)
    assert evaluation.passed  # the lake's verdict stands
    assert "max_event_time could not be read (Api" in evaluation.description
    assert f"HTTP {status}" in evaluation.description
    problem = evaluation.metadata["api_max_event_time_problem"].value
    assert evaluation.metadata["api_max_event_time_status"].value == API_FAILED
    assert API_KEY not in problem and API_KEY not in evaluation.description


def test_a_missing_compliance_key_is_named_not_raised(api_mode, monkeypatch):
    api_mode(max_event_time={"CODEX_LOG": None})
    monkeypatch.delenv("CODEX_COMPLIANCE_API_KEY")
    evaluation = _evaluate(dg.DagsterInstance.ephemeral())
    assert not evaluation.passed
    assert "SettingsError: CODEX_COMPLIANCE_API_KEY is not set" in evaluation.description


def test_the_compliance_check_is_built_with_the_analytics_ones_and_keeps_its_name():
    checks = freshness_checks()
    keys = {key for c in checks for key in c.check_keys}
    assert dg.AssetCheckKey(COMPLIANCE_KEY, FRESHNESS_CHECK_NAME) in keys
    (spec,) = checks[-1].check_specs
    assert not spec.blocking
    assert spec.metadata[FRESHNESS_PARAMS_KEY].value == {
        "timezone": "UTC",
        "deadline_cron": "0 2 * * *",
    }


def test_dagsters_freshness_sensor_drives_the_check(api_mode, monkeypatch):
    """`build_sensor_for_freshness_checks` runs a check never run, and re-runs a passed one only
    once its `dagster/fresh_until_timestamp` has gone by: the check must carry it (the real
    clock here, as the sensor's is)."""
    monkeypatch.setattr(freshness_module, "utc_now", lambda: datetime.now(UTC))
    api_mode(max_event_time={"CODEX_LOG": None})
    instance = dg.DagsterInstance.ephemeral()
    check = compliance_freshness_check(TARGET)
    sensor = dg.build_sensor_for_freshness_checks(freshness_checks=[check], name="s")
    definitions = dg.Definitions(
        assets=[_compliance_codex_log],
        asset_checks=[check],
        sensors=[sensor],
        resources={"codex": environment_codex()},
    )

    def tick():
        return sensor(dg.build_sensor_context(instance=instance, definitions=definitions))

    key = dg.AssetCheckKey(COMPLIANCE_KEY, FRESHNESS_CHECK_NAME)
    assert tick().asset_check_keys == [key]
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            asset_key=COMPLIANCE_KEY,
            partition=COMPLIANCE_SLA.latest_due_day(datetime.now(UTC)).isoformat(),
        )
    )
    assert _evaluate(instance).passed
    assert isinstance(tick(), dg.SkipReason)
