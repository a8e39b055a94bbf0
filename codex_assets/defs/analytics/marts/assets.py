"""The analytics marts as assets: each a thin call to `refresh_mart` plus the metadata users read.

Column schema and column lineage come from the mart's spec (`codex_assets.defs.metadata`),
where every metric is defined once, so the UI shows the same definitions as docs/marts.md.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from codex_assets.defs.analytics.marts import MARTS, MartSettings, refresh_mart
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.metadata import (
    column_schema,
    partition_figures,
    rows_by_day,
    table_metadata,
    table_preview,
)
from codex_assets.defs.partitions import daily_partitions, partition_days
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.tables import TableSpec


def asset_key_for_table(qualified_name: str) -> dg.AssetKey:
    """The asset that produces `schema.table`; breakdown views belong to their raw table."""
    for table in ANALYTICS_RAW_TABLES:
        if any(view.qualified_name == qualified_name for view in table.breakdown_views):
            return dg.AssetKey(["raw", table.name])
    return dg.AssetKey(qualified_name.split(".", 1))


def build_mart_asset(spec: TableSpec) -> dg.AssetsDefinition:
    """A `marts/<name>` asset for a mart `refresh_mart` builds: daily-partitioned facts, or a
    snapshot as of the last loaded day."""
    deps = sorted({asset_key_for_table(table) for table in spec.upstream}, key=str)
    schema = column_schema(spec)

    @dg.asset(
        key=["marts", spec.name],
        description=f"{spec.description}\n\nGrain: {', '.join(spec.grain)}.",
        deps=deps,
        partitions_def=daily_partitions if spec.partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run() if spec.partitioned else None,
        pool="duckdb",
        group_name="marts",
        kinds={"duckdb", "sql"},
        owners=["team:data-platform"],
        metadata={"dagster/column_schema": schema, "dagster/table_name": spec.qualified_name},
    )
    def mart(
        context: dg.AssetExecutionContext, codex: CodexResource, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        settings = MartSettings.from_settings(codex.settings())
        with duckdb.get_connection() as conn:
            if spec.partitioned:
                days = partition_days(context)
                written = refresh_mart(conn, spec, days[0], days[-1], settings)
                by_day = rows_by_day(conn, spec, days)
            else:
                days, by_day = [], {}
                written = refresh_mart(conn, spec, settings=settings)
            preview = table_preview(conn, spec, days)
        if spec.partitioned:
            partition_figures(context, {day: {"dagster/row_count": n} for day, n in by_day.items()})
            context.log.info(f"{spec.qualified_name}: {written} rows written for {len(days)} days")
        return dg.MaterializeResult(
            metadata={
                **table_metadata(spec, None if spec.partitioned else written, asset_key_for_table),
                "preview": preview,
            }
        )

    return mart


mart_assets = [build_mart_asset(spec) for spec in MARTS.values()]
