"""The client_id -> surface map: which Codex product surface a usage breakdown row belongs to.

The Analytics API reports usage per `client_id` (43 documented values, and it grows), while
people think in surfaces (CLI, IDE, cloud, desktop, Code Review). The grouping is data, not
code: a CSV users can copy and edit (`CODEX_SURFACES_CSV`), because which surface a new client
belongs to is a business decision that should not need a release. A client id no row matches
is counted under `other`, so usage is never dropped because the map is out of date.

The marts join the map in SQL (see `as_rows`); `surface_for` is the same rule in Python, used
by tests and by anyone who wants to explain a mapping.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import NoReturn

SURFACES: tuple[str, ...] = ("cli", "ide", "cloud", "desktop", "code_review", "other")
"""The surfaces a client id can map to."""

ALL_SURFACE = "all"
"""The extra surface the marts report: a user's totals across every client."""

REPORTED_SURFACES: tuple[str, ...] = (*SURFACES, ALL_SURFACE)
"""Every surface value that appears in the marts, in display order."""

FALLBACK_SURFACE = "other"
DEFAULT_SURFACES_CSV = Path(__file__).with_name("surfaces.csv")
HEADER = ("client_id", "surface")

_PATTERN = re.compile(r"^[A-Z0-9_.\-*]+$")


class SurfaceMapError(ValueError):
    """The surfaces CSV is malformed; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class SurfaceRule:
    """One CSV row: `pattern` is an exact client id, or a glob where `*` matches anything."""

    pattern: str
    surface: str
    line: int

    @property
    def is_exact(self) -> bool:
        return "*" not in self.pattern

    @property
    def specificity(self) -> tuple[int, int, int]:
        """Sort key, most specific first: exact ids, then longer literal text, then file order."""
        return (0 if self.is_exact else 1, -len(self.pattern.replace("*", "")), self.line)


@dataclass(frozen=True)
class SurfaceMap:
    """The rules of one surfaces file, with the file they came from (for messages)."""

    rules: tuple[SurfaceRule, ...]
    source: str

    def ranked(self) -> list[SurfaceRule]:
        """Rules most specific first; the first that matches a client id decides its surface."""
        return sorted(self.rules, key=lambda rule: rule.specificity)

    def surface_for(self, client_id: str | None) -> str:
        """The surface of `client_id` (case-insensitive); `other` when no rule matches."""
        if client_id is None:
            return FALLBACK_SURFACE
        key = client_id.strip().upper()
        for rule in self.ranked():
            if fnmatchcase(key, rule.pattern):
                return rule.surface
        return FALLBACK_SURFACE

    def as_rows(self) -> list[tuple[str, str, int]]:
        """(glob pattern, surface, priority) for the SQL join; a lower priority wins.

        The SQL matches `upper(client_id) GLOB pattern` and keeps the lowest priority, which is
        exactly `surface_for`. Patterns are validated to use only `*` as a wildcard, so DuckDB's
        GLOB and Python's fnmatch agree.
        """
        return [(rule.pattern, rule.surface, rank) for rank, rule in enumerate(self.ranked())]


def load_surface_map(path: str | Path | None = None) -> SurfaceMap:
    """Read a surfaces CSV (the packaged default when `path` is None).

    A user's file replaces the default entirely, so what it says is all there is: copy the
    default and edit it rather than listing only the changes.
    """
    file = Path(path) if path is not None else DEFAULT_SURFACES_CSV
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SurfaceMapError(
            f"{file}: cannot read the surfaces file ({exc.strerror or exc}). Fix: point "
            f"CODEX_SURFACES_CSV at a readable copy of {DEFAULT_SURFACES_CSV}, or unset it."
        ) from None
    return parse_surface_map(text, str(file))


def parse_surface_map(text: str, source: str) -> SurfaceMap:
    """Parse surfaces CSV text. Lines starting with `#` and blank lines are ignored."""
    # Blank out comment lines instead of removing them, so csv line numbers stay physical.
    lines = ["" if line.lstrip().startswith("#") else line for line in text.splitlines()]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header: tuple[str, ...] | None = None
    rules: list[SurfaceRule] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if header is None:
            header = tuple(cell.lower() for cell in cells)
            if header != HEADER:
                _fail(
                    source,
                    line,
                    f"the header is {','.join(cells)!r}",
                    "the first line that is not a comment must be exactly 'client_id,surface'",
                )
            continue
        if len(cells) != 2:
            _fail(
                source,
                line,
                f"expected 2 fields (client_id,surface), found {len(cells)}",
                "write one client id or pattern and one surface per line, separated by a comma",
            )
        pattern, surface = cells[0].upper(), cells[1].lower()
        if not _PATTERN.match(pattern):
            _fail(
                source,
                line,
                f"client_id {cells[0]!r} has characters other than letters, digits, _ . - and *",
                "write an id such as CODEX_CLI or a pattern such as CODEX_IDE_*",
            )
        if surface not in SURFACES:
            _fail(
                source,
                line,
                f"surface {cells[1]!r} is not one of {', '.join(SURFACES)}",
                "use one of those surfaces ('all' is computed by the marts, not mapped)",
            )
        if pattern in seen:
            _fail(
                source,
                line,
                f"{pattern} is already mapped on line {seen[pattern]}",
                "keep one line per client id or pattern",
            )
        seen[pattern] = line
        rules.append(SurfaceRule(pattern=pattern, surface=surface, line=line))
    if header is None:
        _fail(source, 1, "the file is empty", "start it with the header 'client_id,surface'")
    return SurfaceMap(rules=tuple(rules), source=source)


def _fail(source: str, line: int, problem: str, fix: str) -> NoReturn:
    raise SurfaceMapError(f"{source}, line {line}: {problem}. Fix: {fix}.")
