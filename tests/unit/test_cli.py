"""The CLI refuses what it cannot do, before any run, with a message that says the fix."""

from __future__ import annotations

import pytest

from codex_assets.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["backfill", "--days", "0"], "--days must be above zero"),
        (["backfill", "--days", "3", "--end", "2026-11-01"], "--end goes with --start"),
        (["backfill", "--start", "2026-11-03", "--end", "2026-11-01"], "is before --start"),
        (["backfill", "--start", "2020-01-01"], "Servable now:"),
    ],
)
def test_bad_windows_are_refused_with_the_fix(data_dir, capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not data_dir.exists() or not (data_dir / "lake").exists()  # nothing was run


def test_a_servable_day_before_the_first_partition_is_refused_naming_the_setting():
    from dataclasses import replace
    from datetime import timedelta

    from codex_assets.backfill import checked_window, last_days_window
    from codex_assets.defs.resources import CodexResource

    settings = CodexResource().settings()
    window = last_days_window(3, settings)
    later_start = replace(settings, start_date=window.end)
    with pytest.raises(ValueError, match=r"before the first partition.*CODEX_START_DATE"):
        checked_window(window.start, window.end, later_start)
    assert checked_window(window.end, window.end, later_start).days == [window.end]
    assert window.end - window.start == timedelta(days=2)


def test_without_a_compliance_key_the_real_api_run_leaves_the_compliance_assets_out():
    from dataclasses import replace

    from codex_assets.backfill import default_selection
    from codex_assets.definitions import defs
    from codex_assets.defs.resources import CodexResource

    graph = defs().resolve_asset_graph()
    api = CodexResource(source="api", workspace_id="w", analytics_api_key="a").settings()
    selection, note = default_selection(api)
    assert selection is not None and "CODEX_COMPLIANCE_API_KEY is not set" in note
    chosen = {key.to_user_string() for key in selection.resolve(graph)}
    assert "raw/usage_users" in chosen and "marts/usage_reconciliation_daily" in chosen
    assert not {k for k in chosen if "compliance" in k or k.startswith("restricted/")}
    assert default_selection(replace(api, compliance_api_key="c")) == (None, None)
    assert default_selection(CodexResource().settings()) == (None, None)  # the simulator has both


def test_a_bad_setting_is_one_line_before_any_run(data_dir, capsys, monkeypatch):
    monkeypatch.setenv("CODEX_USD_PER_CREDIT", "four cents")
    assert main(["backfill", "--days", "1"]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "codex-assets: CODEX_USD_PER_CREDIT must be a number such as 0.04, got 'four cents'.\n"
    )
    assert not (data_dir / "lake").exists()


def test_without_dagster_home_the_cli_says_where_runs_go(data_dir, capsys, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME")
    assert main(["backfill", "--days", "1"]) == 2
    assert "DAGSTER_HOME is not set" in capsys.readouterr().err
