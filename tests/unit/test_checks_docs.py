"""Each check is described once, by its spec: Dagster shows it, and docs/checks.md's tables and
the README's check table are generated from it and current."""

from __future__ import annotations

import warnings

import dagster as dg
import pytest

from codex_assets.definitions import defs
from codex_assets.defs.analytics.checks import asset_checks as analytics_checks
from codex_assets.docgen.checks import (
    ALL_SPECS,
    CHECKS_DOC,
    README,
    SECTIONS,
    render,
)
from codex_assets.lib.checks.docs import splice

COMMAND = "python -m codex_assets.docgen.checks"


@pytest.fixture(scope="module")
def built_specs() -> list[dg.AssetCheckSpec]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        definitions = defs()
    return [spec for checks in definitions.asset_checks for spec in checks.check_specs]


@pytest.mark.parametrize("document", [CHECKS_DOC, README], ids=lambda path: path.name)
def test_the_generated_tables_are_current(document):
    assert render(document) == document.read_text(), f"{document.name} is stale: run `{COMMAND}`"


def test_every_check_dagster_defines_has_a_spec_with_its_severity(built_specs):
    described = {(spec.name, spec.blocking) for spec in ALL_SPECS}
    for spec in built_specs:
        assert (spec.name, spec.blocking) in described, spec.key


def test_every_spec_is_a_check_dagster_defines(built_specs):
    defined = {spec.name for spec in built_specs}
    assert {spec.name for spec in ALL_SPECS} == defined


def test_dagster_shows_the_spec_s_description(built_specs):
    """Our checks carry their spec's description (Dagster's own freshness checks keep theirs)."""
    descriptions = {spec.description for spec in ALL_SPECS}
    dagsters = {key for checks in analytics_checks.freshness_checks for key in checks.check_keys}
    ours = [spec for spec in built_specs if spec.key not in dagsters]
    assert len(ours) == len(built_specs) - len(dagsters) > 0
    for spec in ours:
        assert spec.description in descriptions, spec.key


def test_the_docs_and_readme_name_every_check():
    docs, readme = CHECKS_DOC.read_text(), README.read_text()
    for spec in ALL_SPECS:
        assert f"| `{spec.name}` | {spec.on} |" in docs, spec.name
        assert f"| `{spec.name}` | {spec.on} | {spec.severity} |" in readme, spec.name


def test_every_spec_is_in_a_section_of_the_docs():
    assert len(SECTIONS) == len(set(SECTIONS))
    for spec in ALL_SPECS:
        assert spec.family in SECTIONS, spec.name
    assert {spec.family for spec in ALL_SPECS} == set(SECTIONS)


def test_splice_refuses_a_document_without_the_block():
    with pytest.raises(ValueError, match="no <!-- BEGIN GENERATED checks"):
        splice("no markers here", "checks", "text", COMMAND)
