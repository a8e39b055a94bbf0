"""Hand-made raw data for the mart tests, and the checks that it has the raw layer's shape.

The `raw.*` views of docs/raw-schema.md are stood in for by tables with exactly those columns
in a temporary DuckDB file, filled row by row from the small literals below. Every expected
answer in the mart tests is worked out by hand from these literals (the arithmetic is in the
comments there), never by running the SQL under test.

Other test modules import the builder and the dataset from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pytest

from codex_assets.defs.analytics.marts import MARTS, MartSettings, ensure_schema, refresh_mart
from codex_assets.defs.reconciliation.marts import MARTS as RECONCILIATION_MARTS
from codex_assets.lib.tables import ensure_tables

USAGE_MARTS = {**MARTS, **RECONCILIATION_MARTS}
"""Every mart `refresh_mart` builds: the analytics ones, then the cross-source reconciliation."""

TOKENS = "uncached_text_input_tokens BIGINT, cached_text_input_tokens BIGINT, text_output_tokens BIGINT, text_total_tokens BIGINT"
CLIENT_STRUCT = (
    "STRUCT(client_id VARCHAR, threads BIGINT, turns BIGINT, credits DOUBLE, "
    "estimated_cost_usd DOUBLE, cost_usd DOUBLE, uncached_text_input_tokens BIGINT, "
    "cached_text_input_tokens BIGINT, text_output_tokens BIGINT, text_total_tokens BIGINT)[]"
)
MODEL_STRUCT = (
    "STRUCT(model VARCHAR, speed VARCHAR, credits DOUBLE, estimated_cost_usd DOUBLE, "
    "cost_usd DOUBLE, uncached_text_input_tokens BIGINT, cached_text_input_tokens BIGINT, "
    "text_output_tokens BIGINT, text_total_tokens BIGINT)[]"
)

# Exactly the columns of docs/raw-schema.md, in its order.
RAW_DDL = {
    "usage_users": (
        "day DATE, start_time BIGINT, end_time BIGINT, user_id VARCHAR, email VARCHAR, "
        f"threads BIGINT, turns BIGINT, credits DOUBLE, estimated_cost_usd DOUBLE, cost_usd DOUBLE, {TOKENS}, "
        f"clients {CLIENT_STRUCT}, models {MODEL_STRUCT}, code_attribution JSON, record JSON, "
        "loaded_at TIMESTAMP"
    ),
    "usage_user_clients": (
        "day DATE, user_id VARCHAR, email VARCHAR, client_id VARCHAR, threads BIGINT, "
        f"turns BIGINT, credits DOUBLE, estimated_cost_usd DOUBLE, cost_usd DOUBLE, {TOKENS}"
    ),
    "usage_user_models": (
        "day DATE, user_id VARCHAR, email VARCHAR, model VARCHAR, speed VARCHAR, "
        f"credits DOUBLE, estimated_cost_usd DOUBLE, cost_usd DOUBLE, {TOKENS}"
    ),
    "usage_workspace": (
        "day DATE, start_time BIGINT, end_time BIGINT, threads BIGINT, turns BIGINT, "
        f"credits DOUBLE, estimated_cost_usd DOUBLE, cost_usd DOUBLE, {TOKENS}, clients {CLIENT_STRUCT}, "
        f"models {MODEL_STRUCT}, code_attribution JSON, record JSON, loaded_at TIMESTAMP"
    ),
    "usage_workspace_clients": (
        "day DATE, client_id VARCHAR, threads BIGINT, turns BIGINT, credits DOUBLE, "
        f"estimated_cost_usd DOUBLE, cost_usd DOUBLE, {TOKENS}"
    ),
    "code_reviews": (
        "day DATE, start_time BIGINT, end_time BIGINT, pull_request_reviews BIGINT, "
        "comments BIGINT, p0 BIGINT, p1 BIGINT, p2 BIGINT, record JSON, loaded_at TIMESTAMP"
    ),
    "code_review_responses": (
        "day DATE, start_time BIGINT, end_time BIGINT, pull_request_reviews BIGINT, "
        "comments BIGINT, replies BIGINT, reactions BIGINT, engaged BIGINT, reacted BIGINT, "
        "upvoted BIGINT, downvoted BIGINT, reacted_other BIGINT, replied BIGINT, "
        "upvotes BIGINT, downvotes BIGINT, other_reactions BIGINT, record JSON, "
        "loaded_at TIMESTAMP"
    ),
}

Tokens = tuple[int | None, int | None, int | None, int | None]
NO_TOKENS: Tokens = (None, None, None, None)


@dataclass(frozen=True)
class Client:
    client_id: str | None
    threads: int
    turns: int
    credits: float | None
    cost: float | None = None
    tokens: Tokens = NO_TOKENS
    billed: float | None = None
    """The native cost_usd a USD-billed workspace reports."""


@dataclass(frozen=True)
class Model:
    model: str
    speed: str | None
    credits: float | None
    cost: float | None = None
    tokens: Tokens = NO_TOKENS
    billed: float | None = None
    """The native cost_usd a USD-billed workspace reports."""


@dataclass(frozen=True)
class UserDay:
    """One per-user usage row: totals, plus the client and model breakdowns."""

    day: date
    user_id: str
    email: str | None
    threads: int
    turns: int
    credits: float | None
    cost: float | None = None
    tokens: Tokens = NO_TOKENS
    billed: float | None = None
    """The native cost_usd a USD-billed workspace reports."""
    clients: Sequence[Client] = field(default_factory=tuple)
    models: Sequence[Model] = field(default_factory=tuple)


def _epoch(day: date) -> int:
    return (day - date(1970, 1, 1)).days * 86400


class RawData:
    """Creates the raw tables in `conn` and inserts rows the way the raw views expose them."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for name, columns in RAW_DDL.items():
            conn.execute(f"CREATE OR REPLACE TABLE raw.{name} ({columns})")

    def user_day(self, row: UserDay) -> None:
        clients = [
            {
                "client_id": c.client_id,
                "threads": c.threads,
                "turns": c.turns,
                "credits": c.credits,
                "estimated_cost_usd": c.cost,
                "cost_usd": c.billed,
                **_token_dict(c.tokens),
            }
            for c in row.clients
        ]
        models = [
            {
                "model": m.model,
                "speed": m.speed,
                "credits": m.credits,
                "estimated_cost_usd": m.cost,
                "cost_usd": m.billed,
                **_token_dict(m.tokens),
            }
            for m in row.models
        ]
        self.conn.execute(
            "INSERT INTO raw.usage_users VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, '{}', now()::TIMESTAMP)",
            [
                row.day,
                _epoch(row.day),
                _epoch(row.day) + 86400,
                row.user_id,
                row.email,
                row.threads,
                row.turns,
                row.credits,
                row.cost,
                row.billed,
                *row.tokens,
                clients,
                models,
            ],
        )
        for c in row.clients:
            self.conn.execute(
                "INSERT INTO raw.usage_user_clients VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    row.day,
                    row.user_id,
                    row.email,
                    c.client_id,
                    c.threads,
                    c.turns,
                    c.credits,
                    c.cost,
                    c.billed,
                    *c.tokens,
                ],
            )
        for m in row.models:
            self.conn.execute(
                "INSERT INTO raw.usage_user_models VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    *(row.day, row.user_id, row.email, m.model, m.speed, m.credits, m.cost),
                    m.billed,
                    *m.tokens,
                ],
            )

    def workspace_day(
        self, day: date, threads: int, turns: int, credits: float, cost: float | None = None
    ) -> None:
        self.conn.execute(
            "INSERT INTO raw.usage_workspace VALUES "
            "(?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, [], [], NULL, '{}', now()::TIMESTAMP)",
            [day, _epoch(day), _epoch(day) + 86400, threads, turns, credits, cost],
        )

    def code_reviews(
        self, day: date, reviews: int, comments: int, p0: int, p1: int, p2: int
    ) -> None:
        self.conn.execute(
            "INSERT INTO raw.code_reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', now()::TIMESTAMP)",
            [day, _epoch(day), _epoch(day) + 86400, reviews, comments, p0, p1, p2],
        )

    def responses(self, day: date, **counts: int) -> None:
        names = [
            "pull_request_reviews",
            "comments",
            "replies",
            "reactions",
            "engaged",
            "reacted",
            "upvoted",
            "downvoted",
            "reacted_other",
            "replied",
            "upvotes",
            "downvotes",
            "other_reactions",
        ]
        unknown = set(counts) - set(names)
        assert not unknown, unknown
        self.conn.execute(
            f"INSERT INTO raw.code_review_responses VALUES (?, ?, ?, {', '.join('?' * len(names))}, '{{}}', now()::TIMESTAMP)",
            [day, _epoch(day), _epoch(day) + 86400, *(counts.get(n, 0) for n in names)],
        )


