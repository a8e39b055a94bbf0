"""The fields the API sends that no column reads: parsed from the SQL, measured on the lake."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

import orjson
import pytest

from codex_assets.defs.analytics.checks.tables import (
    ANALYTICS_CHECKED_TABLES,
    USAGE_USERS,
    USAGE_WORKSPACE,
)
from codex_assets.defs.analytics.landing import write_partition
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.compliance.checks.tables import COMPLIANCE_CODEX_LOG
from codex_assets.defs.compliance.landing import RAW_TABLE
from codex_assets.lib.checks.record_fields import (
    declared_untyped,
    known_fields,
    paths,
    read_fields,
    record_keys_sql,
    unread_fields,
)
from codex_assets.lib.checks.validity import schema_diff
from codex_assets.lib.lake import Lake
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import SimulatorConfig
from codex_assets.simulator.faults import with_extra_fields
from codex_assets.simulator.responses import SimResponse
from tests.support.compliance import body, event, land

SIM = Simulator(SimulatorConfig(seed=11, users=30))
ENDPOINTS = {table.name: table.endpoint for table in ANALYTICS_RAW_TABLES}
DAYS = [date(2026, 5, 4) + timedelta(days=i) for i in range(3)]
FOOTER = {"pages": 1, "requests": 1, "complete": "true"}
ALL_TABLES = [*ANALYTICS_CHECKED_TABLES.values(), COMPLIANCE_CODEX_LOG]


def served(table: str, day: date) -> list[dict]:
    return copy.deepcopy(SIM.day_rows(ENDPOINTS[table], day))


def landed(tmp_path, change=None, day=DAYS[1]) -> Lake:
    """The four analytics tables for DAYS as the simulator serves them; `change(table, rows)`
    alters the rows of `day` before they land."""
    lake = Lake(tmp_path / "lake")
    for table in ENDPOINTS:
        for each in DAYS:
            rows = served(table, each)
            if change is not None and each == day:
                change(table, rows)
            write_partition(lake, table, each, rows, metadata=FOOTER)
    return lake


# -- the SQL side ----------------------------------------------------------------------------


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.name)
def test_every_typed_sql_parses_and_declares_nothing_it_also_reads(table):
    known = known_fields(table.typed_from)
    read = set(paths(known.read))
    assert read, table.name
    for path in known.untyped:
        assert path not in read, f"{path} is read by {table.typed_from.sql_file}: undeclare it"
        assert not any(path.startswith(f"{r}.") or r.startswith(f"{path}.") for r in read), path


def test_the_usage_sql_reads_totals_breakdowns_and_code_attribution_whole():
    read = set(paths(known_fields(USAGE_USERS.typed_from).read))
    assert {
        "start_time",
        "user_id",
        "actor.user_id",
        "actor.email",
        "totals.threads",
        "totals.text_total_tokens",
        "clients[].client_id",
        "clients[].estimated_cost_usd",
        "models[].speed",
        "code_attribution",  # kept as a JSON column: everything under it is read
    } <= read
    assert "totals" not in read and "object" not in read
    assert known_fields(USAGE_USERS.typed_from).untyped == ("object", "actor.type")


def test_the_compliance_sql_reads_the_envelope_and_the_details_it_types():
    read = set(paths(known_fields(COMPLIANCE_CODEX_LOG.typed_from).read))
    assert {
        "event_id",  # record ->> '$.event_id'
        "actor.user_email",
        "principal.type",
        "event_details.session_id",
        "event_details.token_usage.reasoning_output_tokens",
        "event_details.expires_at",
    } <= read


def test_arrow_chains_jsonpaths_indexes_and_structures_are_followed():
    sql = """
        SELECT
            (json -> 'a' -> 'b' ->> 'c')::BIGINT,
            (json -> 'x') ->> 'y',
            json ->> '$.p[*].q',
            json -> 'l' -> 0 ->> 'k',
            json_extract_string(json, '$."quoted key"'),
            from_json(json -> 'm', '[{"n": "VARCHAR", "o": {"p": "BIGINT"}}]'),
            json AS record,
            other -> 'ignored'
        FROM read_json_objects($path)
    """
    assert read_fields(sql, "json") == {
        "a": {"b": {"c": None}},
        "x": {"y": None},
        "p": {"[]": {"q": None}},
        "l": {"[]": {"k": None}},
        "quoted key": None,
        "m": {"[]": {"n": None, "o": {"p": None}}},
    }


def test_a_path_the_walker_cannot_follow_fails_loudly():
    with pytest.raises(ValueError, match="not a constant"):
        read_fields("SELECT json ->> some_column FROM t", "json")
    with pytest.raises(ValueError, match="reads no field"):
        read_fields("SELECT record FROM t", "json")
    with pytest.raises(ValueError, match="not like"):
        declared_untyped("-- untyped: fine, not a path!")


def test_the_query_lists_keys_of_every_object_the_sql_reads_into():
    levels, query = record_keys_sql(known_fields(USAGE_USERS.typed_from).tree)
    assert levels == ["", "actor", "totals", "clients[]", "models[]"]
    assert '$."clients"[*]' in query and "code_attribution" not in query


# -- the lake side ---------------------------------------------------------------------------


@pytest.mark.parametrize("table", list(ANALYTICS_CHECKED_TABLES), ids=str)
def test_a_clean_lake_has_no_unread_field(tmp_path, table):
    lake = landed(tmp_path)
    drift = unread_fields(lake, table, ANALYTICS_CHECKED_TABLES[table].typed_from, DAYS)
    assert drift.fields == ()
    assert drift.days_checked == tuple(DAYS)


def test_added_fields_are_named_at_the_first_level_the_sql_does_not_know(tmp_path):
    def change(table, rows):
        if table != "usage_users":
            return
        rows[0]["totals"]["credits_overage"] = 1.25  # a totals field added by a later API
        rows[1]["foo"] = {"deep": {"deeper": 1}}  # an unknown object: named once
        rows[2]["clients"][0]["new_metric"] = 3
        rows[2]["actor"]["department"] = "eng"
        rows[3]["code_attribution"] = {"lines_of_code": {"added": 1, "new": 2}}  # read whole

    lake = landed(tmp_path, change)
    drift = unread_fields(lake, "usage_users", USAGE_USERS.typed_from, DAYS)
    assert [f.path for f in drift.fields] == [
        "actor.department",
        "clients[].new_metric",
        "foo",
        "totals.credits_overage",
    ]
    assert all(f.days == (DAYS[1],) for f in drift.fields)

    outcome = schema_diff("raw/usage_users", None, None, drift)
    assert not outcome.passed
    assert (
        "4 fields the API sends that no column reads: actor.department, clients[].new_metric, "
        "foo, totals.credits_overage (seen on 2026-05-05)" in outcome.summary
    )
    assert "codex_assets/defs/analytics/land_usage_users.sql" in outcome.summary
    assert outcome.measured["fields_not_read_count"] == 4
    assert outcome.measured["fields_not_read"].startswith("actor.department, ")
    assert outcome.offending_days == [DAYS[1]]
    assert {row["field"] for row in outcome.offending} >= {"foo", "totals.credits_overage"}


def test_the_simulators_extra_fields_fault_is_named(tmp_path):
    """The simulator's `extra_fields` fault, applied to the served page, lands in `record`."""

    def change(table, rows):
        page = {"object": "page", "data": rows, "has_more": False, "next_page": None}
        extended = with_extra_fields(
            SimResponse(200, {"content-type": "application/json"}, orjson.dumps(page))
        )
        rows[:] = orjson.loads(extended.body)["data"]

    lake = landed(tmp_path, change)
    users = unread_fields(lake, "usage_users", USAGE_USERS.typed_from, DAYS)
    assert {f.path for f in users.fields} == {
        "clients[].sim_future_metric",
        "sim_annotations",
        "sim_schema_version",
        "totals.sim_future_metric",
    }
    reviews = unread_fields(
        lake, "code_reviews", ANALYTICS_CHECKED_TABLES["code_reviews"].typed_from, DAYS
    )
    assert {f.path for f in reviews.fields} == {"sim_annotations", "sim_schema_version"}
    outcome = schema_diff("raw/usage_users", {"day": "DATE"}, {"day": "DATE"}, users)
    assert not outcome.passed
    assert "schema unchanged (1 columns)" in outcome.summary
    assert "sim_schema_version" in outcome.summary


