"""`transaction`: a refresh interrupted half-way leaves the table as it was."""

import duckdb
import pytest

from codex_assets.lib.warehouse import transaction


def test_a_block_that_returns_is_committed_and_one_that_raises_is_rolled_back() -> None:
    conn = duckdb.connect()
    conn.execute("CREATE TABLE t (x INTEGER)")
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(KeyboardInterrupt), transaction(conn):
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t VALUES (2)")
        raise KeyboardInterrupt
    assert conn.execute("SELECT list(x) FROM t").fetchone()[0] == [1]
