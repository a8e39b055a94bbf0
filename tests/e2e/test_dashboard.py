"""The dashboard in headless Chromium, over a small known warehouse built by plain code.

The warehouse is the mart tests' hand-made dataset (tests/unit/test_marts_rawdata.py: March
1-6 2026, four users, an idle day, a directory of teams) with every analytics mart and
weekly mart built by the real refresh, plus a few compliance rows. The page is rendered by
the real code and opened in one browser session; every number asserted is read from the
page and compared with the marts (queried here), never with a literal.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from codex_assets.defs.analytics.marts.weekly import WEEKLY_MARTS, refresh_weekly
from codex_assets.defs.compliance.specs import MARTS as COMPLIANCE_MARTS
from codex_assets.defs.reports.dashboard import render_dashboard, write_dashboard
from codex_assets.lib.tables import ensure_tables
from tests.e2e.browser import find_chromium, open_page
from tests.unit import test_marts_rawdata as rawdata

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

CAPTURE_ERRORS = """
window.__errors = [];
addEventListener('error', (e) => __errors.push(String(e.message)));
addEventListener('unhandledrejection', (e) => __errors.push(String(e.reason)));
const __consoleError = console.error;
console.error = (...args) => { __errors.push(args.join(' ')); __consoleError(...args); };
"""
SORTS = ("credits", "threads", "turns", "tokens", "streak")


def fmt(value: Any) -> str:
    """As the page's Intl.NumberFormat("en-US", {maximumFractionDigits: 2}) writes it."""
    if value is None:
        return "n/a"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("dashboard")
    with rawdata.raw_warehouse(tmp) as raw:
        conn = raw.conn
        rawdata.load_main_dataset(raw)
        rawdata.build_all(conn, rawdata.D1, rawdata.D6, rawdata.directory_settings(tmp))
        for spec in WEEKLY_MARTS.values():
            refresh_weekly(conn, spec)
        tokens = COMPLIANCE_MARTS["access_token_events"]
        ensure_tables(conn, (tokens,))
        conn.execute(
            f"INSERT INTO {tokens.qualified_name} (event_id, timestamp, action, access_token_id) "
            "VALUES ('e1', '2026-03-02 10:00', 'created', 't1'), "
            "('e2', '2026-03-02 11:00', 'created', 't2'), ('e3', '2026-03-05 09:00', 'revoked', 't1')"
        )
        html = render_dashboard(
            conn, checks=[("raw/usage_users", "paging_complete", True, "error")]
        )
        page = write_dashboard(html, tmp / "dashboard.html")
        yield conn, page


