"""The README is the user's contract: its commands and metric definitions must stay true."""

from __future__ import annotations

from pathlib import Path

from codex_assets.defs.analytics.marts import DEFINITIONS, MARTS
from codex_assets.defs.reconciliation.marts import MARTS as RECONCILIATION_MARTS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_first_lines_give_the_newcomer_commands():
    head = "\n".join(README.splitlines()[:10])
    assert "make demo" in head and "make test" in head


def test_every_mart_and_definition_is_documented_verbatim():
    for spec in (*MARTS.values(), *RECONCILIATION_MARTS.values()):
        assert f"`{spec.qualified_name}`" in README
    for name, text in DEFINITIONS.items():
        assert f"- **{name}**: {text}" in README, name
