"""The reference half of docs/marts.md, generated from `MARTS`, `STATE_TABLES`, `DEFINITIONS`
and the compliance marts' specs (`codex_assets.defs.compliance.specs`).

Generated so the definitions and column descriptions a reader finds in the docs are the very
strings the tables carry (and Dagster shows); a test fails when the file falls behind.
Regenerate with `python -m codex_assets.defs.analytics.marts.docs`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from codex_assets.defs.analytics.marts.definitions import DEFINITIONS
from codex_assets.defs.analytics.marts.specs import MARTS, STATE_TABLES, Column
from codex_assets.defs.compliance.specs import ALL_SPECS as COMPLIANCE_SPECS
from codex_assets.defs.compliance.specs import Column as ComplianceColumn

COMPLIANCE_MARTS = tuple(spec for spec in COMPLIANCE_SPECS if spec.schema == "marts")

BEGIN = "<!-- BEGIN GENERATED: python -m codex_assets.defs.analytics.marts.docs -->"
END = "<!-- END GENERATED -->"
DOCS_PATH = Path(__file__).resolve().parents[4] / "docs" / "marts.md"

_REFRESH = {
    "daily": "daily partitions: a refresh replaces the days of its range",
    "monthly": "monthly: a refresh replaces every calendar month its range touches",
    "snapshot": "snapshot: rebuilt whole, as of the last loaded day",
}


def render_reference() -> str:
    """Definitions, then one section per mart and state table, as Markdown."""
    out = ["## Definitions", ""]
    out += [f"- **{name}**: {text}" for name, text in DEFINITIONS.items()]
    out += ["", "## Tables", ""]
    for spec in MARTS.values():
        out += [
            f"### `{spec.qualified_name}`",
            "",
            spec.description,
            "",
            f"- grain: {', '.join(spec.grain)}",
            f"- refresh: {_REFRESH[spec.refresh]}",
            f"- reads: {', '.join(f'`{table}`' for table in spec.upstream)}",
            f"- SQL: `codex_assets/{spec.sql_file}`",
            "",
            *_column_table(spec.columns, lineage=True),
            "",
        ]
    out += [
        "## Compliance marts",
        "",
        "Built from `restricted.compliance_events` by `codex_assets/defs/compliance/marts.py` "
        "(specs in `codex_assets/defs/compliance/specs.py`; see docs/compliance.md). No text, "
        "no emails.",
        "",
    ]
    for compliance in COMPLIANCE_MARTS:
        out += [
            f"### `{compliance.qualified_name}`",
            "",
            compliance.description,
            "",
            f"- grain: {', '.join(compliance.grain)}",
            "",
            *_column_table(compliance.columns, lineage=True),
            "",
        ]
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


def _column_table(
    columns: tuple[Column, ...] | tuple[ComplianceColumn, ...], *, lineage: bool
) -> list[str]:
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
