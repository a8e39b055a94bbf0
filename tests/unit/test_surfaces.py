"""The client_id -> surface map: defaults, patterns, a user's file, and malformed files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from test_marts_rawdata import Client, UserDay, raw_warehouse

from codex_assets.defs.analytics.marts import MartSettings, refresh_mart
from codex_assets.defs.analytics.surfaces import (
    DEFAULT_SURFACES_CSV,
    SURFACES,
    SurfaceMapError,
    load_surface_map,
)
from codex_assets.defs.resources import CodexResource

# The 43 CodexClient values of the API reference (reference/codex-api.md, Part 1).
JETBRAINS = [
    "INTELLIJ_IDEA", "INTELLIJ_IDEA_COMMUNITY_EDITION", "INTELLIJ_IDEA_EDUCATIONAL_EDITION",
    "PYCHARM", "PYCHARM_COMMUNITY_EDITION", "PYCHARM_EDUCATIONAL_EDITION", "RUBYMINE",
    "DATASPELL", "PHPSTORM", "WEBSTORM", "APPCODE", "CLION", "DATAGRIP", "RIDER", "GOLAND",
    "ANDROID_STUDIO", "CLIENT", "GATEWAY", "FLEET_BACKEND", "AQUA", "RUSTROVER", "WRITERSIDE",
    "GITCLIENT", "MPS",
]  # fmt: skip
EXPECTED_DEFAULTS = {
    "CODEX_CLI": "cli",
    "CODEX_WEB": "cloud",
    "CODEX_CHROME_EXTENSION_SIDE_PANEL": "other",
    "CODEX_DESKTOP_APP": "desktop",
    "CODEX_CHATGPT_DESKTOP": "desktop",
    "CODEX_CLOUD_GENERAL_AGENT": "cloud",
    "CODEX_ATLAS": "other",
    "CODEX_FLORA": "other",
    "CODEX_WORK_WEB": "cloud",
    "CODEX_WORK_MOBILE": "other",
    "CODEX_WORK_DESKTOP": "desktop",
    "CODEX_IDE_VSCODE": "ide",
    "CODEX_SLACK": "cloud",
    "CODEX_GITHUB": "code_review",
    "CODEX_GITHUB_ACTION": "code_review",
    "CODEX_SDK_TS": "other",
    "CODEX_SERVICE_EXEC": "other",
    "CODEX_IDE_XCODE": "ide",
    **{f"CODEX_IDE_JETBRAINS_{name}": "ide" for name in JETBRAINS},
    "CODEX_UNKNOWN_DEFAULT": "other",
}


def test_the_reference_lists_43_clients() -> None:
    assert len(EXPECTED_DEFAULTS) == 43


@pytest.mark.parametrize(("client_id", "surface"), sorted(EXPECTED_DEFAULTS.items()))
def test_default_map(client_id: str, surface: str) -> None:
    assert load_surface_map().surface_for(client_id) == surface


def test_unknown_ids_fall_back_to_other_and_matching_ignores_case() -> None:
    surfaces = load_surface_map()
    assert surfaces.surface_for("CODEX_SOMETHING_NEW") == "other"
    assert surfaces.surface_for(None) == "other"
    assert surfaces.surface_for("codex_cli") == "cli"
    assert surfaces.surface_for("CODEX_IDE_EMACS") == "ide"  # a future IDE, by the pattern
    assert surfaces.surface_for("CODEX_IDE") == "other"  # the pattern needs the underscore


def test_the_default_file_uses_a_pattern_for_ides() -> None:
    rules = {rule.pattern: rule.surface for rule in load_surface_map().rules}
    assert rules["CODEX_IDE_*"] == "ide"
    assert load_surface_map().source == str(DEFAULT_SURFACES_CSV)


def test_exact_ids_beat_patterns_and_longer_patterns_beat_shorter(tmp_path: Path) -> None:
    path = tmp_path / "surfaces.csv"
    path.write_text(
        "# my map\n"
        "client_id,surface\n"
        "CODEX_*,cloud\n"
        "CODEX_IDE_*,ide\n"
        "\n"
        "CODEX_IDE_XCODE,desktop\n"
        "codex_cli, CLI \n"  # case and spaces do not matter
    )
    surfaces = load_surface_map(path)
    assert surfaces.surface_for("CODEX_IDE_XCODE") == "desktop"  # exact beats both patterns
    assert surfaces.surface_for("CODEX_IDE_VSCODE") == "ide"  # longer pattern wins
    assert surfaces.surface_for("CODEX_GITHUB") == "cloud"  # the catch-all pattern
    assert surfaces.surface_for("CODEX_CLI") == "cli"
    assert surfaces.surface_for("OTHER_VENDOR") == "other"


def test_a_users_file_replaces_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "surfaces.csv"
    path.write_text("client_id,surface\nCODEX_GITHUB,cloud\n")
    surfaces = load_surface_map(path)
    assert surfaces.surface_for("CODEX_GITHUB") == "cloud"
    assert surfaces.surface_for("CODEX_CLI") == "other"  # not in the user's file


def test_settings_pick_up_codex_surfaces_csv(tmp_path: Path) -> None:
    path = tmp_path / "surfaces.csv"
    path.write_text("client_id,surface\nCODEX_SLACK,other\n")
    settings = CodexResource.from_environment({"CODEX_SURFACES_CSV": str(path)}).settings()
    assert MartSettings.from_settings(settings).surfaces.surface_for("CODEX_SLACK") == "other"
    assert MartSettings.from_settings(CodexResource().settings()).surfaces.source == str(
        DEFAULT_SURFACES_CSV
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("client_id,surface\nCODEX_CLI,terminal\n", 2, "surface 'terminal' is not one of"),
        ("client_id,surface\nCODEX_CLI,all\n", 2, "'all' is computed by the marts"),
        ("id,surface\nCODEX_CLI,cli\n", 1, "must be exactly 'client_id,surface'"),
        ("client_id,surface\nCODEX_CLI,cli\nCODEX_CLI,ide\n", 3, "already mapped on line 2"),
        ("client_id,surface\nCODEX_CLI\n", 2, "expected 2 fields"),
        ("client_id,surface\nCODEX_CLI,cli,extra\n", 2, "expected 2 fields"),
        ("client_id,surface\nCODEX IDE?,ide\n", 2, "characters other than"),
        ("# only a comment\n", 1, "the file is empty"),
    ],
)
def test_malformed_files_name_the_file_the_line_and_the_fix(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(SurfaceMapError) as error:
        load_surface_map(path)
    assert str(error.value).startswith(f"{path}, line {line}: ")
    assert message in str(error.value)
    assert "Fix: " in str(error.value)


def test_a_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(SurfaceMapError, match="CODEX_SURFACES_CSV"):
        load_surface_map(tmp_path / "nope.csv")


def test_surfaces_listed_in_the_default_file_are_all_valid() -> None:
    assert {rule.surface for rule in load_surface_map().rules} <= set(SURFACES)


def test_the_sql_join_maps_like_surface_for(tmp_path: Path) -> None:
    """The marts join the map in SQL (GLOB); it must agree with `surface_for` on every id."""
    day = date(2026, 3, 1)
    ids = [*EXPECTED_DEFAULTS, "CODEX_SOMETHING_NEW", "codex_cli"]
    with raw_warehouse(tmp_path) as raw:
        for n, client_id in enumerate(ids):
            raw.user_day(
                UserDay(day, f"user{n}", None, 1, 1, 1.0, clients=(Client(client_id, 1, 1, 1.0),))
            )
        raw.user_day(
            UserDay(day, "nullclient", None, 1, 1, 1.0, clients=(Client(None, 1, 1, 1.0),))
        )
        refresh_mart(raw.conn, "usage_user_daily", day, day, MartSettings())
        mapped = _surface_by_user(raw.conn)
    surfaces = load_surface_map()
    assert mapped == {f"user{n}": surfaces.surface_for(c) for n, c in enumerate(ids)} | {
        "nullclient": "other"
    }
    assert mapped["user0"] == "cli"
    assert mapped[f"user{len(ids) - 1}"] == "cli"  # lower-case id


def _surface_by_user(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(
        conn.execute(
            "SELECT user_id, surface FROM marts.usage_user_daily WHERE surface <> 'all'"
        ).fetchall()
    )