def test_every_view_follows_the_marts_through_range_grain_sorts_and_filters(
    warehouse, tmp_path: Path
) -> None:
    chromium = find_chromium()
    if chromium is None and os.environ.get("CODEX_E2E_REQUIRE_BROWSER"):
        pytest.fail("CODEX_E2E_REQUIRE_BROWSER is set (.ci/run) but no Chromium was found")
    if chromium is None:
        pytest.skip("no Chromium installed (apt-get install chromium)")
    conn, page_path = warehouse

    def q(sql: str, *params: Any) -> list[tuple]:
        return conn.execute(sql, list(params)).fetchall()

    def column(sql: str, *params: Any) -> list:
        return [row[0] for row in q(sql, *params)]

    with open_page(chromium, "about:blank", width=1280, height=2200) as page:
        page.call("Runtime.enable")
        page.call("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_ERRORS)
        page.call("Page.navigate", url=page_path.as_uri())
        page.wait_for_text(
            ["true"],
            timeout=20,
            script="String(performance.getEntriesByName('dashboard-drawn').length > 0)",
        )
        ev = page.evaluate

        def text(key: str) -> str:
            return ev(f"document.querySelector('[data-k=\"{key}\"]').textContent")

        def view(name: str) -> dict:
            return ev(f"codexDashboard.views[{name!r}]")

        def ranking() -> list[list[str]]:
            return ev(
                "[...document.querySelectorAll('#ranking-body tr')]"
                ".map((tr) => [...tr.cells].map((td) => td.textContent))"
            )

        def hover(chart: str) -> str:
            """Move the mouse onto the chart's first period; the tooltip's text."""
            left, top, height = ev(
                f"(() => {{ const r = document.querySelector('#{chart} .u-over')"
                ".getBoundingClientRect(); return [r.left, r.top, r.height]; })()"
            )
            for x in (left + 6, left + 2):  # (a move to where the mouse already is is no move)
                page.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=top + height / 2)
            return ev(f"document.querySelector('#{chart} .tip').innerText")

        def change(element: str, value: str) -> None:
            ev(
                f"(() => {{ const e = document.getElementById({element!r}); e.value = {value!r}; "
                "e.dispatchEvent(new Event('change')); })()"
            )

        def expect_cards(start: date, end: date) -> None:
            users = column(
                "SELECT count(DISTINCT user_id) FROM marts.usage_user_daily "
                "WHERE is_active AND surface = 'all' AND day BETWEEN ? AND ?",
                start,
                end,
            )[0]
            threads, turns, credits = q(
                "SELECT sum(threads), sum(turns), round(sum(credits), 2) FROM marts.adoption_daily "
                "WHERE surface = 'all' AND day BETWEEN ? AND ?",
                start,
                end,
            )[0]
            assert [
                text(f"cards.{k}") for k in ("active_users", "threads", "turns", "credits")
            ] == [
                fmt(users),
                fmt(threads),
                fmt(turns),
                fmt(credits),
            ]

        def expect_ranking(
            start: date, end: date, surface: str = "all", team: str | None = None
        ) -> None:
            for sort in SORTS:
                ev(f"document.querySelector('th[data-sort={sort}]').click()")
                expected = q(
                    "SELECT user_id, credits, threads, turns, tokens, streak FROM ("
                    "SELECT u.user_id, round(sum(u.credits), 2) AS credits, sum(u.threads) AS threads, "
                    "sum(u.turns) AS turns, sum(u.total_tokens) AS tokens, "
                    "coalesce(max(a.current_streak_days), 0) AS streak "
                    "FROM marts.usage_user_daily AS u LEFT JOIN marts.user_activity AS a USING (user_id) "
                    "WHERE u.is_active AND u.surface = ? AND u.day BETWEEN ? AND ? "
                    "AND (?::VARCHAR IS NULL OR u.team = ?) GROUP BY u.user_id) "
                    f"ORDER BY {sort} DESC NULLS LAST, user_id",
                    surface,
                    start,
                    end,
                    team,
                    team,
                )
                got = [[row[1], *row[3:8]] for row in ranking()]
                assert got == [[r[0], *(fmt(v) for v in r[1:])] for r in expected], sort

        # -- the default view: the last 28 days, i.e. all six here ------------------------------
        days = column("SELECT DISTINCT day FROM marts.adoption_daily ORDER BY day")
        assert view("chart-active")["x"] == [d.isoformat() for d in days]
        for surface in ("all", "cli", "ide", "code_review"):
            assert view("chart-active")["series"][surface] == column(
                "SELECT active_users FROM marts.adoption_daily WHERE surface = ? ORDER BY day",
                surface,
            )
            assert view("chart-usage")["series"][surface] == column(
                "SELECT round(credits, 4) FROM marts.adoption_daily WHERE surface = ? ORDER BY day",
                surface,
            )
        expect_cards(rawdata.D1, rawdata.D6)
        # hovering the chart shows the day and every surface's value in the tooltip
        tip = hover("chart-active")
        first = column(
            "SELECT active_users FROM marts.adoption_daily WHERE surface = 'all' ORDER BY day"
        )[0]
        assert days[0].isoformat() in tip and f"All: {fmt(first)}" in tip
        clients = view("chart-clients")["series"]
        assert clients["CODEX_CLI"] == column(
            "SELECT sum(c.threads) FILTER (WHERE c.client_id = 'CODEX_CLI') FROM "
            "(SELECT DISTINCT day FROM marts.adoption_daily) AS d "
            "LEFT JOIN raw.usage_user_clients AS c USING (day) GROUP BY d.day ORDER BY d.day"
        )
        reviews = q(
            "SELECT sum(pull_request_reviews), sum(comments), sum(p0), sum(p1), sum(p2), sum(replies), "
            "sum(reactions), sum(upvotes), sum(downvotes) FROM marts.review_impact_daily"
        )[0]
        keys = ("pull_request_reviews", "comments", "p0", "p1", "p2")
        keys += ("replies", "reactions", "upvotes", "downvotes")
        assert [text(f"review.{k}") for k in keys] == [fmt(v) for v in reviews]
        assert text("tokens.created") == "2" and text("tokens.revoked") == "1"
        assert "not available" in ev("document.getElementById('agents-panel').textContent")
        assert text("quality.idle") == "1" and text("quality.missing") == "0"
        expect_ranking(rawdata.D1, rawdata.D6)
        for cohort, users in q("SELECT cohort, count(*) FROM marts.user_activity GROUP BY cohort"):
            assert text(f"cohort.{cohort}") == fmt(users)
        teams = q(
            "SELECT 'Team', team, count(DISTINCT user_id), sum(threads) FROM marts.usage_user_daily "
            "WHERE is_active AND surface = 'all' GROUP BY team ORDER BY sum(credits) DESC"
        )
        shown = ev(
            "[...document.querySelectorAll('#teams-body tr')].map((tr) => [...tr.cells]"
            ".slice(0, 4).map((td) => td.textContent)).filter((r) => r[0] === 'Team')"
        )
        assert shown == [[g, t, fmt(n), fmt(th)] for g, t, n, th in teams]

        for priority in ("p0", "p1", "p2"):
            assert view("chart-priority")["series"][priority] == column(
                f"SELECT {priority} FROM (SELECT DISTINCT day FROM marts.adoption_daily) "
                "LEFT JOIN marts.review_impact_daily USING (day) ORDER BY day"
            )
        change("measure", "total_tokens")
        assert view("chart-usage")["series"]["all"] == column(
            "SELECT total_tokens FROM marts.spend_by_surface_daily WHERE surface = 'all' ORDER BY day"
        )
        change("measure", "credits")

        # -- usage by model ---------------------------------------------------------------------
        change("breakdown", "model")
        models = view("chart-usage")["series"]
        assert models["gpt-5.5 (standard)"] == [
            v if v is None else round(v, 4)
            for v in column(
                "SELECT m.credits FROM (SELECT DISTINCT day FROM marts.adoption_daily) AS d LEFT JOIN "
                "marts.spend_by_model_daily AS m ON m.day = d.day AND m.model = 'gpt-5.5' "
                "AND m.speed = 'standard' ORDER BY d.day"
            )
        ]
        change("breakdown", "surface")

        # -- a narrower range -------------------------------------------------------------------
        start, end = date(2026, 3, 2), date(2026, 3, 3)
        change("from", start.isoformat())
        change("to", end.isoformat())
        assert view("chart-active")["x"] == [start.isoformat(), end.isoformat()]
        expect_cards(start, end)
        expect_ranking(start, end)
        page.screenshot(tmp_path / "dashboard-range.png")

        # -- the client and team filters --------------------------------------------------------
        change("from", rawdata.D1.isoformat())
        change("to", rawdata.D6.isoformat())
        change("surface", "cli")
        expect_ranking(rawdata.D1, rawdata.D6, surface="cli")
        change("team", "platform")
        expect_ranking(rawdata.D1, rawdata.D6, surface="cli", team="platform")
        change("surface", "all")
        change("team", "")

        # -- weekly -----------------------------------------------------------------------------
        ev("document.querySelector('input[name=grain][value=week]').click()")
        weeks = column("SELECT week FROM marts.adoption_weekly WHERE surface = 'all' ORDER BY week")
        assert view("chart-active")["x"] == [w.isoformat() for w in weeks]
        for surface in ("all", "cli"):
            assert view("chart-active")["series"][surface] == column(
                "SELECT active_users FROM marts.adoption_weekly WHERE surface = ? ORDER BY week",
                surface,
            )
        assert view("chart-sentiment")["series"]["net_sentiment"] == column(
            "SELECT round(net_sentiment, 4) FROM marts.review_impact_weekly ORDER BY week"
        )
        days_loaded = column(
            "SELECT days_loaded FROM marts.adoption_weekly WHERE surface = 'all' ORDER BY week"
        )
        assert f"partial: {days_loaded[0]} of 7 days" in hover("chart-active")
        page.screenshot(tmp_path / "dashboard-weekly.png")

        # -- phone width: nothing overflows the viewport but the scrolling tables --------------
        page.call(
            "Emulation.setDeviceMetricsOverride",
            width=390,
            height=2400,
            deviceScaleFactor=1,
            mobile=True,
        )
        ev("codexDashboard.redraw()")
        assert ev("document.documentElement.scrollWidth") <= 390
        page.screenshot(tmp_path / "dashboard-phone.png")
        assert ev("window.__errors") == []
    assert all(
        (tmp_path / name).stat().st_size > 10_000
        for name in ("dashboard-range.png", "dashboard-weekly.png", "dashboard-phone.png")
    )
