"""Configuration errors name the variable and the fix; keys never show in a repr or the run config."""

from __future__ import annotations

import os
from dataclasses import fields

import dagster as dg
import pytest

from codex_assets.defs import partitions
from codex_assets.defs.resources import CodexResource
from codex_assets.defs.resources.source import CodexSourceResource
from codex_assets.lib.settings import Settings, SettingsError


def test_defaults_run_the_embedded_simulator():
    settings = CodexResource().settings()
    assert settings.source == "simulator"
    assert settings.usd_per_credit is None
    assert (
        settings.start_date
        == partitions.STARTS.analytics
        == partitions.daily_partitions.start.date()
    )


def test_unset_and_blank_variables_keep_the_defaults():
    blank = CodexResource.from_environment({"CODEX_USD_PER_CREDIT": "  ", "CODEX_SOURCE": ""})
    assert blank.settings() == CodexResource().settings()


def test_the_environment_configures_every_field():
    environ = {
        "CODEX_SOURCE": " API ",
        "CODEX_WORKSPACE_ID": "ws",
        "CODEX_API_BASE_URL": "http://127.0.0.1:8000/v1/",
        "CODEX_USD_PER_CREDIT": "0.04",
        "CODEX_SIMULATOR_USERS": "25",
        "CODEX_COMPLIANCE_RETENTION_DAYS": "30",
    }
    settings = CodexResource.from_environment(environ).settings()
    assert (settings.source, settings.workspace_id) == ("api", "ws")
    assert settings.api_base_url == "http://127.0.0.1:8000/v1"
    assert (settings.usd_per_credit, settings.simulator_users) == (0.04, 25)
    assert settings.compliance_retention_days == 30
    assert settings.compliance_downloads_per_minute == 50.0  # the documented default
    assert set(CodexResource.variables().values()) >= set(environ)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), (" TRUE ", True), ("1", True), ("false", False), ("no", False)],
)
def test_export_emails_is_a_yes_no_flag_off_by_default(value, expected):
    assert CodexResource().settings().export_emails is False
    assert CodexResource.from_environment({"CODEX_EXPORT_EMAILS": value}).export_emails is expected


def test_settings_hold_exactly_the_resource_fields_and_the_partition_start():
    assert {f.name for f in fields(Settings)} == {*CodexResource.model_fields, "start_date"}


def test_api_source_requires_a_workspace_id():
    with pytest.raises(SettingsError, match="CODEX_WORKSPACE_ID"):
        CodexResource(source="api")
    with pytest.raises(SettingsError, match="CODEX_WORKSPACE_ID"):
        CodexResource.from_environment({"CODEX_SOURCE": "api"})


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"CODEX_SOURCE": "prod"}, "CODEX_SOURCE"),
        ({"CODEX_USD_PER_CREDIT": "four cents"}, "CODEX_USD_PER_CREDIT"),
        ({"CODEX_USD_PER_CREDIT": "-1"}, "CODEX_USD_PER_CREDIT"),
        ({"CODEX_DIRECTORY_CSV": "/nonexistent/people.csv"}, "CODEX_DIRECTORY_CSV"),
        ({"CODEX_API_BASE_URL": "api.chatgpt.com"}, "CODEX_API_BASE_URL"),
        ({"CODEX_SIMULATOR_USERS": "0"}, "CODEX_SIMULATOR_USERS"),
        ({"CODEX_SIMULATOR_SEED": "seven"}, "CODEX_SIMULATOR_SEED"),
        ({"CODEX_API_MAX_CONCURRENCY": "-2"}, "CODEX_API_MAX_CONCURRENCY"),
        ({"CODEX_EXPORT_EMAILS": "sometimes"}, "CODEX_EXPORT_EMAILS"),
    ],
)
def test_bad_values_name_the_variable(env, names):
    with pytest.raises(SettingsError, match=names) as raised:
        CodexResource.from_environment(env)
    assert "\n" not in str(raised.value)  # one line, as the CLI prints it


def test_bad_values_given_to_the_resource_name_the_variable_too():
    with pytest.raises(SettingsError, match="CODEX_USD_PER_CREDIT must be above zero"):
        CodexResource(usd_per_credit=-1)
    with pytest.raises(SettingsError, match="CODEX_COMPLIANCE_RETENTION_DAYS"):
        CodexResource(compliance_retention_days=0)


def test_keys_are_not_in_the_repr():
    codex = CodexResource(
        source="api",
        workspace_id="ws",
        analytics_api_key="sk-very-secret",
        compliance_api_key="sk-also-secret",
    )
    settings = codex.settings()
    assert settings.analytics_api_key == "sk-very-secret"
    assert "secret" not in repr(settings)
    assert "secret" not in repr(codex)


def test_keys_from_the_environment_are_env_vars_read_when_a_run_starts(monkeypatch):
    """The run config (what the UI and run records show) names the variable, never the key;
    the asset sees the value, read from the environment as the run starts."""
    monkeypatch.setenv("CODEX_ANALYTICS_API_KEY", "sk-very-secret")
    monkeypatch.delenv("CODEX_COMPLIANCE_API_KEY", raising=False)
    monkeypatch.setenv("CODEX_SOURCE", "api")
    monkeypatch.setenv("CODEX_WORKSPACE_ID", "ws")
    codex = CodexSourceResource.from_environment(os.environ)
    assert codex.analytics_api_key == dg.EnvVar("CODEX_ANALYTICS_API_KEY")
    assert codex.compliance_api_key is None  # unset: the default, not an EnvVar that would fail
    config = codex.get_resource_definition().config_schema.default_value
    assert config["analytics_api_key"] == {"env": "CODEX_ANALYTICS_API_KEY"}
    assert "secret" not in repr(config)

    seen = {}

    @dg.asset
    def probe(codex: CodexResource) -> None:
        seen["key"] = codex.settings().analytics_api_key

    assert dg.materialize([probe], resources={"codex": codex}).success
    assert seen["key"] == "sk-very-secret"
