"""The optional people directory (`CODEX_DIRECTORY_CSV`): which team and cost centre a user is in.

The Analytics API knows users, not teams, yet spend is budgeted by team. Rather than connect to
an HR system, the project reads a CSV anyone can export: one row per person, keyed by the
ChatGPT `user_id` or by email (whichever the exporter has), with `team` and optionally
`cost_centre`. Usage whose user is not in the file is reported under team `unassigned`, so
totals by team always add up to the workspace total.

A bad file stops the run with the file, the line and the fix, because a silently half-read
directory would quietly move spend between teams.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

UNASSIGNED = "unassigned"
"""The team of users absent from the directory (or of everyone when there is no directory)."""

KEY_COLUMNS = ("user_id", "email")
COST_CENTRE_ALIASES = ("cost_centre", "cost_center")


class DirectoryError(ValueError):
    """The directory CSV is malformed; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class DirectoryEntry:
    """One person: at least one of `user_id` / `email` (lower-cased) is set."""

    user_id: str | None
    email: str | None
    team: str
    cost_centre: str | None
    line: int


@dataclass(frozen=True)
class Directory:
    """The directory's entries and where they came from (None: no directory configured)."""

    entries: tuple[DirectoryEntry, ...] = ()
    source: str | None = None

    @classmethod
    def empty(cls) -> Directory:
        """No directory: every user is `unassigned`."""
        return cls()

    def lookup(self, user_id: str | None, email: str | None) -> DirectoryEntry | None:
        """The entry for a usage row: by `user_id` first, then by email (case-insensitive).

        User ids are stable while emails change, so an id match wins. The SQL join in the
        marts applies the same rule; this is its reference implementation.
        """
        if user_id is not None:
            for entry in self.entries:
                if entry.user_id == user_id:
                    return entry
        if email is not None:
            key = email.strip().lower()
            for entry in self.entries:
                if entry.email == key:
                    return entry
        return None

    def team_for(self, user_id: str | None, email: str | None) -> str:
        entry = self.lookup(user_id, email)
        return entry.team if entry else UNASSIGNED

    def as_rows(self) -> list[tuple[str | None, str | None, str, str | None]]:
        """(user_id, lower-cased email, team, cost_centre) rows for the SQL join."""
        return [(e.user_id, e.email, e.team, e.cost_centre) for e in self.entries]


def load_directory(path: str | Path | None) -> Directory:
    """Read the directory CSV at `path`; None gives the empty directory."""
    if path is None:
        return Directory.empty()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DirectoryError(
            f"{file}: cannot read the directory file ({exc.strerror or exc}). Fix: point "
            "CODEX_DIRECTORY_CSV at a readable CSV with columns user_id or email, team, "
            "cost_centre, or unset it."
        ) from None
    return parse_directory(text, str(file))


def parse_directory(text: str, source: str) -> Directory:
    """Parse directory CSV text. Extra columns are ignored; `#` lines and blank lines too."""
    lines = ["" if line.lstrip().startswith("#") else line for line in text.splitlines()]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    columns: dict[str, int] | None = None
    width = 0
    entries: list[DirectoryEntry] = []
    by_user: dict[str, int] = {}
    by_email: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if columns is None:
            columns = _read_header(cells, source, line)
            width = len(cells)
            continue
        if len(cells) != width:
            _fail(
                source,
                line,
                f"expected {width} fields like the header, found {len(cells)}",
                "give every row as many comma-separated fields as the header "
                "(leave a field empty rather than out, and quote values that contain commas)",
            )

        user_id = _cell(cells, columns, "user_id")
        email = _cell(cells, columns, "email")
        team = _cell(cells, columns, "team")
        cost_centre = _cell(cells, columns, "cost_centre")
        if user_id is None and email is None:
            _fail(source, line, "the row has neither a user_id nor an email", _fix_key(columns))
        if team is None:
            _fail(
                source,
                line,
                "team is empty",
                f"give the team, or delete the row to report the user as {UNASSIGNED!r}",
            )
        if email is not None:
            email = email.lower()
            if "@" not in email:
                _fail(source, line, f"email {email!r} has no '@'", "write a full email address")
        if user_id is not None:
            if user_id in by_user:
                _fail(
                    source,
                    line,
                    f"user_id {user_id} is already on line {by_user[user_id]}",
                    "keep one row per person",
                )
            by_user[user_id] = line
        if email is not None:
            if email in by_email:
                _fail(
                    source,
                    line,
                    f"email {email} is already on line {by_email[email]}",
                    "keep one row per person",
                )
            by_email[email] = line
        entries.append(DirectoryEntry(user_id, email, team, cost_centre, line))
    if columns is None:
        _fail(
            source,
            1,
            "the file is empty",
            "start it with a header such as 'email,team,cost_centre'",
        )
    return Directory(entries=tuple(entries), source=source)


def _read_header(cells: list[str], source: str, line: int) -> dict[str, int]:
    names = [cell.lower() for cell in cells]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        key = "cost_centre" if name in COST_CENTRE_ALIASES else name
        if key in columns:
            _fail(source, line, f"column {name!r} appears twice", "keep one column of each name")
        columns[key] = index
    if "team" not in columns or not any(key in columns for key in KEY_COLUMNS):
        _fail(
            source,
            line,
            f"the header is {','.join(cells)!r}",
            "the first line must name the columns: user_id or email (or both), team, "
            "and optionally cost_centre, e.g. 'email,team,cost_centre'",
        )
    return columns


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str | None:
    """The stripped value of column `name` in this row; None when empty or not in the file."""
    index = columns.get(name)
    return (cells[index] or None) if index is not None else None


def _fix_key(columns: dict[str, int] | None) -> str:
    present = [key for key in KEY_COLUMNS if columns and key in columns]
    return f"fill in {' or '.join(present)} so the row can be matched to usage"


def _fail(source: str, line: int, problem: str, fix: str) -> NoReturn:
    raise DirectoryError(f"{source}, line {line}: {problem}. Fix: {fix}.")
