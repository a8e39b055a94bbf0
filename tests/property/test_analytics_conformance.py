"""Property-based conformance: any legal workspace, served any legal way, lands and builds right.

Hypothesis generates a workspace over a few consecutive UTC days (tests/property/strategies.py:
sparse days, zero rows, empty breakdowns, nulls, unknown ids and fields, USD billing) and a
server's behaviour (page sizes, empty last pages, cursors with `+`, `/`, `=`; later revisions
of some days). The fake API (fake_api.py) serves it through an `httpx.MockTransport` to the
project's real `AnalyticsClient`; the rows go through `land_analytics_days` into a `Lake`, the
`raw` views and `refresh_marts` (the first build in chunks of days, sometimes out of order, as
a backfill into the past runs). Then:

- every row the server holds for a day is in that day's partition exactly once (the verbatim
  `record` column, as a multiset), every day has a whole partition (idle days an empty one),
  and every page was fetched exactly once;
- the marts equal reference.py, a pandas implementation of the definitions in docs/marts.md;
- after a revision of some days is re-landed and those days' marts rebuilt, the lake and the
  marts reflect only the latest version.

Examples: 25 by default; `HYPOTHESIS_PROFILE=thorough` for 500 (see docs/testing.md).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import event, given

from codex_assets.defs.analytics.client import AnalyticsClient, day_bounds
from codex_assets.defs.analytics.landing import land_analytics_days
from codex_assets.defs.analytics.marts import MARTS, MartSettings
from codex_assets.defs.analytics.marts import refresh_marts as refresh_analytics_marts
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.analytics.views import create_raw_views
from codex_assets.defs.reconciliation.marts import MARTS as RECONCILIATION_MARTS
from codex_assets.lib.http.client import ApiHttpClient, HttpSettings
from codex_assets.lib.lake import Lake
from tests.property import profiles, reference
from tests.property.fake_api import FakeAnalyticsApi
from tests.property.strategies import (
    API_KEY,
    BASE_URL,
    ENDPOINT_TABLES,
    WORKSPACE_ID,
    Dataset,
    Scenario,
    scenarios,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(profiles.timeout())]

# The analytics marts and the cross-source reconciliation, which refresh_mart builds alike.
refresh_marts = partial(refresh_analytics_marts, marts={**MARTS, **RECONCILIATION_MARTS})

# The daily marts compared with the reference (the first build also builds every other mart).
_DAILY_CHECKED = (
    "usage_user_daily",
    "spend_by_surface_daily",
    "review_impact_daily",
    "usage_reconciliation_daily",
    "spend_by_model_daily",
    "spend_by_team_monthly",
)
_USAGE_COLUMNS = (
    "email", "client_ids", "threads", "turns", "credits", "cost_usd", "billed_cost_usd",
    "billing_unit", "is_active", *reference.TOKEN_COLUMNS,
)  # fmt: skip
_ADOPTION_COLUMNS = (
    "active_users", "new_users", "wau", "mau", "stickiness", "threads", "turns", "credits",
)  # fmt: skip
_SPEND_COLUMNS = (
    "credits", "cost_usd", "uncosted_credits", "active_users", "cost_per_active_user",
    "billing_unit", "billed_cost_usd", *reference.TOKEN_COLUMNS,
)  # fmt: skip
_MODEL_COLUMNS = (
    "credits", "cost_usd", "uncosted_credits", "active_users", "billing_unit",
    "billed_cost_usd", *reference.TOKEN_COLUMNS,
)  # fmt: skip
_TEAM_COLUMNS = (
    "credits", "cost_usd", "uncosted_credits", "active_users", "cost_per_active_user",
    "billing_unit", "billed_cost_usd",
)  # fmt: skip
_ACTIVITY_COLUMNS = (
    "as_of_day", "first_active_day", "last_active_day", "days_since_last_active",
    "active_days_7d", "active_days_28d", "current_streak_days", "longest_streak_days",
    "threads_28d", "turns_28d", "credits_28d", "cost_usd_28d", "cohort", "team", "cost_centre",
)  # fmt: skip
_RECONCILIATION_COLUMNS = (
    "user_rows", "workspace_rows", "user_threads", "workspace_threads", "threads_delta",
    "user_turns", "workspace_turns", "turns_delta", "user_credits", "workspace_credits",
    "credits_delta", "matches", "compliance_responses", "compliance_responses_per_turn",
)  # fmt: skip
_REVIEW_COLUMNS = (
    "pull_request_reviews", "comments", "p0", "p1", "p2", "comments_per_review",
    "merged_pull_request_reviews", "merged_comments", "replies", "reactions",
    "engaged_comments", "reacted_comments", "replied_comments", "upvoted_comments",
    "downvoted_comments", "reacted_other_comments", "engagement_rate", "upvotes", "downvotes",
    "other_reactions", "net_sentiment",
)  # fmt: skip


@contextmanager
def analytics_client(api: FakeAnalyticsApi, scenario: Scenario) -> Iterator[AnalyticsClient]:
    """The project's real client (as sources.py builds it), on the fake API's transport."""
    http = ApiHttpClient(
        HttpSettings(
            base_url=BASE_URL,
            api_key=API_KEY,
            key_env_var="CODEX_ANALYTICS_API_KEY",
            scope="codex.enterprise.analytics.read",
            requests_per_minute=None,
        ),
        transport=api.transport,
        sleep=lambda seconds: None,
    )
    with http:
        yield AnalyticsClient(
            http,
            WORKSPACE_ID,
            page_size=scenario.limit,
            max_concurrency=scenario.max_concurrency,
            now=lambda: scenario.now,
        )


def land(client: AnalyticsClient, lake: Lake, days: list[date]) -> None:
    for table in ANALYTICS_RAW_TABLES:
        report = land_analytics_days(client, lake, table, days, source="property-test")
        assert sorted(report.rows_by_day) == sorted(days), table.name


def _canonical(row: Any) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False)


def assert_lake_holds(lake: Lake, dataset: Dataset, days: list[date]) -> None:
    """Property (a): each day's partition holds exactly the day's rows, once each."""
    with duckdb.connect() as conn:
        for endpoint, table in ENDPOINT_TABLES.items():
            assert lake.landed_days(table) == days, f"{table}: a day without a whole partition"
            files = f"'{lake.table_glob(table)}'"
            landed = conn.execute(
                f"SELECT day, record::VARCHAR FROM read_parquet({files})"
            ).fetchall()
            flags = conn.execute(
                f"SELECT decode(value) FROM parquet_kv_metadata({files}) "
                "WHERE decode(key) = 'complete'"
            ).fetchall()
            assert flags == [("true",)] * len(days), f"{table}: not every partition is complete"
            by_day: dict[date, Counter[str]] = {day: Counter() for day in days}
            for day, record in landed:
                by_day[day][_canonical(json.loads(record))] += 1
            for day in days:
                served = Counter(_canonical(row) for row in dataset.day_rows(endpoint, day))
                assert by_day[day] == served, (
                    f"{table} {day}: landed rows differ from the served ones: "
                    f"missing {list((served - by_day[day]).elements())[:3]}, "
                    f"extra {list((by_day[day] - served).elements())[:3]}"
                )


def assert_every_page_fetched_once(api: FakeAnalyticsApi, days: list[date]) -> None:
    assert api.violations == [], api.violations
    for endpoint in ENDPOINT_TABLES:
        for day in days:
            pages = api.pages_of(endpoint, day)
            start = day_bounds(day)[0]
            fetched = [api.requests[(endpoint, start, index)] for index in range(pages)]
            assert fetched == [1] * pages, f"{endpoint} {day}: pages fetched {fetched}"


def _rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = conn.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def assert_marts_match(
    conn: duckdb.DuckDBPyConnection, dataset: Dataset, usd_per_credit: float | None
) -> None:
    """Property (b): the marts equal the reference computation of their definitions."""
    days = dataset.days
    usage = reference.usage_user_daily(dataset, usd_per_credit)
    reference.assert_same_rows(
        "marts.usage_user_daily",
        _rows(conn, "SELECT * FROM marts.usage_user_daily"),
        usage,
        ("day", "user_id", "surface"),
        _USAGE_COLUMNS,
    )
    reference.assert_same_rows(
        "marts.adoption_daily",
        _rows(conn, "SELECT * FROM marts.adoption_daily"),
        reference.adoption_daily(usage, days),
        ("day", "surface"),
        _ADOPTION_COLUMNS,
    )
    reference.assert_same_rows(
        "marts.spend_by_surface_daily",
        _rows(conn, "SELECT * FROM marts.spend_by_surface_daily"),
        reference.spend_by_surface_daily(usage, days),
        ("day", "surface"),
        _SPEND_COLUMNS,
    )
    reference.assert_same_rows(
        "marts.spend_by_model_daily",
        _rows(conn, "SELECT * FROM marts.spend_by_model_daily"),
        reference.spend_by_model_daily(dataset, usd_per_credit),
        ("day", "model", "speed"),
        _MODEL_COLUMNS,
    )
    reference.assert_same_rows(
        "marts.spend_by_team_monthly",
        _rows(conn, "SELECT * FROM marts.spend_by_team_monthly"),
        reference.spend_by_team_monthly(usage),
        ("month", "team"),
        _TEAM_COLUMNS,
    )
    reference.assert_same_rows(
        "marts.user_activity",
        _rows(conn, "SELECT * FROM marts.user_activity"),
        reference.user_activity(usage, days[-1]),
        ("user_id",),
        _ACTIVITY_COLUMNS,
    )
    reference.assert_same_rows(
        "marts.usage_reconciliation_daily",
        _rows(conn, "SELECT * FROM marts.usage_reconciliation_daily"),
        reference.usage_reconciliation_daily(dataset),
        ("day",),
        _RECONCILIATION_COLUMNS,
    )
    reference.assert_same_rows(
        "marts.review_impact_daily",
        _rows(conn, "SELECT * FROM marts.review_impact_daily"),
        reference.review_impact_daily(dataset),
        ("day",),
        _REVIEW_COLUMNS,
    )


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as ranges of consecutive days (what one run of the schedule refreshes)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _label(scenario: Scenario) -> None:
    """Tell Hypothesis's statistics (--hypothesis-show-statistics) which shapes were hit."""
    data = scenario.dataset
    usage = [row for day in scenario.days for row in data.day_rows("usage", day)]
    if any(all(not data.day_rows(e, day) for e in ENDPOINT_TABLES) for day in scenario.days):
        event("an idle day (no rows anywhere)")
    if any(
        data.day_rows("usage", d) and not data.day_rows("usage_workspace", d) for d in data.days
    ):
        event("user rows without a workspace row")
    if any("cost_usd" in row["totals"] for row in usage):
        event("USD-billed rows")
    if any(not row["clients"] and row["totals"]["threads"] > 0 for row in usage):
        event("clients: [] with totals above zero")
    if any(plan.sizes[-1] == 0 and len(plan.sizes) > 1 for plan in scenario.plans.values()):
        event("an empty last page")
    if any(0 < size < scenario.limit for p in scenario.plans.values() for size in p.sizes[:-1]):
        event("a short page with has_more")
    if scenario.revisions:
        event("a restatement")
    if scenario.build_ranges != sorted(scenario.build_ranges):
        event("marts first built out of order")


