"""What usage costs in US dollars, and when the honest answer is "unknown".

A USD-billed workspace reports what it was billed as a native `cost_usd` instead of (or
beside) credits (reference/codex-api.md, 2026-12 additions): that is the cost, exactly. The
API's `estimated_cost_usd` is the vendor's own estimate (at the workspace's current
credit-overage rate) and is often null. A configured `CODEX_USD_PER_CREDIT` (a contract price)
fills those gaps. Without either, cost is NULL: a made-up price would be believed, and a zero
would under-report spend.

The marts apply these rules in SQL through the macros in `marts/_macros.sql`
(`mart_row_cost`, `mart_total_cost`, `mart_uncosted_credits`); the functions here are the same
rules in Python, the reference the tests hold the SQL to.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

COST_RULE = (
    "Cost in USD: what a USD-billed workspace was billed (the API's native cost_usd) when it "
    "reports one, else the API's estimated_cost_usd, else credits x CODEX_USD_PER_CREDIT when "
    "that is set, else 0 when no credits were used, else NULL (never invented). A total is "
    "NULL when any part of it is NULL; billing_unit says which unit the rows were billed in."
)
"""The one wording of the cost rule, used in column descriptions and docs/marts.md."""


def check_usd_per_credit(value: float | None) -> float | None:
    """`value` if it is a usable price (finite, above zero), or None; raises otherwise.

    `Settings` already validates the environment variable; this guards callers that build
    `MartSettings` by hand (tests, notebooks) from a price that would silently corrupt spend.
    """
    if value is None:
        return None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"usd_per_credit must be a finite number above zero, got {value!r}; use None "
            "to leave cost NULL where the API gives no estimate."
        )
    return float(value)


def row_cost(
    billed_cost_usd: float | None,
    estimated_cost_usd: float | None,
    credits: float | None,
    usd_per_credit: float | None,
) -> float | None:
    """The cost of one usage row (a user-day, a client or a model breakdown row)."""
    if billed_cost_usd is not None:
        return billed_cost_usd
    if estimated_cost_usd is not None:
        return estimated_cost_usd
    if credits is None:
        return None
    if usd_per_credit is not None:
        return credits * usd_per_credit
    if credits == 0:
        return 0.0
    return None


def total_cost(costs: Iterable[float | None]) -> float | None:
    """The cost of a group of rows: their sum, NULL if any is NULL, 0 for no rows.

    Summing only the known parts would report a partial number as the total; the credits
    whose price is unknown are reported separately (`uncosted_credits`) instead.
    """
    total = 0.0
    for cost in costs:
        if cost is None:
            return None
        total += cost
    return total


def uncosted_credits(rows: Iterable[tuple[float | None, float | None]]) -> float:
    """Credits of the (cost, credits) rows whose cost is unknown: what a price would fill."""
    return sum((credits or 0.0) for cost, credits in rows if cost is None)


def billing_unit(credits: float | None, billed_cost_usd: float | None) -> str | None:
    """`credits`, `usd` or `credits+usd` by the fields a row reports; None for neither."""
    units = [
        unit
        for unit, value in (("credits", credits), ("usd", billed_cost_usd))
        if value is not None
    ]
    return "+".join(units) or None
