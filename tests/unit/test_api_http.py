"""The HTTP layer's pure parts: settings, Retry-After, backoff, URL safety, stats."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import httpx
import pytest

from codex_assets.lib.http.client import USER_AGENT, ApiHttpClient, HttpSettings
from codex_assets.lib.http.errors import ApiSchemaError, CodexApiError
from codex_assets.lib.http.retry import backoff_delay, parse_retry_after

KEY = "sk-admin-UNIT-key-that-must-not-leak"


def settings(**overrides) -> HttpSettings:
    options = {
        "base_url": "https://api.example.test/v1",
        "api_key": KEY,
        "key_env_var": "CODEX_ANALYTICS_API_KEY",
        "scope": "codex.enterprise.analytics.read",
    }
    options.update(overrides)
    return HttpSettings(**options)


def test_settings_defaults_match_the_documented_contract():
    s = settings()
    assert (s.timeout_s, s.backoff_initial_s, s.backoff_max_s) == (60, 0.5, 30)
    assert (s.retry_budget_s, s.max_retries) == (300, None)  # bounded by time, not a count
    assert s.requests_per_minute == 100


def test_settings_repr_hides_the_key():
    assert KEY not in repr(settings())
    assert KEY not in str(settings())


@pytest.mark.parametrize(
    "bad",
    [
        {"base_url": "api.example.test/v1"},
        {"base_url": "ftp://api.example.test"},
        {"api_key": "  "},
        {"timeout_s": 0},
        {"max_retries": -1},
        {"backoff_initial_s": 5, "backoff_max_s": 1},
    ],
)
def test_settings_reject_nonsense(bad):
    with pytest.raises(ValueError) as caught:
        settings(**bad)
    assert KEY not in str(caught.value)


def test_empty_key_message_names_the_variable():
    with pytest.raises(ValueError, match="CODEX_ANALYTICS_API_KEY is empty"):
        settings(api_key="")


NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("-3", 0.0),
        ("Fri, 01 May 2026 12:00:30 GMT", 30.0),
        ("Fri, 01 May 2026 11:59:00 GMT", 0.0),  # in the past: go now
        (None, None),
        ("", None),
        ("soon", None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value, NOW) == seconds


def test_backoff_is_capped_exponential_with_full_jitter():
    rng = random.Random(1)
    for retry in range(12):
        cap = min(30.0, 0.5 * 2**retry)
        samples = [backoff_delay(retry, 0.5, 30.0, rng) for _ in range(200)]
        assert all(0.0 <= s <= cap for s in samples)
        assert max(samples) > cap * 0.8  # jitter spans the range, up to the cap
        assert min(samples) < cap * 0.2
    assert backoff_delay(10_000, 0.5, 30.0, rng) <= 30.0  # no overflow on huge retry counts


def _client(handler) -> ApiHttpClient:
    return ApiHttpClient(
        settings(max_retries=6), transport=httpx.MockTransport(handler), sleep=lambda s: None
    )


def test_paths_are_joined_under_the_base_url_and_repr_hides_the_key():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    with _client(handler) as client:
        assert client.get_json("/analytics/codex/workspaces/w/usage", [("limit", 5)]) == {
            "ok": True
        }
        assert client.get_json("analytics/x", []) == {"ok": True}
        assert KEY not in repr(client)
        assert client.stats.requests == 2
    assert (
        str(seen[0].url) == "https://api.example.test/v1/analytics/codex/workspaces/w/usage?limit=5"
    )
    assert str(seen[1].url) == "https://api.example.test/v1/analytics/x"
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("codex-assets/")


def test_describe_names_requests_without_secrets():
    with _client(lambda r: httpx.Response(200)) as client:
        assert client.describe("/analytics/a", [("limit", 1), ("page", "x y")]) == (
            "/v1/analytics/a?limit=1&page=x+y"
        )
        assert client.describe("https://bucket.example/f.jsonl?sig=SECRET") == (
            "https://bucket.example/f.jsonl?<signed query omitted>"
        )


def test_redirects_are_only_followed_when_asked_and_never_with_the_key():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.example.test":
            # A redirect back to the API host itself must not carry the key either.
            return httpx.Response(
                307, headers={"Location": "https://api.example.test/v1/signed?s=1"}
            )
        return httpx.Response(200, content=b"ok")

    with _client(handler) as client:
        assert client.get("/compliance/workspaces/w/logs/f").status_code == 307
        assert len(seen) == 1
        with pytest.raises(CodexApiError, match="redirected more than 5 times"):
            client.get("/compliance/workspaces/w/logs/f", follow_redirects=True)
    assert "authorization" in seen[1].headers
    assert all("authorization" not in r.headers for r in seen[2:])


def test_a_redirect_where_json_was_expected_is_a_clear_error():
    client = _client(lambda r: httpx.Response(301, headers={"Location": "https://x/"}))
    with client, pytest.raises(CodexApiError, match="CODEX_API_BASE_URL"):
        client.get_json("/analytics/a", [])


def test_stats_count_retries_by_reason():
    replies = iter(
        [
            httpx.Response(503),
            httpx.Response(429),
            httpx.Response(200, content=b"{nope"),
            httpx.Response(200, json={"ok": 1}),
        ]
    )
    with _client(lambda r: next(replies)) as client:
        client.get_json("/a", [])
        stats = client.stats
    assert stats.requests == 4 and stats.retries == 3
    assert stats.retries_by_reason == {"http_503": 1, "http_429": 1, "malformed_body": 1}


def test_json_that_is_not_an_object_is_a_schema_error():
    client = _client(lambda r: httpx.Response(200, json=[1, 2]))
    with client, pytest.raises(ApiSchemaError) as caught:
        client.get_json("/a", [])
    assert caught.value.field == "body" and "JSON list" in str(caught.value)