def _token_dict(tokens: Tokens) -> dict[str, int | None]:
    keys = (
        "uncached_text_input_tokens",
        "cached_text_input_tokens",
        "text_output_tokens",
        "text_total_tokens",
    )
    return dict(zip(keys, tokens, strict=True))


# ---------------------------------------------------------------------------------------------
# The main dataset: March 1-6 2026, four users.
#
#   u1  alice@example.com   directory by user_id -> platform / CC-PLAT; CLI and IDE (three
#                           IDE clients: VS Code, and PyCharm + Xcode on one day)
#   u2  (no email)          directory by user_id -> data / CC-DATA; CLI only; an all-zero row
#                           on Mar 3 (present but not active)
#   u3  bob@example.com     not in the directory -> unassigned; active Mar 1, 2, 3, 5, 6
#                           (a streak of 3 broken by the idle Mar 4, then 2); an unknown
#                           client id on Mar 1 (CODEX_NEW_THING -> other)
#   u4  Carol@Example.com   directory by email (carol@example.com) -> platform / no cost
#                           centre; Code Review only on Mar 2 (credits but no threads/turns)
#
#   Mar 4 has no usage at all (no per-user rows; the workspace row is all zeros).
# ---------------------------------------------------------------------------------------------

D1, D2, D3, D4, D5, D6 = (date(2026, 3, day) for day in range(1, 7))

