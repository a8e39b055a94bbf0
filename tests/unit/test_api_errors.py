"""Error messages stand on their own, keep their fields across processes, and stay short."""

from __future__ import annotations

import pickle
from datetime import date

from codex_assets.lib.http.errors import (
    ApiAuthError,
    ApiPermissionError,
    ApiRetriesExhaustedError,
    ApiValidationError,
    CodexApiError,
    OutsideApiWindowError,
    excerpt,
)


def test_every_error_is_a_codex_api_error():
    for cls in (ApiAuthError, ApiPermissionError, ApiRetriesExhaustedError, OutsideApiWindowError):
        assert issubclass(cls, CodexApiError)


def test_body_excerpt_is_bounded_and_flattened():
    error = CodexApiError("boom", status=500, url="/v1/x", body_excerpt="a\n  b" + "x" * 5000)
    assert len(error.body_excerpt) <= 500
    assert error.body_excerpt.startswith("a b")
    assert excerpt("short") == "short"


def test_errors_survive_pickling_with_their_fields():
    error = ApiRetriesExhaustedError.build(
        url="/v1/a?limit=1",
        attempts=7,
        elapsed_s=12.5,
        last_failure="HTTP 503",
        status=503,
        body_excerpt="down",
    )
    error.add_context("Fetching usage for 2026-05-01")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ApiRetriesExhaustedError
    assert str(copy) == str(error)
    assert str(copy).startswith("Fetching usage for 2026-05-01: GET /v1/a?limit=1 failed 7 times")
    assert "12.5s" in str(copy)
    assert (copy.status, copy.url, copy.attempts, copy.body_excerpt) == (
        503,
        "/v1/a?limit=1",
        7,
        "down",
    )


def test_messages_say_what_to_do():
    auth = ApiAuthError.build(url="/v1/a", body_excerpt="", key_env_var="CODEX_ANALYTICS_API_KEY")
    assert "CODEX_ANALYTICS_API_KEY" in str(auth) and "Check" in str(auth)
    perm = ApiPermissionError.build(
        url="/v1/a", body_excerpt="", key_env_var="K", scope="codex.enterprise.analytics.read"
    )
    assert "codex.enterprise.analytics.read" in str(perm) and "K" in str(perm)
    invalid = ApiValidationError.build(status=422, url="/v1/a", body_excerpt="{}", details=[])
    assert "no details given" in str(invalid) and "Response body: {}" in str(invalid)


def test_window_error_collapses_consecutive_days():
    error = OutsideApiWindowError.build(
        too_old=[date(2026, 1, 3), date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 5)],
        not_complete=[],
        oldest_servable=date(2026, 2, 1),
        latest_complete=date(2026, 5, 1),
        lookback_days=90,
        lag_hours=12,
    )
    assert "2026-01-01..2026-01-03, 2026-01-05" in str(error)
    assert "4 day(s)" in str(error)
    assert error.status is None
