"""Raw asset for the Compliance Logs Platform: every CODEX_LOG file, verified, per UTC day."""

from datetime import date

import dagster as dg
from dagster_duckdb import DuckDBResource

from codex_assets.defs import partitions
from codex_assets.defs.compliance.client import ComplianceWindowError
from codex_assets.defs.compliance.landing import (
    RAW_TABLE,
    ComplianceLandingReport,
    land_compliance_days,
)
from codex_assets.defs.compliance.privacy import make_private
from codex_assets.defs.compliance.retention import purge_compliance
from codex_assets.defs.compliance.specs import CODEX_LOG_SPEC, EVENTS_SPEC
from codex_assets.defs.compliance.warehouse import RESTRICTED_VIEW, create_compliance_views
from codex_assets.defs.metadata import partition_figures, table_schema
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.checks.window import ROWS_KEY, read_footers
from codex_assets.lib.lake import Lake
from codex_assets.lib.progress import landed_day_message
from codex_assets.lib.utc import utc_now

RAW_KEY = dg.AssetKey(["raw", RAW_TABLE])
"""The compliance log's asset key: the one place it is written."""

_DESCRIPTIONS = {
    **EVENTS_SPEC.descriptions(),
    "day": "Partition: the UTC day the line's file ends in, (D 00:00, D+1 00:00].",
    "event_id": "The event's id; an event delivered more than once has one line per copy.",
    "file_name": "The log file's name.",
    "file_sha256": "The log file's sha256 (verified before landing).",
    "loaded_at": "When this partition was landed (UTC).",
    "actor_redacted_id": "The API key's redacted id (API_KEY actors).",
    "lake_file": "The lake file holding the line.",
    "lake_row": "The line's row in that file.",
}


@dg.asset(
    key=RAW_KEY,
    description=CODEX_LOG_SPEC.description,
    partitions_def=partitions.compliance_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="codex_api",
    group_name="ingest",
    kinds={"python", "parquet", "duckdb"},
    owners=["team:data-platform"],
    tags={"api": "codex_compliance", "data_classification": "restricted"},
)
def raw_compliance_codex_log(
    context: dg.AssetExecutionContext, codex: CodexResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    days = partitions.partition_days(context)
    settings = codex.settings()
    lake = codex.lake()
    fingerprint = codex.fingerprint()
    lake.check_source(fingerprint)
    now = utc_now()
    try:
        with codex.compliance_client() as client:
            report = land_compliance_days(
                client,
                lake,
                days,
                source=settings.source,
                now=now,
                on_day=lambda day, files, rows: context.log.info(
                    landed_day_message(RAW_TABLE, day, rows, files)
                ),
            )
            requests = client.http.stats.requests
    except ComplianceWindowError as error:
        # Days past the 30-day retention or not yet published: a retry cannot help.
        raise dg.Failure(description=str(error), allow_retries=False) from error
    with duckdb.get_connection() as conn:
        purge = purge_compliance(
            lake, conn, settings.data_path, settings.compliance_retention_days, now
        )
        has_views = create_compliance_views(conn, lake)
        schema = table_schema(conn, RESTRICTED_VIEW, _DESCRIPTIONS) if has_views else None
    make_private(settings.data_path, settings.duckdb_path)
    if purge.partitions:
        context.log.info(
            f"Retention ({settings.compliance_retention_days} days): purged "
            f"{len(purge.partitions)} partition(s) before {purge.cutoff} and {purge.rows} "
            "derived rows."
        )
    context.log.info(
        f"compliance_codex_log: {report.rows} events in {report.files} files "
        f"({report.bytes} bytes) over {len(report.rows_by_day)} days fetched, "
        f"{len(report.kept)} kept beyond retention, {requests} requests, "
        f"{report.integrity_retries} integrity retries"
    )
    partition_figures(context, _day_figures(report, lake))
    metadata: dict = {
        "dagster/table_name": "raw.compliance_codex_log",
        "retention_purged_days": [d.isoformat() for d in purge.partitions],
        "source": fingerprint["source"],
        "workspace_id": fingerprint["workspace_id"],
        "lake_path": dg.MetadataValue.path(str(lake.root / RAW_TABLE)),
    }
    if schema is not None:
        metadata["dagster/column_schema"] = schema
    return dg.MaterializeResult(metadata=metadata)


def _day_figures(report: ComplianceLandingReport, lake: Lake) -> dict[date, dict[str, object]]:
    """Each day's own rows, files and bytes: as fetched, or for a day kept beyond the
    retention (its files are gone from the API), as its partition's footer recorded them."""
    figures: dict[date, dict[str, object]] = {
        day: {
            "dagster/row_count": rows,
            "files": report.files_by_day[day],
            "bytes": report.bytes_by_day[day],
        }
        for day, rows in report.rows_by_day.items()
    }
    for day, footer in read_footers(lake, RAW_TABLE, report.kept).items():
        figures[day] = {
            "dagster/row_count": int(footer.get(ROWS_KEY, 0)),
            "files": int(footer.get("files", 0)),
            "bytes": int(footer.get("bytes", 0)),
            "kept_beyond_retention": True,
        }
    return figures