def test_the_workspace_rows_null_user_fields_are_declared(tmp_path):
    lake = landed(tmp_path)
    assert unread_fields(lake, "usage_workspace", USAGE_WORKSPACE.typed_from, DAYS).fields == ()


def test_a_clean_lake_passes_and_says_what_it_compared(tmp_path):
    lake = landed(tmp_path)
    drift = unread_fields(lake, "usage_users", USAGE_USERS.typed_from, DAYS)
    outcome = schema_diff("raw/usage_users", {"day": "DATE"}, {"day": "DATE"}, drift)
    assert outcome.passed, outcome.summary
    assert "Every field the API sent on 3 days is read by a column" in outcome.summary
    assert outcome.measured["fields_not_read"] == "none"
    assert outcome.measured["record_objects_compared"] == (
        "(top level), actor, totals, clients[], models[]"
    )


def test_days_without_a_partition_are_nothing_to_compare(tmp_path):
    drift = unread_fields(Lake(tmp_path / "empty"), "usage_users", USAGE_USERS.typed_from, DAYS)
    assert drift.fields == () and drift.days_checked == ()
    assert schema_diff("raw/usage_users", None, None, drift).passed


COMPLIANCE_DAY = date(2026, 5, 7)


def _compliance_lake(tmp_path, *events) -> Lake:
    lake = Lake(tmp_path / "lake")
    land(lake, COMPLIANCE_DAY, [("f1", datetime(2026, 5, 7, 0, 10), body(*events))])
    return lake


