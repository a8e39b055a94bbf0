"""The compliance log's checks, as Dagster definitions: its freshness check, `paging_complete`,
and one step for its files (listed vs landed, checksums) and its validity.

Why its `freshness_check` is not Dagster's `build_time_partition_freshness_checks`, as the
analytics ones are: the rule is the same (the day that is due is materialized by its deadline,
WARN), but this check also reads the Compliance API's `max_event_time` and reports it beside the
lake's newest event, which Dagster's check cannot do. It keeps the name, the severity and
Dagster's metadata, so Dagster's sensor drives it as its own. A 404 (an API older than the
endpoint) leaves the lake-only rule; any other failure to read the API is named, and the lake's
verdict stands.

Days the API no longer lists (past the 30-day retention) are reported by the file checks, not
failed: the lake is their only copy. The rules are plain functions (`files.py`,
`freshness.py`, `lib/checks/`); what each check promises is its spec (`specs.py`). Its
`last_30_days_loaded` and `responses_per_turn_in_band` depend on the analytics API too: they are
built in `defs/reconciliation/checks/`.
"""

from __future__ import annotations

from datetime import date

import dagster as dg

from codex_assets.defs.compliance.checks import files, specs
from codex_assets.defs.compliance.checks.freshness import (
    API_FAILED,
    API_NOT_OFFERED,
    API_READ,
    ApiNewestEvent,
    compliance_freshness,
    lake_newest_event,
)
from codex_assets.defs.compliance.checks.tables import COMPLIANCE_CODEX_LOG
from codex_assets.defs.compliance.client import CODEX_LOG
from codex_assets.defs.compliance.raw_assets import RAW_KEY
from codex_assets.defs.compliance.window import (
    COMPLIANCE_SLA,
    latest_complete_day,
    oldest_retained_day,
)
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.checks import validity
from codex_assets.lib.checks.builders import paging_group, source, validity_group
from codex_assets.lib.checks.freshness import freshness_result_metadata, freshness_spec_metadata
from codex_assets.lib.checks.results import CheckGroup, Evaluation, build_checks
from codex_assets.lib.checks.targets import CheckTarget, check_days, utc_now
from codex_assets.lib.checks.window import open_window
from codex_assets.lib.http.errors import ApiNotFoundError, CodexApiError
from codex_assets.lib.settings import SettingsError

COMPLIANCE_TARGET = CheckTarget(RAW_KEY, COMPLIANCE_CODEX_LOG, COMPLIANCE_SLA)


def compliance_freshness_check(target: CheckTarget = COMPLIANCE_TARGET) -> dg.AssetChecksDefinition:
    """The compliance log's `freshness_check` (see the module docstring for why it is ours)."""
    sla = target.sla
    spec = specs.FRESHNESS_CHECK.asset_check_spec(target.key, metadata=freshness_spec_metadata(sla))

    def evaluate(context: dg.AssetCheckExecutionContext, selected: set[str]):
        codex: CodexResource = source(context)
        due = sla.latest_due_day(utc_now())
        due_records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=target.key, asset_partitions=[due.isoformat()]),
            limit=1,
        ).records
        api = read_api_newest_event(codex)
        if api.status == API_FAILED:
            context.log.warning(f"Compliance max_event_time not read: {api.problem}")
        outcome = compliance_freshness(
            table=target.lake_table,
            sla=sla,
            due_day=due,
            landed=bool(due_records),
            lake=lake_newest_event(codex.lake(), target.lake_table),
            api=api,
        )
        metadata = freshness_result_metadata(context, target.key, sla, due, outcome.passed)
        yield Evaluation(spec.name, outcome, metadata)

    description = "Freshness of the compliance log, beside the API's own newest event."
    return build_checks(target.key, "freshness", [CheckGroup((spec,), evaluate)], description)