DIRECTORY_CSV = """user_id,email,team,cost_centre
u1,,platform,CC-PLAT
u2,,data,CC-DATA
,carol@example.com,platform,
u9,nobody@example.com,ghosts,CC-X
"""

MAIN_USAGE: tuple[UserDay, ...] = (
    # Mar 1
    UserDay(
        D1,
        "u1",
        "alice@example.com",
        3,
        10,
        6.0,
        0.60,
        (100, 200, 50, 350),
        clients=(
            Client("CODEX_CLI", 2, 6, 4.0, 0.40, (60, 120, 30, 210)),
            Client("CODEX_IDE_VSCODE", 1, 4, 2.0, None),  # no estimate, no tokens
        ),
        models=(
            Model("gpt-5.5", "standard", 5.0, 0.50, (90, 180, 45, 315)),
            Model("other", None, 1.0, None),
        ),
    ),
    UserDay(
        D1,
        "u2",
        None,
        1,
        2,
        1.0,
        0.10,
        clients=(Client("CODEX_CLI", 1, 2, 1.0, 0.10),),
        models=(Model("gpt-5.5", "standard", 1.0, 0.10),),
    ),
    UserDay(
        D1,
        "u3",
        "bob@example.com",
        1,
        1,
        0.5,
        None,
        clients=(Client("CODEX_NEW_THING", 1, 1, 0.5, None),),  # unknown id -> other
        models=(Model("gpt-5.4", "fast", 0.5, None),),
    ),
    # Mar 2
    UserDay(
        D2,
        "u1",
        "alice@example.com",
        3,
        4,
        2.0,
        0.20,
        clients=(
            Client("CODEX_IDE_JETBRAINS_PYCHARM", 2, 3, 1.5, 0.15),  # ide by pattern
            Client("CODEX_IDE_XCODE", 1, 1, 0.5, 0.05),  # ide by pattern
        ),
        models=(Model("gpt-5.5", "standard", 2.0, 0.20),),
    ),
    UserDay(
        D2,
        "u3",
        "bob@example.com",
        1,
        2,
        1.0,
        0.10,
        clients=(Client("CODEX_WEB", 1, 2, 1.0, 0.10),),
        models=(Model("gpt-5.5", "fast", 1.0, 0.10),),
    ),
    UserDay(
        D2,
        "u4",
        "Carol@Example.com",
        0,
        0,
        0.2,
        0.02,
        clients=(Client("CODEX_GITHUB", 0, 0, 0.2, 0.02),),
        models=(Model("gpt-5.5", "standard", 0.2, 0.02),),
    ),
    # Mar 3
    UserDay(
        D3,
        "u3",
        "bob@example.com",
        1,
        1,
        1.0,
        None,
        clients=(Client("CODEX_DESKTOP_APP", 1, 1, 1.0, None),),
        models=(Model("gpt-5.5", "standard", 1.0, None),),
    ),
    UserDay(D3, "u2", None, 0, 0, 0.0, None),  # present, not active, no clients
    # Mar 4: nothing at all
    # Mar 5
    UserDay(
        D5,
        "u3",
        "bob@example.com",
        1,
        1,
        1.0,
        0.10,
        clients=(Client("CODEX_CLI", 1, 1, 1.0, 0.10),),
    ),
    UserDay(
        D5,
        "u1",
        "alice@example.com",
        1,
        2,
        2.0,
        0.20,
        clients=(Client("CODEX_CLI", 1, 2, 2.0, 0.20),),
    ),
    # Mar 6
    UserDay(
        D6,
        "u3",
        "bob@example.com",
        2,
        2,
        1.0,
        0.10,
        clients=(Client("CODEX_CLI", 2, 2, 1.0, 0.10),),
    ),
    UserDay(
        D6,
        "u4",
        "Carol@Example.com",
        1,
        1,
        1.0,
        0.10,
        clients=(Client("CODEX_CLI", 1, 1, 1.0, 0.10),),
    ),
)

