"""The latest result of every asset check, for the dashboard's data-quality panel."""

from __future__ import annotations

import dagster as dg

from codex_assets.defs.reports.dashboard import CheckResult

_DONE = {"SUCCEEDED": True, "FAILED": False}
"""The finished statuses of an AssetCheckExecutionRecord (by value: the enum is not public)."""


def latest_check_results(context: dg.AssetExecutionContext) -> list[CheckResult]:
    """(asset, check, passed, severity) of each check's latest finished evaluation in the
    instance; checks never run, or still running, are left out."""
    # (the job's asset graph: a UI run has the repository's, but a run executed in process,
    # as `codex-assets demo` does, has only the job's, which holds every check it could run)
    keys = list(context.job_def.asset_layer.asset_graph.asset_check_keys)
    records = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    results = []
    for key, record in records.items():
        if record.status.value not in _DONE:
            continue
        event = record.event.dagster_event if record.event else None
        evaluation = event.asset_check_evaluation_data if event else None
        severity = evaluation.severity.value.lower() if evaluation else ""
        results.append(
            (key.asset_key.to_user_string(), key.name, _DONE[record.status.value], severity)
        )
    return sorted(results)
