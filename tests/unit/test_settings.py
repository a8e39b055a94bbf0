"""Configuration errors name the variable and the fix; keys never show in a repr."""

from __future__ import annotations

from datetime import date

import pytest

from codex_assets.lib.settings import Settings, SettingsError


def test_defaults_run_the_embedded_simulator():
    settings = Settings.from_env({})
    assert settings.source == "simulator"
    assert settings.usd_per_credit is None
    assert settings.start_date == date(2026, 1, 1)


def test_api_source_requires_a_workspace_id():
    with pytest.raises(SettingsError, match="CODEX_WORKSPACE_ID"):
        Settings.from_env({"CODEX_SOURCE": "api"})


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"CODEX_SOURCE": "prod"}, "CODEX_SOURCE"),
        ({"CODEX_USD_PER_CREDIT": "four cents"}, "CODEX_USD_PER_CREDIT"),
        ({"CODEX_USD_PER_CREDIT": "-1"}, "CODEX_USD_PER_CREDIT"),
        ({"CODEX_START_DATE": "01/02/2026"}, "CODEX_START_DATE"),
        ({"CODEX_DIRECTORY_CSV": "/nonexistent/people.csv"}, "CODEX_DIRECTORY_CSV"),
        ({"CODEX_API_BASE_URL": "api.chatgpt.com"}, "CODEX_API_BASE_URL"),
        ({"CODEX_SIMULATOR_USERS": "0"}, "CODEX_SIMULATOR_USERS"),
    ],
)
def test_bad_values_name_the_variable(env, names):
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


def test_keys_are_not_in_the_repr():
    settings = Settings.from_env(
        {
            "CODEX_SOURCE": "api",
            "CODEX_WORKSPACE_ID": "ws",
            "CODEX_ANALYTICS_API_KEY": "sk-very-secret",
            "CODEX_COMPLIANCE_API_KEY": "sk-also-secret",
        }
    )
    assert settings.analytics_api_key == "sk-very-secret"
    assert "secret" not in repr(settings)
