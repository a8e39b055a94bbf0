"""The compliance log's checks, each described once (see `lib/checks/specs.py`).

docs/checks.md's tables and the README's are generated from these
(`python -m codex_assets.docgen.checks`); Dagster shows `description`.
"""

from __future__ import annotations

from functools import partial

from codex_assets.defs.compliance.window import COMPLIANCE_SLA, RETENTION_DAYS
from codex_assets.lib.checks.specs import FRESHNESS, CheckSpec, coverage_spec

COMPLIANCE_LOG = "Compliance log"
"""The docs section of the checks only the compliance log has."""

ON_LOG = "`raw/compliance_codex_log`"
_ALTERED = (
    "the loader lands every file in the day its end_time falls in, after verifying its size "
    "and sha256 (ours)"
)

FRESHNESS_CHECK = CheckSpec(
    name="freshness_check",
    family=FRESHNESS,
    on=ON_LOG,
    blocking=False,
    rule=(
        f"Day D is materialized by {COMPLIANCE_SLA.deadline_text}; reports the lake's newest "
        "event and the Compliance API's `max_event_time` beside it (the API's time never "
        "decides; an API without the endpoint answers 404, and the check says it judged on the "
        "lake alone)."
    ),
    why="the deadline is ours, not the contract's.",
    failure=(
        f"day D was not loaded by {COMPLIANCE_SLA.deadline_text}; the description tells a late "
        "load (the API has events past the end of D) from a source with nothing newer"
    ),
    action=(
        "find the failed or skipped run of `compliance_refresh_schedule`, fix its cause, "
        "`codex-assets backfill --start D --end D`"
    ),
    relies_on=(
        "a p99 file latency of 30 minutes (C); `GET .../max_event_time` (C: the 2026-12 "
        'additions) is reported only: it "does not guarantee that all earlier events have '
        'arrived"'
    ),
    not_promised="that a day is final by any hour: the deadline is ours, so it warns",
)

LAST_30_DAYS_LOADED = coverage_spec(
    COMPLIANCE_SLA,
    on=ON_LOG,
    relies_on=f"the compliance files' {RETENTION_DAYS}-day retention (C)",
    not_promised=(
        "a day whose files are older than that: the gap is permanent, so it is not expected"
    ),
)

FILES_COVER_DAY = CheckSpec(
    name="files_cover_day",
    family=COMPLIANCE_LOG,
    on=ON_LOG,
    blocking=True,
    rule=(
        "Every CODEX_LOG file the Compliance API lists for a landed day (end_time in "
        "(D 00:00, D+1 00:00]) is in the partition, so the files' ~10-minute windows cover the "
        "day without a gap."
    ),
    why="the compliance marts would miss events.",
    failure="a listed log file is not in the partition",
    action=f"reload while the API keeps the files ({RETENTION_DAYS} days)",
    relies_on=(
        "the listing's files for the day, paged on `after=last_end_time` until `has_more` is "
        "false (C); the loader lands every listed file (ours)"
    ),
    not_promised=(
        "files as many as `limit` per page, distinct `end_time`s: paging follows `has_more` "
        "whatever the page holds"
    ),
)

FILE_CHECKSUMS_MATCH = CheckSpec(
    name="file_checksums_match",
    family=COMPLIANCE_LOG,
    on=ON_LOG,
    blocking=True,
    rule=(
        "Every landed file carries the `file_sha256` the API lists for it, and no landed file "
        "is one the API does not list for that day."
    ),
    why="an altered partition cannot be trusted.",
    failure="a landed file's sha256 differs from the listing, or the API does not list it",
    action=f"reload while the API keeps the files ({RETENTION_DAYS} days)",
    relies_on="every listed file has `file_sha256` (C, required)",
    not_promised="—",
)

_landed_log_check = partial(
    CheckSpec,
    family=COMPLIANCE_LOG,
    on=ON_LOG,
    blocking=True,
    action=f"reload the days named while the API keeps their files ({RETENTION_DAYS} days)",
)
"""A blocking check of what the loader itself wrote: failing means the partition was altered
since, and reloading (while the API still has the files) repairs it."""

NO_NEGATIVE_COUNTS = _landed_log_check(
    name="no_negative_counts",
    rule=(
        "No token count (input, cached input, output, reasoning output) below zero; NULL (an "
        "event without token usage) is allowed."
    ),
    why="the compliance marts' sums would be wrong.",
    failure="a token count below zero: the partition was altered or written by another tool",
    relies_on=f"token counts are amounts consumed (C); {_ALTERED}",
    not_promised="token usage on every event: NULL is allowed",
)

ROWS_MATCH_PARTITION_DAY = _landed_log_check(
    name="rows_match_partition_day",
    rule=(
        "Every log file in a partition ends in its day: end_time in (D 00:00, D+1 00:00] UTC, "
        "and every line's `day` is the partition's."
    ),
    why="its events would be counted on the wrong day.",
    failure="log files describe another day than their partition's",
    relies_on=f"a log file's `end_time` (C) decides its day; {_ALTERED}",
    not_promised="—",
)

COLUMN_SCHEMA_UNCHANGED = CheckSpec(
    name="column_schema_unchanged",
    family=COMPLIANCE_LOG,
    on=ON_LOG,
    blocking=False,
    rule=(
        "The typed columns of `restricted.compliance_codex_log` (parsed from `record` by this "
        "version's SQL, so they change with an upgrade, not with the lake) are those of the "
        "previous run's materialization; names what was added, removed or retyped. And every "
        "field of the checked days' lines is read by "
        "`defs/compliance/view_restricted_codex_log.sql` or declared untyped there (the "
        "contract's fields of events it does not type: plugin, site, MCP, settings...); names "
        "the others."
    ),
    why="every line is kept verbatim in the lake, so nothing is lost and nothing needs re-fetching.",
    failure=(
        "the typed columns changed since the last run, or the log carries fields no column "
        "reads (both named)"
    ),
    action="read a new field in the view's SQL or list it on that file's `-- untyped:` lines",
    relies_on=(
        "nothing about stability: fields are added between versions (C: the 2026-12 additions)"
    ),
    not_promised=(
        "a fixed schema: added or retyped columns, and fields the API sends that no column "
        "reads, are named, never block"
    ),
)

COMPLIANCE_SPECS = (
    FRESHNESS_CHECK,
    LAST_30_DAYS_LOADED,
    FILES_COVER_DAY,
    FILE_CHECKSUMS_MATCH,
    NO_NEGATIVE_COUNTS,
    ROWS_MATCH_PARTITION_DAY,
    COLUMN_SCHEMA_UNCHANGED,
)
"""Every compliance log check but the one that compares it with analytics (defs/reconciliation)."""