def read_api_newest_event(codex: CodexResource, event_type: str = CODEX_LOG) -> ApiNewestEvent:
    """The Compliance API's max_event_time for `event_type`, or why it could not be had.

    A 404 is an API older than the endpoint (`API_NOT_OFFERED`); any other API or settings
    error is `API_FAILED` with its message (keys are never in these messages; any configured
    key is scrubbed all the same). An error of another kind is a bug and is raised."""
    settings = codex.settings()
    try:
        with codex.compliance_client() as client:
            return ApiNewestEvent(
                API_READ, client.max_event_time(event_type), event_type=event_type
            )
    except ApiNotFoundError as error:
        return ApiNewestEvent(
            API_NOT_OFFERED, problem=_scrub(error, settings), event_type=event_type
        )
    except (CodexApiError, SettingsError) as error:
        return ApiNewestEvent(API_FAILED, problem=_scrub(error, settings), event_type=event_type)


def _scrub(error: Exception, settings, limit: int = 400) -> str:
    text = f"{type(error).__name__}: {error}"
    for key in (settings.compliance_api_key, settings.analytics_api_key):
        if key:
            text = text.replace(key, "<redacted>")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _listings(
    codex: CodexResource, days: list[date]
) -> tuple[dict[date, list[files.ListedFile]], list[date]]:
    """(listing per day the API still lists, landed days it does not list)."""
    now = utc_now()
    oldest, latest = oldest_retained_day(now), latest_complete_day(now)
    listable = [day for day in days if oldest <= day <= latest]
    listed: dict[date, list[files.ListedFile]] = {}
    if listable:
        with codex.compliance_client() as client:
            for day in listable:
                listed[day] = [
                    files.ListedFile(f.id, f.file_name, f.end_time, f.file_sha256, f.file_size)
                    for f in client.day_files(CODEX_LOG, day)
                ]
    return listed, [day for day in days if day not in listed]


def _files_group(target: CheckTarget) -> CheckGroup:
    """`files_cover_day` and `file_checksums_match`: the listing is asked again at check time
    (two list requests per day, no download), so a file published after the day was landed, or
    lines lost since, show up here and nowhere else."""
    cover, checksums = specs.FILES_COVER_DAY.name, specs.FILE_CHECKSUMS_MATCH.name

    def evaluate(context: dg.AssetCheckExecutionContext, selected: set[str]):
        codex: CodexResource = source(context)
        lake = codex.lake()
        with open_window(lake, [target.table], check_days(context, lake, target)) as window:
            landed = files.landed_files(window, target.lake_table)
        listed, not_listable = _listings(codex, sorted(landed))
        if cover in selected:
            outcome = files.files_cover_day(listed, landed, not_listable, target.lake_table)
            yield Evaluation(cover, outcome)
        if checksums in selected:
            yield Evaluation(
                checksums, files.file_checksums_match(listed, landed, target.lake_table)
            )

    specs_ = (specs.FILES_COVER_DAY, specs.FILE_CHECKSUMS_MATCH)
    return CheckGroup(tuple(spec.asset_check_spec(target.key) for spec in specs_), evaluate)


freshness_checks = [compliance_freshness_check()]

completeness_checks = [
    build_checks(
        RAW_KEY,
        "completeness",
        [paging_group(COMPLIANCE_TARGET)],
        f"Completeness of {RAW_KEY.to_user_string()}.",
    )
]

# No duplicate-key check: delivery is at-least-once, so duplicate lines are the contract here;
# `restricted.compliance_events` deduplicates them.
_ROW_RULES = (
    (specs.NO_NEGATIVE_COUNTS, validity.negative_counts),
    (specs.ROWS_MATCH_PARTITION_DAY, files.files_outside_partition),
)
compliance_checks = [
    build_checks(
        RAW_KEY,
        "compliance",
        [
            _files_group(COMPLIANCE_TARGET),
            validity_group(COMPLIANCE_TARGET, _ROW_RULES, specs.COLUMN_SCHEMA_UNCHANGED),
        ],
        "Files, checksums and validity of the compliance log.",
    )
]
