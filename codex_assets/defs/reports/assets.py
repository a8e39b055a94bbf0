"""Reports: the marts exported as CSV/JSON and rendered as the interactive HTML dashboard."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from codex_assets.defs.reports.check_results import latest_check_results
from codex_assets.defs.reports.dashboard import render_dashboard, write_dashboard
from codex_assets.defs.reports.exports import EXPORT_DAYS, export_analytics
from codex_assets.defs.resources import CodexResource


def _marts(*names: str) -> list[dg.AssetKey]:
    return [dg.AssetKey(["marts", name]) for name in names]


_WEEKLY = (
    "adoption_weekly",
    "spend_by_surface_weekly",
    "usage_user_weekly",
    "review_impact_weekly",
)


@dg.asset(
    key=["reports", "analytics_exports"],
    deps=_marts(
        "adoption_daily",
        "spend_by_surface_daily",
        "usage_user_daily",
        "review_impact_daily",
        *_WEEKLY,
    ),
    pool="duckdb",
    group_name="reports",
    kinds={"csv", "json"},
    owners=["team:data-platform"],
)
def analytics_exports(codex: CodexResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """The last 90 days as CSV and JSON, daily and weekly, shaped like the Codex dashboard's
    exports: workspace usage by surface, usage per user (emails only with
    CODEX_EXPORT_EMAILS=true), and Code Review details (under exports/analytics/)."""
    settings = codex.settings()
    directory = settings.data_path / "exports" / "analytics"
    with duckdb.get_connection() as conn:
        files = export_analytics(conn, directory, EXPORT_DAYS, emails=settings.export_emails)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(f.rows for f in files),
            "directory": dg.MetadataValue.path(str(directory)),
            **{f"rows_{f.name}": f.rows for f in files},
        }
    )


@dg.asset(
    key=["reports", "dashboard"],
    # Analytics only: the compliance panels read their tables when they exist and say "not
    # available" otherwise, so a failed or unconfigured compliance step never skips this.
    deps=_marts(
        "adoption_daily",
        "spend_by_surface_daily",
        "spend_by_model_daily",
        "review_impact_daily",
        "user_activity",
        "spend_by_model_weekly",
        *_WEEKLY,
    ),
    pool="duckdb",
    group_name="reports",
    kinds={"html"},
    owners=["team:data-platform"],
)
def dashboard(
    context: dg.AssetExecutionContext, codex: CodexResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """The interactive dashboard (exports/dashboard.html, one self-contained file): every view
    of the Codex analytics dashboard, daily and weekly, with the user ranking and data quality."""
    settings = codex.settings()
    path = settings.data_path / "exports" / "dashboard.html"
    checks = latest_check_results(context)
    with duckdb.get_connection() as conn:
        html = render_dashboard(conn, emails=settings.export_emails, checks=checks)
    write_dashboard(html, path)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "url": dg.MetadataValue.url(path.as_uri()),
            "size_bytes": len(html.encode()),
        }
    )
