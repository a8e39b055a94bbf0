"""SQL lives in `.sql` files beside the code that runs it; `read_sql` loads one by its path
under the `codex_assets` package (`defs/analytics/marts/adoption_daily.sql`)."""

from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


@cache
def read_sql(relative_path: str) -> str:
    """The text of `codex_assets/<relative_path>`, without a trailing semicolon."""
    return (PACKAGE_DIR / relative_path).read_text().strip().rstrip(";")


def sql_string(value: str) -> str:
    """`value` as a SQL string literal, for the few places a value cannot be a parameter
    (COPY targets, view definitions, comments)."""
    return "'" + value.replace("'", "''") + "'"
