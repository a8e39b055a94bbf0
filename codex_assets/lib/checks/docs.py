"""Markdown tables of check specs, and the splice that puts them between markers in a document.

Generated so the docs say what Dagster shows: the rule, the severity and the contract of each
check are the strings of its `CheckSpec`. Which specs exist, and which documents get which
table, is `codex_assets/docgen/checks.py` (above the slices: it reads every source).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from codex_assets.lib.checks.specs import CheckSpec


def family_table(specs: Sequence[CheckSpec], family: str) -> str:
    """docs/checks.md's table of one family: check, on, severity, rule, why that severity."""
    rows = [
        [f"`{s.name}`", s.on, _docs_severity(s), s.rule, s.why] for s in specs if s.family == family
    ]
    return _table(["check", "on", "severity", "rule", "why this severity"], rows)


def contract_table(specs: Sequence[CheckSpec], families: Sequence[str]) -> str:
    """What each check relies on from the contract, in `families`' order; checks that rely on
    the same, one row."""
    merged: dict[tuple[bool, str, str], list[CheckSpec]] = {}
    for spec in _in_order(specs, families):
        merged.setdefault((spec.blocking, spec.relies_on, spec.not_promised), []).append(spec)
    repeated = _repeated_names(specs)
    rows = []
    for (_, relies_on, not_promised), group in merged.items():
        names = ", ".join(dict.fromkeys(_name(s, repeated, merged=len(group) > 1) for s in group))
        rows.append([names, group[0].severity, relies_on, not_promised])
    header = [
        "check",
        "severity",
        "what the contract promises, that the check relies on",
        "what it does not promise, and how the check treats it",
    ]
    return _table(header, rows)


def readme_table(specs: Sequence[CheckSpec], families: Sequence[str]) -> str:
    """The README's table, in `families`' order: check, on, severity, what a failure means,
    what to do."""
    rows = [
        [f"`{s.name}`", s.on, s.severity, s.failure, s.action] for s in _in_order(specs, families)
    ]
    return _table(["check", "on", "severity", "a failure means", "what to do"], rows)


def begin_marker(block: str, command: str) -> str:
    return f"<!-- BEGIN GENERATED {block}: {command} -->"


def end_marker(block: str) -> str:
    return f"<!-- END GENERATED {block} -->"


def splice(document: str, block: str, text: str, command: str) -> str:
    """`document` with the text between `block`'s BEGIN and END markers replaced by `text`."""
    begin, end = begin_marker(block, command), end_marker(block)
    head, found, rest = document.partition(begin)
    if not found or end not in rest:
        raise ValueError(f"the document has no {begin} ... {end} block")
    tail = rest.split(end, 1)[1]
    return f"{head}{begin}\n\n{text}\n{end}{tail}"


def splice_all(document: str, blocks: dict[str, Callable[[], str]], command: str) -> str:
    for block, render in blocks.items():
        document = splice(document, block, render(), command)
    return document


def _in_order(specs: Sequence[CheckSpec], families: Sequence[str]) -> list[CheckSpec]:
    return sorted(specs, key=lambda spec: families.index(spec.family))


def _repeated_names(specs: Sequence[CheckSpec]) -> set[str]:
    names = [spec.name for spec in specs]
    return {name for name in names if names.count(name) > 1}


def _name(spec: CheckSpec, repeated: set[str], *, merged: bool) -> str:
    """`name`, and where it is, when another spec of another row has the same name."""
    if spec.name in repeated and not merged:
        return f"`{spec.name}` ({spec.on})"
    return f"`{spec.name}`"


def _docs_severity(spec: CheckSpec) -> str:
    return "**ERROR, blocking**" if spec.blocking else "WARN"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