def _clean_events() -> list[dict]:
    return [
        event(
            "e1",
            "2026-05-07T00:01:00Z",
            "PROMPT_SENT",
            session_id="s1",
            prompt_text="hi",
            turn_id="t1",
            model="gpt-5.5",
            environment_id=None,
        ),
        event(
            "e2",
            "2026-05-07T00:02:00Z",
            "PROMPT_RESPONSE_RECEIVED",
            session_id="s1",
            response_text="ok",
            status="completed",
            model="gpt-5.5",
            service_tier="default",
            reasoning_effort="low",
            token_usage={
                "input_tokens": 5,
                "output_tokens": 2,
                "cached_input_tokens": 0,
                "reasoning_output_tokens": 1,
            },
        ),
        event(
            "e3",
            "2026-05-07T00:03:00Z",
            "TOOL_CALL_COMPLETED",
            session_id="s1",
            tool_name="shell",
            tool_type="local",
            tool_input="ls",
            call_id="c1",
            tool_call_id="c1",
            status="completed",
        ),
        event(
            "e4",
            "2026-05-07T00:04:00Z",
            "PLUGIN_INSTALLED",
            plugin_id="p1",
            plugin_release_id="r1",
            plugin_version="1",
            plugin_name="n",
            plugin_display_name="N",
            plugin_scope="USER",
        ),
    ]


def test_a_clean_compliance_log_has_no_unread_field(tmp_path):
    lake = _compliance_lake(tmp_path, *_clean_events())
    drift = unread_fields(lake, RAW_TABLE, COMPLIANCE_CODEX_LOG.typed_from, [COMPLIANCE_DAY])
    assert drift.fields == ()
    assert drift.days_checked == (COMPLIANCE_DAY,)


def test_fields_added_to_compliance_events_are_named(tmp_path):
    events = _clean_events()
    events[0]["risk_score"] = 0.2
    events[1]["event_details"]["token_usage"]["audio_tokens"] = 4
    events[2]["event_details"]["sandbox"] = {"mode": "workspace-write"}
    events[3]["actor"]["session_id"] = "x"
    lake = _compliance_lake(tmp_path, *events)
    drift = unread_fields(lake, RAW_TABLE, COMPLIANCE_CODEX_LOG.typed_from, [COMPLIANCE_DAY])
    assert [f.path for f in drift.fields] == [
        "actor.session_id",
        "event_details.sandbox",
        "event_details.token_usage.audio_tokens",
        "risk_score",
    ]
