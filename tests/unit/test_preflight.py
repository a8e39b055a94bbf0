"""The preflight: each bad setting of issue 15 is one line naming it, exit code 2, no traceback,
and nothing is written; all mistakes are reported together; a run's resource setup says the same."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster._utils.error import SerializableErrorInfo

from codex_assets.backfill import _cause
from codex_assets.cli import main
from codex_assets.defs.resources.preflight import keys_needed, preflight
from codex_assets.lib.settings import SettingsError, environment
from tests.support.resources import codex_resource

API = {"CODEX_SOURCE": "api", "CODEX_WORKSPACE_ID": "ws-1", "CODEX_ANALYTICS_API_KEY": "k"}


def _binary(tmp: Path) -> str:
    (tmp / "surfaces.bin").write_bytes(b"\xff\xfe\x00client_id\x00surface\n\x89PNG")
    return str(tmp / "surfaces.bin")


def _bad_directory(tmp: Path) -> str:
    (tmp / "people.csv").write_text("name,department\nada,platform\n", encoding="utf-8")
    return str(tmp / "people.csv")


def _a_file(tmp: Path) -> str:
    (tmp / "not-a-dir").write_text("x")
    return str(tmp / "not-a-dir")


# (setting, environment given tmp_path, the line's start, what it must also say)
CASES = [
    (
        "port",
        lambda t: {"CODEX_API_BASE_URL": "http://localhost:notaport/v1"},
        "CODEX_API_BASE_URL has a bad port",
        "65535",
    ),
    (
        "unwritable dir",
        lambda t: {"CODEX_DATA_DIR": "/proc/codex-preflight/data"},
        "CODEX_DATA_DIR '/proc/codex-preflight/data' is not writable",
        "permissions",
    ),
    (
        "dir is a file",
        lambda t: {"CODEX_DATA_DIR": _a_file(t)},
        "CODEX_DATA_DIR points at",
        "which is a file",
    ),
    (
        "binary surfaces",
        lambda t: {"CODEX_SURFACES_CSV": _binary(t)},
        "CODEX_SURFACES_CSV: ",
        "is not UTF-8 text (byte 0 is 0xff)",
    ),
    (
        "md: no token",
        lambda t: {"CODEX_DUCKDB_PATH": "md:codex"},
        "CODEX_DUCKDB_PATH is a MotherDuck database",
        "MOTHERDUCK_TOKEN is not set",
    ),
    (
        "s3: no credentials",
        lambda t: {
            "CODEX_DATA_DIR": "s3://bucket/codex",
            "CODEX_DUCKDB_PATH": str(t / "local" / "codex.duckdb"),
        },
        "CODEX_DATA_DIR is s3:// but no AWS credentials",
        "AWS_ACCESS_KEY_ID",
    ),
    (
        "bad directory csv",
        lambda t: {"CODEX_DIRECTORY_CSV": _bad_directory(t)},
        "CODEX_DIRECTORY_CSV: ",
        "line 1",
    ),
    (
        "missing key",
        lambda t: {**API, "CODEX_ANALYTICS_API_KEY": ""},
        "CODEX_ANALYTICS_API_KEY is not set",
        "codex.enterprise.analytics.read",
    ),
]


@pytest.fixture
def isolated(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The `data_dir` environment without any credential the cases below must not find."""
    for name in (
        "MOTHERDUCK_TOKEN",
        "motherduck_token",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "CODEX_ANALYTICS_API_KEY",
        "CODEX_COMPLIANCE_API_KEY",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    nowhere = data_dir.parent / "no-aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(nowhere))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # (no 1 s wait on instance metadata)
    return data_dir


@pytest.mark.parametrize(("name", "setting", "start", "also"), CASES, ids=[c[0] for c in CASES])
def test_each_bad_setting_is_one_line_naming_it(
    isolated, tmp_path, monkeypatch, capsys, name, setting, start, also
):
    for variable, value in setting(tmp_path).items():
        monkeypatch.setenv(variable, value)
    assert main(["backfill", "--days", "1"]) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"codex-assets: {start}"), lines[0]
    assert also in lines[0]
    assert "Traceback" not in err + out and "Backfilling" not in out  # nothing was started
    assert not (isolated / "lake").exists()


def test_every_mistake_is_reported_at_once(isolated, tmp_path, monkeypatch):
    environ = {**environment()}
    for _, setting, _, _ in CASES:
        environ.update(setting(tmp_path))
    del environ["CODEX_DATA_DIR"]  # (set by several cases: one value below)
    environ.update(
        {
            **API,
            "CODEX_ANALYTICS_API_KEY": "",
            "CODEX_DATA_DIR": _a_file(tmp_path),
            "CODEX_DUCKDB_PATH": "md:codex",
            "CODEX_SIMULATOR_USERS": "many",
        }
    )
    with pytest.raises(SettingsError) as raised:
        preflight(environ)
    lines = str(raised.value).splitlines()
    starts = sorted(line.split(" ", 1)[0].rstrip(":") for line in lines)
    assert starts == sorted(
        [
            "CODEX_API_BASE_URL",
            "CODEX_ANALYTICS_API_KEY",
            "CODEX_DATA_DIR",
            "CODEX_DIRECTORY_CSV",
            "CODEX_DUCKDB_PATH",
            "CODEX_SIMULATOR_USERS",
            "CODEX_SURFACES_CSV",
        ]
    ), lines


def test_a_run_fails_in_the_resources_setup_with_the_same_line(isolated, tmp_path):
    codex = codex_resource(_a_file(tmp_path))
    with pytest.raises(SettingsError, match=r"^CODEX_DATA_DIR points at .* which is a file"):
        codex.setup_for_execution(dg.build_init_resource_context())
    codex_resource(isolated).setup_for_execution(
        dg.build_init_resource_context()
    )  # a good one passes


def test_the_summary_shows_the_cause_not_dagsters_wrapper():
    line = "CODEX_DATA_DIR points at '/x', which is a file: give a directory."
    cause = SerializableErrorInfo(
        f"codex_assets.lib.settings.SettingsError: {line}\n", [], "SettingsError"
    )
    wrapper = SerializableErrorInfo(
        "dagster._core.errors.DagsterResourceFunctionError: Error executing resource_fn on "
        "ResourceDefinition codex\n",
        [],
        "DagsterResourceFunctionError",
        cause,
    )
    assert _cause(wrapper) == line
    # Our own error raised from a lower one keeps its own (one-line, with the fix) message.
    ours = SerializableErrorInfo(
        "StorageError: CODEX_DATA_DIR uses gs://, install gcsfs\n", [], "StorageError", cause
    )
    assert _cause(ours) == "CODEX_DATA_DIR uses gs://, install gcsfs"


def test_a_run_needs_the_keys_of_the_raw_assets_it_selects():
    users, log = dg.AssetKey(["raw", "usage_users"]), dg.AssetKey(["raw", "compliance_codex_log"])
    assert keys_needed({users, dg.AssetKey(["marts", "x"])}) == ("analytics",)
    assert keys_needed({log}) == ("compliance",)
    assert keys_needed({users, log}) == ("analytics", "compliance")
    assert keys_needed({dg.AssetKey(["marts", "x"])}) == keys_needed(None) == ()
