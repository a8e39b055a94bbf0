"""The preflight: every setting checked before any request or write, all mistakes at once.

`CodexResource` validates each value on its own (codex.py); what needs the disk, the files or
the credentials is checked here: the data directory is a writable directory, the CSVs parse,
the keys the run needs are set, `md:` has its token and an object-store lake its credentials.
The CLI runs it before anything else, and `CodexSourceResource` runs it in each run's resource
setup, so a run launched from the UI fails its first step with the same lines.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import dagster as dg

from codex_assets.defs.analytics.client import ANALYTICS_KEY_VAR, ANALYTICS_SCOPE
from codex_assets.defs.analytics.surfaces import DEFAULT_SURFACES_CSV, load_surface_map
from codex_assets.defs.compliance.client import COMPLIANCE_KEY_VAR, COMPLIANCE_SCOPE
from codex_assets.defs.compliance.landing import RAW_TABLE
from codex_assets.defs.directory.people import load_directory
from codex_assets.defs.resources.codex import CodexResource
from codex_assets.lib.settings import Settings, SettingsError
from codex_assets.lib.storage import PRIVATE_DIR, protocol

KEYS = {
    "analytics": (ANALYTICS_KEY_VAR, ANALYTICS_SCOPE),
    "compliance": (COMPLIANCE_KEY_VAR, COMPLIANCE_SCOPE),
}


def preflight(environ: Mapping[str, str], needs: tuple[str, ...] = ("analytics",)) -> Settings:
    """The validated settings, or a `SettingsError` with one line per mistake.

    `needs` names the APIs whose keys the selected assets use (against the real API only).
    """
    resource, problems = CodexResource.checked_environment(environ)
    if resource is not None:  # (a value already flagged fell back to its default: not again)
        flagged = {problem.split(" ", 1)[0] for problem in problems}
        more = problems_with(resource.settings(), environ, needs)
        problems += [problem for problem in more if problem.split(" ", 1)[0] not in flagged]
    if problems or resource is None:
        raise SettingsError("\n".join(problems))
    return resource.settings()


def keys_needed(selection: AbstractSet[dg.AssetKey] | None) -> tuple[str, ...]:
    """The APIs whose keys a run's selected assets use: the compliance key for the raw
    compliance log, the analytics key for the other raw tables. None (not known) needs none
    here: a step that opens a client without its key still fails with its one line."""
    if selection is None:
        return ()
    compliance = dg.AssetKey(["raw", RAW_TABLE])
    raw = {key for key in selection if key.path[0] == "raw"}
    return ("analytics",) * bool(raw - {compliance}) + ("compliance",) * (compliance in raw)


def problems_with(
    settings: Settings,
    environ: Mapping[str, str],
    needs: tuple[str, ...],
    *,
    motherduck: bool = True,
) -> list[str]:
    """What is wrong beyond the values themselves, one line each (empty when all is well).
    `environ` holds at least the keys' variables; `motherduck=False` skips the token check."""
    problems = [_data_dir(settings), _object_store(settings)]
    if motherduck:
        problems.append(_motherduck(settings, environ))
    problems += [
        _csv(
            "CODEX_SURFACES_CSV", settings.surfaces_csv, load_surface_map, str(DEFAULT_SURFACES_CSV)
        ),
        _csv(
            "CODEX_DIRECTORY_CSV",
            settings.directory_csv,
            load_directory,
            "columns user_id or email, team, cost_centre",
        ),
    ]
    if settings.source == "api":
        problems += [_key(*KEYS[api], environ) for api in needs]
    return [problem for problem in problems if problem]


def _data_dir(settings: Settings) -> str | None:
    """The local data directory exists (made owner-only if missing) and takes a file.

    Tried, not inferred from permission bits: root passes `os.access` everywhere, and a
    read-only mount or /proc refuses anyway.
    """
    path = settings.data_path
    if path.exists() and not path.is_dir():
        return (
            f"CODEX_DATA_DIR points at {str(path)!r}, which is a file: give a directory "
            "(it is created if missing)."
        )
    try:
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        with tempfile.TemporaryFile(dir=path, prefix=".preflight-"):
            pass
    except OSError as error:
        return (
            f"CODEX_DATA_DIR {str(path)!r} is not writable ({error.strerror or error}): choose "
            "a directory this user can write, or fix its permissions."
        )
    return None


def _csv(variable: str, path: str | None, load: Callable[[str], Any], expected: str) -> str | None:
    if path is None:
        return None
    try:
        load(path)
    except UnicodeDecodeError as error:
        return (
            f"{variable}: {path} is not UTF-8 text (byte {error.start} is {error.object[error.start]:#04x}): "
            f"save it as a UTF-8 CSV ({expected})."
        )
    except ValueError as error:  # the loaders' own errors name the line and the fix
        return f"{variable}: {str(error).splitlines()[0]}"
    return None


def missing_key(variable: str, scope: str) -> str:
    """The one line for a key that is not set."""
    return (
        f"{variable} is not set: create a workspace Admin key with the scope {scope} and export "
        "it (or put it in .env)."
    )


def _key(variable: str, scope: str, environ: Mapping[str, str]) -> str | None:
    return None if environ.get(variable, "").strip() else missing_key(variable, scope)


def _motherduck(settings: Settings, environ: Mapping[str, str]) -> str | None:
    database = settings.duckdb_path
    if not database.startswith("md:") or "motherduck_token=" in database:
        return None
    if environ.get("MOTHERDUCK_TOKEN", "").strip() or environ.get("motherduck_token", "").strip():
        return None
    return (
        "CODEX_DUCKDB_PATH is a MotherDuck database (md:) but MOTHERDUCK_TOKEN is not set: "
        "export your MotherDuck token, or point CODEX_DUCKDB_PATH at a local file."
    )


def _object_store(settings: Settings) -> str | None:
    """An s3:// lake needs credentials from botocore's chain (env, profile, role); never printed."""
    if not settings.lake_is_remote or protocol(settings.data_dir) not in ("s3", "s3a"):
        return None
    import botocore.exceptions
    import botocore.session

    scheme = protocol(settings.data_dir)
    try:
        found = botocore.session.Session().get_credentials() is not None
    except botocore.exceptions.BotoCoreError as error:  # (a broken profile or role config)
        return (
            f"CODEX_DATA_DIR is {scheme}:// but the AWS credentials could not be loaded "
            f"({error}): fix the AWS profile or role settings."
        )
    if found:
        return None
    return (
        f"CODEX_DATA_DIR is {scheme}:// but no AWS credentials were found: set "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with a role."
    )