@given(scenarios())
def test_any_legal_workspace_lands_once_and_builds_the_defined_marts(scenario: Scenario) -> None:
    _label(scenario)
    days = scenario.days
    settings = MartSettings(usd_per_credit=scenario.usd_per_credit)
    api = FakeAnalyticsApi(scenario.limit)
    api.serve(scenario.dataset, scenario.plans, days)
    with (
        tempfile.TemporaryDirectory() as tmp,
        analytics_client(api, scenario) as client,
        duckdb.connect() as conn,
    ):
        lake = Lake(Path(tmp) / "lake")
        land(client, lake, days)
        assert_every_page_fetched_once(api, days)
        assert_lake_holds(lake, scenario.dataset, days)

        for table in ANALYTICS_RAW_TABLES:
            create_raw_views(conn, lake, table)
        for start, end in scenario.build_ranges:
            refresh_marts(conn, start, end, settings)
        if scenario.build_ranges != sorted(scenario.build_ranges):
            # Older days built after newer ones: adoption_daily of the later days is re-run
            # (docs/marts.md, "Loading days out of order"); the state tables are exact anyway.
            refresh_marts(conn, days[0], days[-1], settings, names=["adoption_daily"])
        assert_marts_match(conn, scenario.dataset, scenario.usd_per_credit)

        if not scenario.revisions:
            return
        # The API revises some days; they are re-loaded (as the schedule re-loads the days
        # before yesterday), the restated days' marts rebuilt (each run of consecutive days
        # at once), then adoption from the first restated day on (docs/marts.md, "Loading
        # days out of order") and the user snapshot.
        restated = sorted(scenario.revisions)
        final = scenario.final
        api.serve(final, scenario.revision_plans, restated)
        land(client, lake, restated)
        assert_every_page_fetched_once(api, restated)
        assert_lake_holds(lake, final, days)
        for start, end in _runs(restated):
            refresh_marts(conn, start, end, settings, names=_DAILY_CHECKED)
        refresh_marts(conn, restated[0], days[-1], settings, names=["adoption_daily"])
        refresh_marts(conn, days[-1], days[-1], settings, names=["user_activity"])
        assert_marts_match(conn, final, scenario.usd_per_credit)
