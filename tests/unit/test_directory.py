"""The directory loader: user -> team / cost centre, and errors that name the file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_assets.defs.analytics.marts import MartSettings
from codex_assets.defs.directory.people import (
    UNASSIGNED,
    Directory,
    DirectoryError,
    load_directory,
)
from codex_assets.defs.resources import CodexResource


def _write(tmp_path: Path, text: str, name: str = "directory.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_keyed_by_user_id_and_email(tmp_path: Path) -> None:
    directory = load_directory(
        _write(
            tmp_path,
            "user_id,email,team,cost_centre\n"
            "u1,,platform,CC-1\n"
            ",Carol@Example.com,design,\n"
            "u3,bob@example.com,data,CC-3\n",
        )
    )
    assert directory.team_for("u1", None) == "platform"
    assert directory.team_for("someone", "carol@example.COM") == "design"  # case-insensitive
    assert directory.lookup("u3", None).cost_centre == "CC-3"
    assert directory.lookup("someone", "carol@example.com").cost_centre is None  # empty -> None
    assert directory.team_for("stranger", "stranger@example.com") == UNASSIGNED
    assert directory.team_for(None, None) == UNASSIGNED


def test_user_id_wins_over_email(tmp_path: Path) -> None:
    directory = load_directory(
        _write(tmp_path, "user_id,email,team\nu1,,platform\n,alice@example.com,marketing\n")
    )
    # u1 changed their email to one the directory lists for a different row: the id decides.
    assert directory.team_for("u1", "alice@example.com") == "platform"
    assert directory.team_for("u2", "alice@example.com") == "marketing"


def test_email_only_file_with_extra_columns_bom_comments_and_cost_center_spelling(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hr_export.csv"
    path.write_text(
        "\ufeff# exported from HR\nName,Email,Team,Cost_Center\n"
        '"Lee, Alex",alex@example.com,platform,CC-9\n\n',
        encoding="utf-8",
    )
    directory = load_directory(path)
    assert directory.lookup(None, "alex@example.com").cost_centre == "CC-9"
    assert directory.as_rows() == [(None, "alex@example.com", "platform", "CC-9")]
    assert directory.source == str(path)


def test_no_directory_means_empty(tmp_path: Path) -> None:
    assert load_directory(None) == Directory.empty()
    assert Directory.empty().team_for("u1", "a@example.com") == UNASSIGNED


def test_settings_load_the_directory(tmp_path: Path) -> None:
    path = _write(tmp_path, "email,team\na@example.com,platform\n")
    codex = CodexResource.from_environment({"CODEX_DIRECTORY_CSV": str(path)})
    settings = MartSettings.from_settings(codex.settings())
    assert settings.directory.team_for(None, "a@example.com") == "platform"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("user_id,email,cost_centre\nu1,,CC\n", 1, "the first line must name the columns"),
        ("team,cost_centre\nplatform,CC\n", 1, "user_id or email"),
        ("user_id,email,team,team\nu1,,a,b\n", 1, "column 'team' appears twice"),
        ("user_id,team\nu1,platform\nu2\n", 3, "expected 2 fields like the header, found 1"),
        ("user_id,team\nu1,platform,extra\n", 2, "expected 2 fields"),
        ("user_id,email,team\n,,platform\n", 2, "neither a user_id nor an email"),
        ("user_id,team\nu1,\n", 2, "team is empty"),
        ("email,team\nnot-an-email,platform\n", 2, "has no '@'"),
        ("user_id,team\nu1,a\nu2,b\nu1,c\n", 4, "user_id u1 is already on line 2"),
        ("email,team\nA@x.com,a\na@X.com,b\n", 3, "email a@x.com is already on line 2"),
        ("\n# nothing\n", 1, "the file is empty"),
    ],
)
def test_malformed_files_name_the_file_the_line_and_the_fix(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DirectoryError) as error:
        load_directory(path)
    assert str(error.value).startswith(f"{path}, line {line}: ")
    assert message in str(error.value)
    assert "Fix: " in str(error.value)


def test_an_unreadable_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="CODEX_DIRECTORY_CSV"):
        load_directory(tmp_path / "missing.csv")
