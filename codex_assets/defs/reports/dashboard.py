"""The dashboard: the marts rendered as one self-contained, interactive HTML file.

It has every view of the Codex analytics dashboard (the seed's product page): date range and
daily/weekly controls, active users by surface, credit and token usage by surface or model,
threads and turns by client, the user ranking with its sorts and filters, Code Review
activity, and what the compliance log says about access tokens and agent identities, plus
teams, cohorts and data quality. Data: `dashboard_data`; page: `page`; see docs/reports.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from codex_assets.defs.reports.dashboard_data import dashboard_data
from codex_assets.defs.reports.page import quality_html, render_page

CheckResult = tuple[str, str, bool, str]
"""(asset, check, passed, severity) of an asset check's latest evaluation."""


def render_dashboard(
    conn: duckdb.DuckDBPyConnection,
    *,
    emails: bool = False,
    checks: Sequence[CheckResult] = (),
    now: datetime | None = None,
    database: str = "the warehouse",
) -> str:
    """The dashboard over everything loaded, as one HTML document."""
    now = now or datetime.now(UTC)
    data = dashboard_data(conn, emails=emails)
    days = data.get("days") or []
    if days:
        # Day D is due by D+1 14:00 UTC (complete by 12:00: the documented 12-hour lag).
        due = datetime.fromisoformat(days[-1]).replace(tzinfo=UTC) + timedelta(days=2, hours=14)
        freshness = f"last loaded day {days[-1]}; " + (
            f"fresh (the next day is due by {due:%Y-%m-%d %H:%M} UTC)"
            if now <= due
            else f"stale: the next day was due by {due:%Y-%m-%d %H:%M} UTC"
        )
    else:
        freshness = "nothing loaded yet"
    return render_page(
        data,
        subtitle=(
            f"{len(days)} loaded days. Credits are the billing unit; cost in USD where the "
            "API or CODEX_USD_PER_CREDIT gives it. Times are UTC."
        ),
        built=now.strftime("%Y-%m-%d %H:%M UTC"),
        database=database,
        quality=quality_html(data, checks, freshness),
    )


def write_dashboard(html: str, path: Path) -> Path:
    """Write the page under a temporary name and rename it into place (whole or absent)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(html)
    temporary.replace(path)
    return path
