"""docs/lineage.md shows the column lineage the open-source UI does not render: generated from
the specs and current, every mart column on it, every link an asset of the definitions, and
each mart's definition metadata pointing at its section."""

from __future__ import annotations

import re

import dagster as dg

from codex_assets.definitions import defs
from codex_assets.defs.metadata import LINEAGE_PAGE, asset_url, lineage_anchor
from codex_assets.docgen.lineage import LINEAGE_DOC, UI_BASE_URL, render
from codex_assets.docgen.marts import REPO_ROOT, documented_marts

LINK = re.compile(r"\]\((http://127\.0\.0\.1:3000/assets/[^)#]+)\)")


def test_the_page_is_current() -> None:
    assert LINEAGE_DOC.read_text() == render(), (
        "docs/lineage.md is stale: run `python -m codex_assets.docgen.lineage`"
    )


def test_every_mart_column_is_there_with_its_definition_and_upstream_columns() -> None:
    page = LINEAGE_DOC.read_text()
    for spec in documented_marts():
        section = page.split(f"## `{spec.qualified_name}`\n", 1)[1].split("\n## ", 1)[0]
        assert f"[{'/'.join(spec.qualified_name.split('.'))}](" in section
        for column in spec.columns:
            row = next(
                line for line in section.splitlines() if line.startswith(f"| `{column.name}` |")
            )
            assert column.description.replace("|", "\\|") in row, (spec.name, column.name)
            for table, name in column.lineage:
                assert f"[{table}.{name}](" in row, (spec.name, column.name, table, name)


def test_every_link_opens_an_asset_the_definitions_have() -> None:
    keys = {key.to_user_string() for key in defs().resolve_asset_graph().get_all_asset_keys()}
    links = set(LINK.findall(LINEAGE_DOC.read_text()))
    assert len(links) > len(documented_marts())
    prefix = f"{UI_BASE_URL}/assets/"
    assert {link.removeprefix(prefix) for link in links} <= keys


def test_each_mart_links_its_section_and_shows_its_lineage_in_its_definition() -> None:
    page = LINEAGE_DOC.read_text()
    anchors = set(re.findall(r"\(#(\w+)\)", page))
    graph = defs().resolve_asset_graph()
    for spec in documented_marts():
        key = dg.AssetKey(spec.qualified_name.split("."))
        metadata = graph.get(key).metadata
        assert metadata["column_lineage_page"].value == f"{LINEAGE_PAGE}#{lineage_anchor(spec)}"
        assert lineage_anchor(spec) in anchors
        table = metadata["column_lineage"].value
        first = spec.columns[0]
        upstream, column = first.lineage[0]
        assert f"| `{first.name}` |" in table
        # Relative to the UI that shows it, so it works on any deployment.
        assert f"[{upstream}.{column}](/assets/" in table
    assert asset_url(dg.AssetKey(["raw", "usage_users"]), UI_BASE_URL + "/") == (
        "http://127.0.0.1:3000/assets/raw/usage_users"
    )


def test_the_readme_links_the_page_and_says_where_column_lineage_renders() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert "docs/lineage.md" in readme
    assert "only on Dagster+" in readme
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "-h 127.0.0.1 -p 3000" in makefile  # the UI the page's links open
