"""`ComplianceClient.max_event_times` / `max_event_time` over real HTTP.

`GET /compliance/{workspaces|organizations}/{id}/max_event_time?event_type=CODEX_LOG`
(repeatable `event_type`) answers `{"max_event_time": {"CODEX_LOG": "<iso>" | null}}`, since at
least v2.5.12 (codex-api.md, "2026-12 additions"); an older API answers 404.
"""

from __future__ import annotations

import pytest

from codex_assets.defs.compliance.client import ComplianceClient, compliance_http_settings
from codex_assets.lib.http.client import ApiHttpClient
from codex_assets.lib.http.errors import (
    ApiNotFoundError,
    ApiPermissionError,
    ApiRetriesExhaustedError,
    ApiSchemaError,
)
from tests.support.contract_server import API_KEY, ORGANIZATION, WORKSPACE, contract_server, utc
from tests.support.fault_server import fault_server, json_reply

NOW = utc(2026, 5, 12, 9, 0)


def _client(url: str, principal: str = WORKSPACE) -> ComplianceClient:
    http = ApiHttpClient(
        compliance_http_settings(url, API_KEY, requests_per_minute=None, max_retries=0),
        sleep=lambda s: None,
    )
    return ComplianceClient(http, principal, now=lambda: NOW)


def test_the_newest_event_time_is_read_per_event_type():
    newest = utc(2026, 5, 12, 8, 41, 7)
    with contract_server(max_event_time={"CODEX_LOG": newest, "AUDIT_LOG": None}) as server:
        client = _client(server.url)
        assert client.max_event_time() == newest
        assert client.max_event_times(["CODEX_LOG", "AUDIT_LOG"]) == {
            "CODEX_LOG": newest,
            "AUDIT_LOG": None,
        }
        first, second = server.calls("/max_event_time")
    assert first["path"] == f"/v1/compliance/workspaces/{WORKSPACE}/max_event_time"
    assert first["query"] == [("event_type", "CODEX_LOG")]
    assert second["query"] == [("event_type", "CODEX_LOG"), ("event_type", "AUDIT_LOG")]
    assert first["headers"]["authorization"] == f"Bearer {API_KEY}"


def test_null_means_the_api_has_no_event_of_the_type():
    with contract_server(max_event_time={"CODEX_LOG": None}) as server:
        assert _client(server.url).max_event_time("CODEX_LOG") is None


def test_the_organization_route_is_used_for_org_ids():
    with contract_server(max_event_time={"COSTS": utc(2026, 5, 12)}) as server:
        assert _client(server.url, ORGANIZATION).max_event_time("COSTS") == utc(2026, 5, 12)
        (call,) = server.calls("/max_event_time")
    assert call["path"] == f"/v1/compliance/organizations/{ORGANIZATION}/max_event_time"


def test_an_api_older_than_the_endpoint_is_a_404_that_says_so():
    with contract_server(max_event_time=None) as server, pytest.raises(ApiNotFoundError) as caught:
        _client(server.url).max_event_time()
    assert caught.value.status == 404
    assert "no max_event_time endpoint" in str(caught.value)
    assert "v2.5.12" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "error"), [(403, ApiPermissionError), (500, ApiRetriesExhaustedError)]
)
def test_other_failures_raise_without_the_key_even_when_the_server_echoes_it(status, error):
    server = contract_server(max_event_time={"CODEX_LOG": None}, max_event_time_status=status)
    with server as running, pytest.raises(error) as caught:
        _client(running.url).max_event_time()
    assert caught.value.status == status
    assert API_KEY not in str(caught.value) and API_KEY not in caught.value.body_excerpt


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "max_event_time"),
        ({"max_event_time": "2026-05-12T00:00:00Z"}, "max_event_time"),
        ({"max_event_time": {"AUDIT_LOG": None}}, "max_event_time.CODEX_LOG"),
        ({"max_event_time": {"CODEX_LOG": "yesterday"}}, "max_event_time.CODEX_LOG"),
        ({"max_event_time": {"CODEX_LOG": 1778544000}}, "max_event_time.CODEX_LOG"),
    ],
)
def test_a_body_of_another_shape_is_a_schema_error_naming_the_field(body, field):
    with fault_server() as server:
        server.script(lambda request: json_reply(body))
        with pytest.raises(ApiSchemaError) as caught:
            _client(server.url + "/v1").max_event_time()
    assert caught.value.field == field


def test_times_with_any_offset_are_read_as_utc():
    with fault_server() as server:
        server.script(
            lambda request: json_reply(
                {"max_event_time": {"CODEX_LOG": "2026-05-12T10:41:07+02:00"}}
            )
        )
        assert _client(server.url + "/v1").max_event_time() == utc(2026, 5, 12, 8, 41, 7)