# Workspace totals. Per-user sums (threads, turns, credits) by day:
#   Mar 1: 3+1+1=5, 10+2+1=13, 6.0+1.0+0.5=7.5   workspace 5, 13, 7.505 (credits within 0.01)
#   Mar 2: 3+1+0=4, 4+2+0=6, 2.0+1.0+0.2=3.2     workspace 4, 6, 3.2
#   Mar 3: 1+0=1, 1+0=1, 1.0+0.0=1.0             workspace 1, 1, 1.0
#   Mar 4: no rows: 0, 0, 0                      workspace 0, 0, 0
#   Mar 5: 1+1=2, 1+2=3, 1.0+2.0=3.0             workspace 3, 3, 3.0   (threads off by one)
#   Mar 6: 2+1=3, 2+1=3, 1.0+1.0=2.0             workspace 3, 3, 2.02  (credits off by 0.02)
MAIN_WORKSPACE = (
    (D1, 5, 13, 7.505),
    (D2, 4, 6, 3.2),
    (D3, 1, 1, 1.0),
    (D4, 0, 0, 0.0),
    (D5, 3, 3, 3.0),
    (D6, 3, 3, 2.02),
)


def load_main_dataset(raw: RawData) -> None:
    for row in MAIN_USAGE:
        raw.user_day(row)
    for day, threads, turns, credits in MAIN_WORKSPACE:
        raw.workspace_day(day, threads, turns, credits)
    raw.code_reviews(D1, 4, 10, 1, 4, 5)
    raw.code_reviews(D2, 0, 0, 0, 0, 0)
    raw.code_reviews(D3, 2, 3, 0, 1, 2)
    raw.responses(
        D1,
        pull_request_reviews=2,
        comments=5,
        replies=3,
        reactions=6,
        engaged=4,
        reacted=3,
        upvoted=2,
        downvoted=1,
        reacted_other=1,
        replied=2,
        upvotes=4,
        downvotes=1,
        other_reactions=1,
    )
    raw.responses(D2, pull_request_reviews=1, comments=0)
    raw.responses(
        D3,
        pull_request_reviews=1,
        comments=2,
        reactions=2,
        engaged=1,
        reacted=1,
        downvoted=1,
        downvotes=2,
    )


