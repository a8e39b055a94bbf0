"""Compliance assets downstream of the raw logs: the deduplicated events, the marts, the DLP
findings and the SIEM export. Each is a thin call into `codex_assets.defs.compliance`."""

from collections.abc import Callable, Iterable, Sequence
from datetime import date

import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection

from codex_assets.defs import partitions
from codex_assets.defs.compliance.export import EXPORT_SUBDIR, ExportedDay, export_days
from codex_assets.defs.compliance.findings import refresh_findings
from codex_assets.defs.compliance.landing import RAW_TABLE
from codex_assets.defs.compliance.marts import (
    refresh_access_token_events,
    refresh_activity,
    refresh_agent_activity,
)
from codex_assets.defs.compliance.privacy import make_private
from codex_assets.defs.compliance.raw_assets import RAW_KEY
from codex_assets.defs.compliance.specs import (
    ACCESS_TOKENS_SPEC,
    ACTIVITY_SPEC,
    AGENT_ACTIVITY_SPEC,
    EVENTS_SPEC,
    FINDINGS_SPEC,
)
from codex_assets.defs.compliance.warehouse import bounded_memory, refresh_compliance_events
from codex_assets.defs.metadata import (
    column_schema,
    lineage_metadata,
    partition_figures,
    rows_by_day,
    table_asset_key,
    table_metadata,
    table_preview,
)
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.tables import TableSpec

EVENTS_KEY = dg.AssetKey(["restricted", "compliance_events"])
OWNERS = ["team:data-platform"]
RESTRICTED_TAGS = {"api": "codex_compliance", "data_classification": "restricted"}


def table_asset(
    spec: TableSpec,
    *,
    deps: Sequence[dg.AssetKey] = (EVENTS_KEY,),
    kinds: Iterable[str] = ("duckdb", "sql"),
    restricted: bool = False,
    partitioned: bool = True,
    grain: str | None = None,
) -> Callable[..., dg.AssetsDefinition]:
    """The asset decorator of a compliance table: keyed, described and given its column schema
    by `spec`, in the `marts` group on the DuckDB pool, tagged restricted when it holds text,
    and daily-partitioned (one run for a range) unless it is rebuilt whole."""
    return dg.asset(
        key=table_asset_key(spec.qualified_name),
        description=f"{spec.description}\n\nGrain: {grain or ', '.join(spec.grain)}.",
        deps=list(deps),
        partitions_def=partitions.compliance_partitions if partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run() if partitioned else None,
        pool="duckdb",
        group_name="marts",
        kinds=set(kinds),
        owners=OWNERS,
        tags=RESTRICTED_TAGS if restricted else {"api": "codex_compliance"},
        metadata={
            "dagster/column_schema": column_schema(spec),
            **(lineage_metadata(spec) if spec.schema == "marts" else {}),
        },
    )


