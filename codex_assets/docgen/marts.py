"""The reference half of docs/marts.md, generated from the table specs of every slice: the
analytics marts (`codex_assets.defs.analytics.marts`), the cross-source marts
(`codex_assets.defs.reconciliation`), the compliance marts (`codex_assets.defs.compliance`) and
the raw tables and the state tables, with the rules of `DEFINITIONS`.

Generated so the definitions and column descriptions a reader finds in the docs are the very
strings the tables carry (and Dagster shows), and so each mart's section says where its spec,
SQL, asset and tests are; a test fails when the file falls behind. Regenerate with
`python -m codex_assets.docgen.marts`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from codex_assets.defs.analytics.marts import DEFINITIONS, STATE_TABLES
from codex_assets.defs.analytics.marts import MARTS as ANALYTICS_MARTS
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.compliance import specs as compliance_specs
from codex_assets.defs.reconciliation.marts import MARTS as RECONCILIATION_MARTS
from codex_assets.lib.tables import Column, TableSpec

BEGIN = "<!-- BEGIN GENERATED: python -m codex_assets.docgen.marts -->"
END = "<!-- END GENERATED -->"
REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS_PATH = REPO_ROOT / "docs" / "marts.md"

_REFRESH = {
    "daily": "daily partitions: a refresh replaces the days of its range",
    "monthly": "monthly: a refresh replaces every calendar month its range touches",
    "snapshot": "snapshot: rebuilt whole on each refresh",
}


@dataclass(frozen=True)
class Section:
    """A group of marts on the page, and where the code of each lives."""

    title: str
    intro: str
    marts: tuple[TableSpec, ...]
    spec_module: str | None
    """The module holding every spec of the section; None: each mart's spec is the module
    beside its SQL (`<name>.py` next to `<name>.sql`)."""
    assets_module: str

    def spec_path(self, spec: TableSpec) -> str:
        if self.spec_module is not None:
            return self.spec_module
        return f"codex_assets/{spec.sql_file}".removesuffix(".sql") + ".py"


SECTIONS = (
    Section(
        "Analytics marts",
        "Built from the `raw` views of the Analytics API by `refresh_mart`.",
        tuple(ANALYTICS_MARTS.values()),
        None,
        "codex_assets/defs/analytics/marts/assets.py",
    ),
    Section(
        "Cross-source marts",
        "Compare the Analytics API with the Compliance API (`codex_assets/defs/reconciliation/`); "
        "built by `refresh_mart` like the analytics marts.",
        tuple(RECONCILIATION_MARTS.values()),
        None,
        "codex_assets/defs/reconciliation/assets.py",
    ),
    Section(
        "Compliance marts",
        "Built from `restricted.compliance_events` by `codex_assets/defs/compliance/marts.py` "
        "(see docs/compliance.md). No text, no emails.",
        tuple(compliance_specs.MARTS.values()),
        "codex_assets/defs/compliance/specs.py",
        "codex_assets/defs/compliance/assets.py",
    ),
)
"""Every mart of every slice, as the page shows them."""


def documented_marts() -> tuple[TableSpec, ...]:
    return tuple(spec for section in SECTIONS for spec in section.marts)


def render_reference() -> str:
    """Definitions, then one section per mart and state table, as Markdown."""
    out = ["## Definitions", ""]
    out += [f"- **{name}**: {text}" for name, text in DEFINITIONS.items()]
    out.append("")
    for section in SECTIONS:
        out += [f"## {section.title}", "", section.intro, ""]
        for spec in section.marts:
            out += _mart(section, spec)
    out += ["## Raw tables", "", _RAW_INTRO, ""]
    for table in ANALYTICS_RAW_TABLES:
        out += _raw(table.spec)
        for view in table.breakdown_views:
            out += _raw(view)
    out += _raw(compliance_specs.CODEX_LOG_SPEC)
    out += ["## State tables", ""]
    for table in STATE_TABLES.values():
        out += [
            f"### `{table.qualified_name}`",
            "",
            f"{table.description} Maintained by: {table.maintained_by}.",
            "",
            *_column_table(table.columns, lineage=False),
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


_RAW_INTRO = (
    "What the lake holds, as the `raw` views show it. Their columns are whatever their SQL "
    "yields (see docs/raw-schema.md): the landing SQL of a lake table, the SELECT of a view."
)


def _raw(spec: TableSpec) -> list[str]:
    sql = spec.landed_by or spec.sql_file
    reads = (
        [f"- reads: {', '.join(f'`{table}`' for table in spec.upstream)}"] if spec.upstream else []
    )
    return [
        f"### `{spec.qualified_name}`",
        "",
        spec.description,
        "",
        f"- grain: {', '.join(spec.grain) or 'none (lines may repeat: at-least-once delivery)'}",
        *reads,
        f"- SQL: `codex_assets/{sql}`",
        "",
    ]


def _mart(section: Section, spec: TableSpec) -> list[str]:
    reads = ", ".join(f"`{table}`" for table in spec.upstream)
    if spec.also_reads:
        reads += " (and, not as a dependency, "
        reads += ", ".join(f"`{table.qualified_name}`" for table in spec.also_reads) + ")"
    return [
        f"### `{spec.qualified_name}`",
        "",
        spec.description,
        "",
        f"- grain: {', '.join(spec.grain)}",
        f"- refresh: {_REFRESH[spec.refresh or 'snapshot']}",
        f"- reads: {reads}",
        f"- spec: `{section.spec_path(spec)}`",
        f"- SQL: `codex_assets/{spec.sql_file}`",
        f"- asset: `{'/'.join(spec.qualified_name.split('.'))}`, in `{section.assets_module}`",
        f"- tests: {', '.join(f'`{path}`' for path in spec.tests)}",
        "",
        *_column_table(spec.columns, lineage=True),
        "",
    ]


def _column_table(columns: tuple[Column, ...], *, lineage: bool) -> list[str]:
    header = "| column | type | description |" + (" from |" if lineage else "")
    rule = "|---|---|---|" + ("---|" if lineage else "")
    lines = [header, rule]
    for column in columns:
        null = "" if column.nullable else " not null"
        cells = [f"`{column.name}`", f"{column.type}{null}", _cell(column.description)]
        if lineage:
            cells.append(", ".join(f"{table}.{name}" for table, name in column.lineage))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def splice(document: str, reference: str) -> str:
    """`document` with the text between the BEGIN and END markers replaced by `reference`."""
    head, found, rest = document.partition(BEGIN)
    if not found or END not in rest:
        raise ValueError(f"the document has no {BEGIN} ... {END} block")
    tail = rest.split(END, 1)[1]
    return f"{head}{BEGIN}\n\n{reference}\n{END}{tail}"


def main(path: Path = DOCS_PATH) -> int:
    document = path.read_text()
    updated = splice(document, render_reference())
    if updated != document:
        path.write_text(updated)
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS_PATH))
