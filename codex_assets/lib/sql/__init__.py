"""SQL lives in `.sql` files beside this module; `read_sql` loads one by relative path."""

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent


@cache
def read_sql(relative_path: str) -> str:
    """The text of `codex_assets/lib/sql/<relative_path>`, without a trailing semicolon."""
    return (SQL_DIR / relative_path).read_text().strip().rstrip(";")


def sql_string(value: str) -> str:
    """`value` as a SQL string literal, for the few places a value cannot be a parameter
    (COPY targets, view definitions, comments)."""
    return "'" + value.replace("'", "''") + "'"