@table_asset(EVENTS_SPEC, deps=[RAW_KEY], restricted=True)
def compliance_events(
    context: dg.AssetExecutionContext, codex: CodexResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    days = partitions.partition_days(context)
    settings = codex.settings()
    with duckdb.get_connection() as conn, bounded_memory(conn):
        refresh = refresh_compliance_events(conn, codex.lake(), days[0], days[-1])
        by_day = rows_by_day(conn, EVENTS_SPEC, days, column="day")
    make_private(settings.data_path, settings.duckdb_path)
    context.log.info(
        f"{EVENTS_SPEC.qualified_name}: {refresh.rows} events loaded for {len(days)} days, "
        f"{refresh.dropped_later} later duplicates dropped"
    )
    _record_rows(context, by_day)
    return dg.MaterializeResult(metadata=table_metadata(EVENTS_SPEC, None))


def build_activity_mart(
    spec: TableSpec,
    refresh: Callable[[DuckDBPyConnection, list[date]], int],
) -> dg.AssetsDefinition:
    """A daily compliance mart rebuilt by `refresh` for the run's days and the days of the
    late events they delivered; its preview shows the run's days, latest first."""

    @table_asset(spec)
    def activity_mart(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        days = partitions.partition_days(context)
        with duckdb.get_connection() as conn, bounded_memory(conn):
            rebuilt = _days_to_rebuild(conn, days)
            written = refresh(conn, rebuilt)
            preview = table_preview(conn, spec, days)
            by_day = rows_by_day(conn, spec, days)
        context.log.info(
            f"{spec.qualified_name}: {written} rows written for {len(rebuilt)} days rebuilt"
        )
        _record_rows(context, by_day)
        return dg.MaterializeResult(metadata={**table_metadata(spec, None), "preview": preview})

    return activity_mart


compliance_activity_daily = build_activity_mart(ACTIVITY_SPEC, refresh_activity)
compliance_agent_activity_daily = build_activity_mart(AGENT_ACTIVITY_SPEC, refresh_agent_activity)


def _record_rows(context: dg.AssetExecutionContext, by_day: dict[date, int]) -> None:
    """Each partition's `dagster/row_count`: the rows its day holds in the table."""
    partition_figures(context, {day: {"dagster/row_count": n} for day, n in by_day.items()})


def _days_to_rebuild(conn: DuckDBPyConnection, days: list[date]) -> list[date]:
    """The range's days and those of every event its partitions hold: late events of the days
    before the range are delivered in the range's files, and the marts are by event date."""
    EVENTS_SPEC.ensure(conn)
    event_days = {
        row[0]
        for row in conn.execute(
            f"SELECT DISTINCT timestamp::DATE FROM {EVENTS_SPEC.qualified_name} "
            "WHERE day BETWEEN $start AND $end AND timestamp IS NOT NULL",
            {"start": days[0], "end": days[-1]},
        ).fetchall()
    }
    return sorted(event_days | set(days))


@table_asset(ACCESS_TOKENS_SPEC, partitioned=False, grain="event_id (rebuilt whole)")
def access_token_events(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn, bounded_memory(conn):
        written = refresh_access_token_events(conn)
        preview = table_preview(conn, ACCESS_TOKENS_SPEC, order="timestamp DESC, event_id")
    return dg.MaterializeResult(
        metadata={**table_metadata(ACCESS_TOKENS_SPEC, written), "preview": preview}
    )


@table_asset(FINDINGS_SPEC, kinds=("duckdb", "python"), restricted=True)
def secret_findings(
    context: dg.AssetExecutionContext, codex: CodexResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    days = partitions.partition_days(context)
    with duckdb.get_connection() as conn, bounded_memory(conn):
        found = refresh_findings(conn, days[0], days[-1])
        by_kind = dict(
            conn.execute(
                f"SELECT kind, count(*) FROM {FINDINGS_SPEC.qualified_name} "
                "WHERE day BETWEEN $start AND $end GROUP BY kind ORDER BY kind",
                {"start": days[0], "end": days[-1]},
            ).fetchall()
        )
        by_day = rows_by_day(conn, FINDINGS_SPEC, days, column="day")
    settings = codex.settings()
    make_private(settings.data_path, settings.duckdb_path)
    if found:
        # Against the simulator a finding is the demo of the scan, not news: it pastes fake
        # credentials into 0.4% of prompts on purpose (docs/compliance.md, the DLP scan).
        planted = (
            " (the simulator plants fake ones on purpose)" if settings.source == "simulator" else ""
        )
        context.log.warning(
            f"{found} secret(s) found in Codex prompts or responses for {days[0]}..{days[-1]} "
            f"(by kind: {by_kind}){planted}; see restricted.secret_findings."
        )
    _record_rows(context, by_day)
    return dg.MaterializeResult(metadata=table_metadata(FINDINGS_SPEC, None))


@dg.asset(
    key=["reports", "compliance_export"],
    description=(
        "SIEM / eDiscovery export: per partition day, the deduplicated Codex audit events it "
        "first delivered, as $CODEX_DATA_DIR/exports/compliance/codex_log-YYYY-MM-DD.jsonl "
        "(the events exactly as delivered, ordered by timestamp then event_id) and .parquet "
        "(typed columns). Byte-stable across re-runs; owner-only; restricted (holds text)."
    ),
    deps=[EVENTS_KEY],
    partitions_def=partitions.compliance_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="duckdb",
    group_name="reports",
    kinds={"duckdb", "parquet", "json"},
    owners=OWNERS,
    tags=RESTRICTED_TAGS,
)
def compliance_export(
    context: dg.AssetExecutionContext, codex: CodexResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    settings = codex.settings()
    days = partitions.partition_days(context)
    landed = set(codex.lake().landed_days(RAW_TABLE))
    never_landed = [day for day in days if day not in landed]
    if never_landed:
        # Dagster would record every day of the range as exported: refuse instead.
        raise dg.Failure(
            description=(
                f"{len(never_landed)} day(s) of the range were never landed, so there is "
                f"nothing to export for them: {never_landed[0]}..{never_landed[-1]}. "
                "Materialize raw/compliance_codex_log for them first (while the API keeps "
                "their files, 30 days), or export only days already landed."
            ),
            allow_retries=False,
        )
    with duckdb.get_connection() as conn, bounded_memory(conn):
        exported, rewritten = export_days(conn, settings.data_path, days, landed)
    make_private(settings.data_path, settings.duckdb_path)
    if rewritten:
        context.log.info(
            "Rewrote the exports of later days whose events moved to an earlier day (loaded "
            f"out of order): {', '.join(e.day.isoformat() for e in rewritten)}."
        )
    context.log.info(
        f"compliance_export: {sum(e.events for e in exported)} events in {len(exported)} "
        f"days ({sum(1 for e in exported if e.idle_marker)} idle, marked .idle.json)"
    )
    partition_figures(context, {e.day: _export_figures(e) for e in exported})
    return dg.MaterializeResult(
        metadata={
            "export_dir": dg.MetadataValue.path(str(settings.data_path / EXPORT_SUBDIR)),
        }
    )


def _export_figures(exported: ExportedDay) -> dict[str, object]:
    """A day's export as its partition shows it: events, and its files or its idle marker."""
    if exported.idle_marker is not None:
        return {"dagster/row_count": 0, "idle_marker": exported.idle_marker.name}
    return {
        "dagster/row_count": exported.events,
        "jsonl_sha256": exported.jsonl_sha256,
        "bytes": exported.jsonl.stat().st_size if exported.jsonl else 0,
    }
