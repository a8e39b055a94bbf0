"""Compliance log checks: the day's files are all there, unaltered, and agree with analytics.

On raw/compliance_codex_log (only when that asset is defined):

- `files_cover_day` (ERROR, blocking): every file the Compliance API lists for a landed day is
  in the partition, so the files' windows cover the day without a gap. The listing is asked
  again at check time (two list requests per day, no download): a file published after the day
  was landed, or lines lost since, show up here and nowhere else.
- `file_checksums_match` (ERROR, blocking): every landed file carries the listed sha256.
- `responses_per_turn_in_band` (WARN): compliance responses per analytics turn, per day and
  per user-day, within 0.8..1.25. Never blocking: the APIs cover different authentication paths.
- Validity, as for the analytics tables: `no_negative_counts` (ERROR, blocking: token counts),
  `rows_match_partition_day` (ERROR, blocking: every file ends in its partition's day) and
  `column_schema_unchanged` (WARN). No duplicate-key check: delivery is at-least-once, so
  duplicate lines are the contract here; `restricted.compliance_events` deduplicates them.

Days the API no longer lists (past the 30-day retention) are reported, not failed: the lake is
their only copy and nothing can be compared with it.
"""

from datetime import date, timedelta

import dagster as dg

from codex_assets.defs.checks.support import (
    analytics_target,
    check_days,
    compliance_targets,
    selected_names,
    to_result,
    utc_now,
)
from codex_assets.defs.checks.validity import (
    COLUMN_SCHEMA_UNCHANGED,
    NO_NEGATIVE_COUNTS,
    ROWS_MATCH_PARTITION_DAY,
    column_schema_spec,
    validity_outcomes,
)
from codex_assets.defs.compliance.client import CODEX_LOG, latest_complete_day, oldest_retained_day
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.checks import compliance, validity
from codex_assets.lib.checks.tables import COMPLIANCE_CODEX_LOG, USAGE_USERS
from codex_assets.lib.checks.window import open_window

FILES_COVER_DAY = "files_cover_day"
FILE_CHECKSUMS_MATCH = "file_checksums_match"
RESPONSES_PER_TURN_IN_BAND = "responses_per_turn_in_band"
_BLOCKING = {
    FILES_COVER_DAY: True,
    FILE_CHECKSUMS_MATCH: True,
    RESPONSES_PER_TURN_IN_BAND: False,
    NO_NEGATIVE_COUNTS: True,
    ROWS_MATCH_PARTITION_DAY: True,
    COLUMN_SCHEMA_UNCHANGED: False,
}
_ROW_CHECKS = {
    NO_NEGATIVE_COUNTS: validity.negative_counts,
    ROWS_MATCH_PARTITION_DAY: validity.files_outside_partition,
}


def _listings(
    codex: CodexResource, days: list[date]
) -> tuple[dict[date, list[compliance.ListedFile]], list[date]]:
    """(listing per day the API still lists, landed days it does not list)."""
    now = utc_now()
    oldest, latest = oldest_retained_day(now), latest_complete_day(now)
    listable = [day for day in days if oldest <= day <= latest]
    listed: dict[date, list[compliance.ListedFile]] = {}
    if listable:
        with codex.compliance_client() as client:
            for day in listable:
                listed[day] = [
                    compliance.ListedFile(f.id, f.file_name, f.end_time, f.file_sha256, f.file_size)
                    for f in client.day_files(CODEX_LOG, day)
                ]
    return listed, [day for day in days if day not in listed]


def build_compliance_checks() -> list[dg.AssetChecksDefinition]:
    targets = compliance_targets()
    if not targets:
        return []
    (target,) = targets
    users = analytics_target(USAGE_USERS.name)
    specs = [
        dg.AssetCheckSpec(
            FILES_COVER_DAY,
            asset=target.key,
            blocking=True,
            description=(
                "Every CODEX_LOG file the Compliance API lists for a landed day (end_time in "
                "(D 00:00, D+1 00:00]) is in the partition: the files' windows cover the day "
                "without a gap. Blocking: the compliance marts would miss events."
            ),
        ),
        dg.AssetCheckSpec(
            FILE_CHECKSUMS_MATCH,
            asset=target.key,
            blocking=True,
            description=(
                "Every landed file carries the sha256 the API lists for it. Blocking: an "
                "altered partition cannot be trusted."
            ),
        ),
        dg.AssetCheckSpec(
            RESPONSES_PER_TURN_IN_BAND,
            asset=target.key,
            blocking=False,
            additional_deps=[users.key],
            description=(
                "Compliance responses per analytics turn, per day and per user-day (matched on "
                f"email), within {compliance.RESPONSES_PER_TURN_BAND[0]:g}.."
                f"{compliance.RESPONSES_PER_TURN_BAND[1]:g}. Warns: the two APIs cover "
                "different authentication paths."
            ),
        ),
        dg.AssetCheckSpec(
            NO_NEGATIVE_COUNTS,
            asset=target.key,
            blocking=True,
            description=(
                "No token count below zero (NULL: no token usage on the event). Blocking: the "
                "compliance marts' sums would be wrong."
            ),
        ),
        dg.AssetCheckSpec(
            ROWS_MATCH_PARTITION_DAY,
            asset=target.key,
            blocking=True,
            description=(
                "Every log file in a partition ends in its day: end_time in (D 00:00, "
                "D+1 00:00] UTC. Blocking: its events would be counted on the wrong day."
            ),
        ),
        column_schema_spec(target.key),
    ]

    @dg.multi_asset_check(
        name=f"{target.slug}_compliance_checks",
        specs=specs,
        can_subset=True,
        description="Files, checksums, validity and agreement with analytics of the compliance log.",
    )
    def run_checks(context: dg.AssetCheckExecutionContext, codex: CodexResource):
        selected = selected_names(context)
        lake = codex.lake()
        days = check_days(context, lake, target)

        def result(name, outcome):
            return to_result(
                outcome, asset_key=target.key, check_name=name, blocking=_BLOCKING[name]
            )

        if selected & {FILES_COVER_DAY, FILE_CHECKSUMS_MATCH}:
            with open_window(lake, [target.lake_table], days) as window:
                landed = compliance.landed_files(window, target.lake_table)
            listed, not_listable = _listings(codex, sorted(landed))
            if FILES_COVER_DAY in selected:
                yield result(
                    FILES_COVER_DAY,
                    compliance.files_cover_day(listed, landed, not_listable, target.lake_table),
                )
            if FILE_CHECKSUMS_MATCH in selected:
                yield result(
                    FILE_CHECKSUMS_MATCH,
                    compliance.file_checksums_match(listed, landed, target.lake_table),
                )
        for name, outcome in validity_outcomes(
            context, lake, target, COMPLIANCE_CODEX_LOG, _ROW_CHECKS
        ):
            yield result(name, outcome)
        if RESPONSES_PER_TURN_IN_BAND in selected:
            with_next = sorted({*days, *(day + timedelta(days=1) for day in days)})
            with open_window(lake, [target.lake_table, users.lake_table], with_next) as window:
                outcome = compliance.responses_per_turn(window, days)
            yield result(RESPONSES_PER_TURN_IN_BAND, outcome)

    return [run_checks]


compliance_checks = build_compliance_checks()
