"""Reports: the marts exported as CSV/JSON and rendered as a static HTML dashboard."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from codex_assets.defs.reports.dashboard import render_dashboard
from codex_assets.defs.reports.exports import EXPORT_DAYS, export_analytics
from codex_assets.defs.resources import CodexResource


def _marts(*names: str) -> list[dg.AssetKey]:
    return [dg.AssetKey(["marts", name]) for name in names]


@dg.asset(
    key=["reports", "analytics_exports"],
    deps=_marts(
        "adoption_daily", "spend_by_surface_daily", "usage_user_daily", "review_impact_daily"
    ),
    pool="duckdb",
    group_name="reports",
    kinds={"csv", "json"},
    owners=["team:data-platform"],
)
def analytics_exports(codex: CodexResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """The last 90 days as CSV and JSON, shaped like the Codex dashboard's exports: workspace
    usage by surface, usage per user, and Code Review details (under exports/analytics/)."""
    directory = codex.settings().data_path / "exports" / "analytics"
    with duckdb.get_connection() as conn:
        files = export_analytics(conn, directory, EXPORT_DAYS)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(f.rows for f in files),
            "directory": dg.MetadataValue.path(str(directory)),
            **{f"rows_{f.name}": f.rows for f in files},
        }
    )


@dg.asset(
    key=["reports", "dashboard"],
    deps=_marts("adoption_daily", "spend_by_surface_daily", "review_impact_daily", "user_activity"),
    pool="duckdb",
    group_name="reports",
    kinds={"html"},
    owners=["team:data-platform"],
)
def dashboard(codex: CodexResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """A self-contained HTML dashboard (exports/dashboard.html): active users and credits by
    surface, Code Review findings, the user ranking and activity cohorts."""
    path = Path(codex.settings().data_path) / "exports" / "dashboard.html"
    with duckdb.get_connection() as conn:
        html = render_dashboard(conn)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(html)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})
