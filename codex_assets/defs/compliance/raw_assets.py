"""Raw asset for the Compliance Logs Platform: every CODEX_LOG file, verified, per UTC day."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from codex_assets.defs import partitions
from codex_assets.defs.compliance.client import ComplianceWindowError
from codex_assets.defs.compliance.landing import RAW_TABLE, land_compliance_days
from codex_assets.defs.compliance.privacy import make_private
from codex_assets.defs.compliance.retention import purge_compliance
from codex_assets.defs.compliance.specs import CODEX_LOG_SPEC, EVENTS_SPEC
from codex_assets.defs.compliance.warehouse import RESTRICTED_VIEW, create_compliance_views
from codex_assets.defs.metadata import table_schema
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.checks.outcome import format_days, plural
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
    partitions_def=partitions.daily_partitions,
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
    if report.unavailable:
        # Normal, not a warning: the API keeps its files 30 days (codex-api.md 2.3).
        context.log.info(
            f"{format_days(report.unavailable)} ({plural(len(report.unavailable), 'day')}): "
            "older than the Compliance API's 30-day window, so not served, as documented; "
            "never landed here, so nothing is recorded for them (no request was sent)."
        )
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
    metadata: dict = {
        "dagster/row_count": report.rows,
        "dagster/table_name": "raw.compliance_codex_log",
        "rows_by_day": {day.isoformat(): n for day, n in report.rows_by_day.items()},
        "files_by_day": {day.isoformat(): n for day, n in report.files_by_day.items()},
        "days_loaded": len(report.rows_by_day),
        "days_kept_beyond_retention": [d.isoformat() for d in report.kept],
        "days_unavailable": [d.isoformat() for d in report.unavailable],
        "files": report.files,
        "bytes": report.bytes,
        "requests": requests,
        "integrity_retries": report.integrity_retries,
        "retention_purged_days": [d.isoformat() for d in purge.partitions],
        "source": fingerprint["source"],
        "workspace_id": fingerprint["workspace_id"],
        "lake_path": dg.MetadataValue.path(str(lake.root / RAW_TABLE)),
    }
    if schema is not None:
        metadata["dagster/column_schema"] = schema
    return dg.MaterializeResult(metadata=metadata)
