"""Raw assets for the Codex Analytics API: one per endpoint, landed per UTC day in the lake."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from codex_assets.defs.analytics.landing import land_analytics_days, unservable_message
from codex_assets.defs.analytics.restatements import create_view as create_restatements_view
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES, RawTable
from codex_assets.defs.analytics.views import create_raw_views
from codex_assets.defs.metadata import partition_figures, table_schema
from codex_assets.defs.partitions import daily_partitions, partition_days
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.http.errors import ApiValidationError, OutsideApiWindowError


def build_raw_analytics_asset(table: RawTable) -> dg.AssetsDefinition:
    """A daily-partitioned asset landing `table`'s endpoint into the lake as `raw.<table>`."""

    @dg.asset(
        key=["raw", table.name],
        description=table.description,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="codex_api",
        group_name="ingest",
        kinds={"python", "parquet", "duckdb"},
        owners=["team:data-platform"],
        tags={"api": "codex_analytics"},
    )
    def raw_analytics(
        context: dg.AssetExecutionContext, codex: CodexResource, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        days = partition_days(context)
        settings = codex.settings()
        lake = codex.lake()
        fingerprint = codex.fingerprint()
        lake.check_source(fingerprint)
        try:
            with codex.analytics_client() as client:
                report = land_analytics_days(
                    client,
                    lake,
                    table,
                    days,
                    source=settings.source,
                    run_id=context.run.run_id,
                    on_day=lambda day, rows: context.log.info(
                        f"{table.name} {day}: {rows} rows"
                        + ("" if rows else " (loaded: the API omits a day without activity)")
                    ),
                )
        except (OutsideApiWindowError, ApiValidationError) as error:
            # Days the API no longer serves (or refuses): fail fast, never retry, keep the lake.
            raise dg.Failure(
                description=unservable_message(error, lake, table, days), allow_retries=False
            ) from error
        with duckdb.get_connection() as conn:
            create_raw_views(conn, lake, table)
            create_restatements_view(conn, lake.root)
            schema = table_schema(conn, f"raw.{table.name}")
        if report.restated:
            context.log.info(
                f"{table.name}: {report.restated} values restated since the last load "
                "(see marts.restatements)"
            )
        context.log.info(
            f"{table.name}: {report.rows} rows over {len(report.rows_by_day)} days "
            f"({sum(1 for n in report.rows_by_day.values() if n == 0)} without activity), "
            f"{report.pages} pages, {report.requests} requests, {report.retries} retries"
        )
        partition_figures(
            context,
            {
                day: {
                    "dagster/row_count": rows,
                    "restated_values": report.restated_by_day.get(day, 0),
                }
                for day, rows in report.rows_by_day.items()
            },
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/table_name": f"raw.{table.name}",
                "dagster/column_schema": schema,
                "source": fingerprint["source"],
                "workspace_id": fingerprint["workspace_id"],
                "lake_path": dg.MetadataValue.path(str(lake.root / table.name)),
            }
        )

    return raw_analytics


raw_analytics_assets = [build_raw_analytics_asset(table) for table in ANALYTICS_RAW_TABLES]
