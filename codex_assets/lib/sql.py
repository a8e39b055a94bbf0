"""SQL lives in `.sql` files beside the code that runs it; `read_sql` loads one by its path
under the `codex_assets` package (`defs/analytics/marts/adoption_daily.sql`).

A line `-- include: <path>` stands for the text of another such file, for the few select
items several files share (the usage measures of `land_usage_users.sql` and
`land_usage_workspace.sql`): everything that reads a file through `read_sql` (the landing, the
warehouse views, the record-field check) sees the same, whole SQL."""

import re
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent

_INCLUDE = re.compile(r"^[ \t]*--[ \t]*include:[ \t]*(\S+)[ \t]*$", re.MULTILINE)


@cache
def read_sql(relative_path: str) -> str:
    """The text of `codex_assets/<relative_path>`, without a trailing semicolon, its
    `-- include:` lines replaced by the files they name."""
    text = (PACKAGE_DIR / relative_path).read_text().strip().rstrip(";")
    return _INCLUDE.sub(lambda match: read_sql(match.group(1)), text)


def sql_string(value: str) -> str:
    """`value` as a SQL string literal, for the few places a value cannot be a parameter
    (COPY targets, view definitions, comments)."""
    return "'" + value.replace("'", "''") + "'"
