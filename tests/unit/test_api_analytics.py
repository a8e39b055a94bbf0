"""The Analytics client's request shape and envelope checks, over an in-memory transport."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from codex_assets.defs.analytics.client import (
    ENDPOINTS,
    AnalyticsClient,
    _read_page,
    analytics_http_settings,
    day_bounds,
)
from codex_assets.lib.http.client import ApiHttpClient, HttpSettings
from codex_assets.lib.http.errors import ApiPermissionError, ApiSchemaError

NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)


def http(handler=lambda r: httpx.Response(200, json={"data": [], "has_more": False})):
    return ApiHttpClient(
        HttpSettings(
            base_url="https://api.example.test/v1",
            api_key="k-unit",
            key_env_var="CODEX_ANALYTICS_API_KEY",
            scope="codex.enterprise.analytics.read",
            max_retries=6,  # the no-op sleep stops no clock: bound the count instead
        ),
        transport=httpx.MockTransport(handler),
        sleep=lambda s: None,
    )


def test_day_bounds_are_utc_midnights():
    assert day_bounds(date(2026, 5, 1)) == (1777593600, 1777680000)
    assert day_bounds(date(2026, 3, 29)) == (1774742400, 1774828800)  # EU DST day: still 24h


def test_a_403_names_the_analytics_key_variable_and_scope():
    settings = analytics_http_settings("https://api.example.test/v1", "k-unit")
    client = ApiHttpClient(settings, transport=httpx.MockTransport(lambda r: httpx.Response(403)))
    with client, pytest.raises(ApiPermissionError) as caught:
        client.get_json("/analytics/codex/workspaces/w/usage")
    assert "CODEX_ANALYTICS_API_KEY" in str(caught.value)
    assert "codex.enterprise.analytics.read" in str(caught.value)


def test_endpoint_names():
    assert set(ENDPOINTS) == {"usage", "usage_workspace", "code_reviews", "code_review_responses"}


def test_paths_and_params():
    client = AnalyticsClient(http(), "ws/1", page_size=500, now=lambda: NOW)
    assert client.path("usage_workspace") == "/analytics/codex/workspaces/ws%2F1/usage"
    assert client.day_params("usage_workspace", date(2026, 5, 1)) == [
        ("start_time", 1777593600),
        ("end_time", 1777680000),
        ("limit", 500),
        ("group", "workspace"),
    ]


def test_constructor_checks_say_the_fix():
    with pytest.raises(ValueError, match="CODEX_WORKSPACE_ID"):
        AnalyticsClient(http(), "")
    with pytest.raises(ValueError, match="between 1 and 30000"):
        AnalyticsClient(http(), "w", page_size=30001)
    with pytest.raises(ValueError, match="at least 1"):
        AnalyticsClient(http(), "w", max_concurrency=0)


def test_unknown_endpoint_is_rejected_before_any_request():
    calls = []
    client = AnalyticsClient(http(lambda r: calls.append(r)), "w", now=lambda: NOW)
    with pytest.raises(ValueError, match="Unknown analytics endpoint 'users'"):
        client.fetch_day("users", date(2026, 5, 1))
    with pytest.raises(ValueError):
        client.iter_days("users", [date(2026, 5, 1)])
    assert calls == []


def test_iter_days_of_nothing_yields_nothing():
    assert list(AnalyticsClient(http(), "w", now=lambda: NOW).iter_days("usage", [])) == []


def test_duplicate_days_are_fetched_once():
    client = AnalyticsClient(http(), "w", now=lambda: NOW)
    days = [date(2026, 5, 2), date(2026, 5, 1), date(2026, 5, 2)]
    assert [f.day for f in client.iter_days("usage", days)] == [date(2026, 5, 1), date(2026, 5, 2)]


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ({"has_more": False}, "data", "is missing"),
        ({"data": {}, "has_more": False}, "data", "expected a list"),
        ({"data": [1], "has_more": False}, "data[0]", "expected an object"),
        ({"data": []}, "has_more", "is missing"),
        ({"data": [], "has_more": "false"}, "has_more", "expected true or false"),
        ({"data": [], "has_more": 0}, "has_more", "expected true or false"),
        ({"data": [], "has_more": True}, "next_page", "null although has_more is true"),
        ({"data": [], "has_more": True, "next_page": ""}, "next_page", "an empty string"),
        ({"data": [], "has_more": True, "next_page": 5}, "next_page", "a JSON int"),
    ],
)
def test_envelope_problems_name_the_field(body, field, problem):
    with pytest.raises(ApiSchemaError) as caught:
        _read_page(body, "/v1/x")
    assert caught.value.field == field
    assert problem in str(caught.value)


def test_envelope_without_object_or_next_page_on_the_last_page_is_fine():
    rows = [{"anything": 1}]
    assert _read_page({"data": rows, "has_more": False}, "/v1/x") == (rows, False, None)
    assert _read_page({"data": rows, "has_more": False, "next_page": "ignored"}, "/v1/x") == (
        rows,
        False,
        None,
    )