# ---------------------------------------------------------------------------------------------
# Fixtures and query helpers
# ---------------------------------------------------------------------------------------------


@contextmanager
def raw_warehouse(tmp_path: Path) -> Iterator[RawData]:
    """A fresh DuckDB file with the empty raw tables; each test module wraps it in a fixture."""
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        yield RawData(connection)
    finally:
        connection.close()


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[RawData]:
    with raw_warehouse(tmp_path) as data:
        yield data


def directory_settings(tmp_path: Path, usd_per_credit: float | None = None) -> MartSettings:
    from codex_assets.defs.directory.people import load_directory

    path = tmp_path / "directory.csv"
    path.write_text(DIRECTORY_CSV)
    return MartSettings(usd_per_credit=usd_per_credit, directory=load_directory(path))


def build_all(
    conn: duckdb.DuckDBPyConnection, start: date, end: date, settings: MartSettings
) -> dict[str, int]:
    """Every mart for [start, end] in USAGE_MARTS order (snapshots as of the last loaded day)."""
    written = {}
    for name, spec in USAGE_MARTS.items():
        if spec.partitioned:
            written[name] = refresh_mart(conn, spec, start, end, settings)
        else:
            written[name] = refresh_mart(conn, spec, settings=settings)
    return written


def rows(conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[dict]:
    """Query results as dicts, so assertions name the columns they check."""
    result = conn.execute(sql, list(params))
    names = [d[0] for d in result.description]
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]


def table_snapshot(conn: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    """Every row of a table, sorted, for comparing two builds."""
    columns = [c for c, *_ in conn.execute(f"DESCRIBE {table}").fetchall() if c != "refreshed_at"]
    return sorted(
        conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(),
        key=lambda row: tuple((v is None, str(v)) for v in row),
    )


# ---------------------------------------------------------------------------------------------
# Checks on the stand-in itself
# ---------------------------------------------------------------------------------------------


def test_stand_in_tables_have_the_documented_columns(raw: RawData) -> None:
    # Spot-check against docs/raw-schema.md: the breakdown views repeat the parent's keys.
    columns = [c for c, *_ in raw.conn.execute("DESCRIBE raw.usage_user_clients").fetchall()]
    assert columns == [
        "day", "user_id", "email", "client_id", "threads", "turns", "credits",
        "estimated_cost_usd", "cost_usd", "uncached_text_input_tokens",
        "cached_text_input_tokens", "text_output_tokens", "text_total_tokens",
    ]  # fmt: skip


def test_every_lineage_column_exists_upstream(raw: RawData, tmp_path: Path) -> None:
    """Lineage names real columns: of the raw layer, or of the mart it is built on."""
    ensure_schema(raw.conn)
    for spec in RECONCILIATION_MARTS.values():
        ensure_tables(raw.conn, (*spec.also_reads, spec))
    known = {
        (f"{schema}.{table}", column)
        for schema, table, column in raw.conn.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name IN ('raw', 'marts')"
        ).fetchall()
    }
    for spec in USAGE_MARTS.values():
        for column, deps in spec.lineage().items():
            for dep in deps:
                assert dep in known, f"{spec.name}.{column} lineage {dep} does not exist"
                assert dep[0] in spec.reads, f"{spec.name}.{column}: {dep[0]} is not read"


def test_the_main_dataset_loads(raw: RawData) -> None:
    load_main_dataset(raw)
    counts = raw.conn.execute(
        "SELECT (SELECT count(*) FROM raw.usage_users), (SELECT count(*) FROM raw.usage_user_clients), "
        "(SELECT count(*) FROM raw.usage_user_models)"
    ).fetchone()
    # 12 user-days; clients 2+1+1 + 2+1+1 + 1+0 + 1+1 + 1+1 = 13; models 2+1+1 + 1+1+1 + 1 = 8
    assert counts == (12, 13, 8)
