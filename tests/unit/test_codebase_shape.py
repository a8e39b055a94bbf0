"""The shape the README's "Layout" promises, held where import-linter cannot look.

import-linter (`make lint`, contracts in pyproject.toml) holds who imports whom. These hold the
rest of what keeps the tree easy to change: every module fits in one reading, modules are
imported by name (so tools and readers can follow them), the environment is read in few
places, and every third-party package the code imports is declared.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "codex_assets"
PYPROJECT = PACKAGE.parent / "pyproject.toml"
MAX_LINES = 600
MAX_ENVIRONMENT_READERS = 3
"""Call sites of `lib.settings.environment()`, the one reader: the CLI, the resources, and the
partition set's documented start."""


def _modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(PACKAGE).as_posix(): ast.parse(path.read_text(), str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _calls(tree: ast.AST) -> list[str]:
    """Every call in `tree` as dotted text (`os.environ.get`, `importlib.import_module`)."""
    return [ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)]


def test_no_module_is_longer_than_one_reading() -> None:
    long = {
        name: lines
        for name in _modules()
        if (lines := len((PACKAGE / name).read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules (over {MAX_LINES} lines): {long}"


def test_modules_are_imported_by_name() -> None:
    dynamic = {
        name: call
        for name, tree in _modules().items()
        for call in _calls(tree)
        if call in ("importlib.import_module", "__import__", "import_module")
    }
    assert not dynamic, f"import these modules by name instead: {dynamic}"


def test_the_environment_is_read_in_few_places() -> None:
    readers = {
        name
        for name, tree in _modules().items()
        if not name.startswith("simulator/")
        and (
            any(
                re.match(r"os\.(environ|getenv)|.*(load_dotenv|from_env)$", call)
                for call in _calls(tree)
            )
            or any(
                ast.unparse(node) == "os.environ"
                for node in ast.walk(tree)
                if isinstance(node, ast.Attribute)
            )
        )
    }
    assert readers == {"lib/settings.py"}, sorted(readers)
    call_sites = [
        name
        for name, tree in _modules().items()
        for call in _calls(tree)
        if call in ("environment", "settings.environment")
    ]
    assert len(call_sites) <= MAX_ENVIRONMENT_READERS, sorted(call_sites)


def _normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def test_every_imported_package_is_declared() -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    declared = {
        _normalise(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0])
        for spec in project["dependencies"]
    }
    distributions = packages_distributions()
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for tree in _modules().values()
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and not getattr(node, "level", 0)
        for alias in node.names
    }
    third_party = imported - set(sys.stdlib_module_names) - {"codex_assets", "__future__"}
    undeclared = {
        name: distributions.get(name)
        for name in third_party
        if not {_normalise(d) for d in distributions.get(name, [name])} & declared
    }
    assert not undeclared, f"declare these in pyproject.toml [project] dependencies: {undeclared}"
