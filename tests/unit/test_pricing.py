"""The cost rule, in Python and in the SQL macros the marts use: the same answers."""

from __future__ import annotations

import math

import duckdb
import pytest

from codex_assets.defs.analytics.pricing import (
    billing_unit,
    check_usd_per_credit,
    row_cost,
    total_cost,
    uncosted_credits,
)
from codex_assets.lib.refresh import run_script
from codex_assets.lib.sql import read_sql

# (billed cost_usd, estimated_cost_usd, credits, usd_per_credit) -> cost
ROW_CASES = [
    ((None, 0.5, 2.0, None), 0.5),  # the API's estimate
    ((None, 0.5, 2.0, 0.04), 0.5),  # ... wins over a configured price
    ((None, 0.0, 5.0, None), 0.0),  # an estimate of 0 is an answer, not a gap
    ((None, None, 2.0, 0.04), 0.08),  # no estimate: credits x price = 2.0 x 0.04
    ((None, None, 2.0, None), None),  # neither: unknown, never invented
    ((None, None, 0.0, None), 0.0),  # no credits used costs nothing
    ((None, None, None, 0.04), None),  # no credits figure at all: unknown
    ((1.25, None, None, 0.04), 1.25),  # a USD-billed row: what it was billed, no price used
    ((1.25, 0.9, 3.0, 0.04), 1.25),  # billed USD beside credits: the bill, not an estimate
]


@pytest.mark.parametrize(
    ("credits", "billed", "unit"),
    [(2.0, None, "credits"), (None, 1.25, "usd"), (2.0, 1.25, "credits+usd"), (None, None, None)],
)
def test_billing_unit_in_python_and_sql(credits, billed, unit, conn) -> None:
    assert billing_unit(credits, billed) == unit
    (got,) = conn.execute(
        "SELECT mart_billing_unit($c::DOUBLE, $b::DOUBLE)", {"c": credits, "b": billed}
    ).fetchone()
    assert got == unit


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    run_script(connection, read_sql("defs/analytics/marts/_macros.sql"), {})
    return connection


@pytest.mark.parametrize(("args", "expected"), ROW_CASES)
def test_row_cost(args: tuple, expected: float | None) -> None:
    assert row_cost(*args) == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(("args", "expected"), ROW_CASES)
def test_row_cost_macro(
    conn: duckdb.DuckDBPyConnection, args: tuple, expected: float | None
) -> None:
    (got,) = conn.execute(
        "SELECT mart_row_cost($b::DOUBLE, $e::DOUBLE, $c::DOUBLE, $p::DOUBLE)",
        {"b": args[0], "e": args[1], "c": args[2], "p": args[3]},
    ).fetchone()
    assert got == (pytest.approx(expected) if expected is not None else None)


TOTAL_CASES = [
    ([0.1, 0.2], 0.3),  # 0.1 + 0.2
    ([0.1, None], None),  # part unknown: the total is unknown, not 0.1
    ([], 0.0),  # nothing used, nothing spent
]


@pytest.mark.parametrize(("costs", "expected"), TOTAL_CASES)
def test_total_cost(costs: list, expected: float | None) -> None:
    assert total_cost(costs) == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(("costs", "expected"), TOTAL_CASES)
def test_total_cost_macro(
    conn: duckdb.DuckDBPyConnection, costs: list, expected: float | None
) -> None:
    (got,) = conn.execute(
        "SELECT mart_total_cost(c) FROM (SELECT unnest($costs::DOUBLE[]) AS c)", {"costs": costs}
    ).fetchone()
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_uncosted_credits(conn: duckdb.DuckDBPyConnection) -> None:
    rows = [(None, 2.0), (0.1, 1.0), (None, 0.5)]
    assert uncosted_credits(rows) == 2.5  # 2.0 + 0.5
    (got,) = conn.execute(
        "SELECT mart_uncosted_credits(cost, credits) FROM "
        "(SELECT unnest($cost::DOUBLE[]) AS cost, unnest($credits::DOUBLE[]) AS credits)",
        {"cost": [c for c, _ in rows], "credits": [c for _, c in rows]},
    ).fetchone()
    assert got == 2.5


def test_ratio_macro_is_null_on_a_zero_denominator(conn: duckdb.DuckDBPyConnection) -> None:
    assert conn.execute(
        "SELECT mart_ratio(3, 4), mart_ratio(3, 0), mart_ratio(0, 0), mart_ratio(1, NULL)"
    ).fetchone() == (0.75, None, None, None)


def test_active_macro(conn: duckdb.DuckDBPyConnection) -> None:
    assert conn.execute(
        "SELECT mart_is_active(0, 0, 0.0), mart_is_active(0, 0, 0.01), mart_is_active(1, 0, 0), "
        "mart_is_active(NULL, 2, NULL), mart_is_active(NULL, NULL, NULL)"
    ).fetchone() == (False, True, True, True, False)


@pytest.mark.parametrize("bad", [0.0, -0.04, math.inf, math.nan])
def test_a_price_must_be_a_positive_number(bad: float) -> None:
    with pytest.raises(ValueError, match="above zero"):
        check_usd_per_credit(bad)


def test_no_price_is_allowed() -> None:
    assert check_usd_per_credit(None) is None
    assert check_usd_per_credit(0.04) == 0.04
