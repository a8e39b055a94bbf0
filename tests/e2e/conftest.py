"""The e2e stack and its one backfill, shared by every e2e module (one `dagster dev`, one
simulator, one daemon-run backfill per session: the most expensive thing the tests do)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from codex_assets.defs.analytics.window import latest_complete_day
from tests.e2e.stack import dagster_dev, group_members, simulator_server

DAYS = 3

LAUNCH = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message stack }
    ... on InvalidSubsetError { message }
    ... on PartitionSetNotFoundError { message }
  }
}"""

BACKFILL = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill {
      status
      error { message }
      runs(limit: 100) { runId status tags { key value } }
    }
  }
}"""

NODES = """
query($partitions: [String!]) {
  assetNodes {
    assetKey { path }
    groupName
    isPartitioned
    isMaterializable
    dependencyKeys { path }
    latestMaterializationByPartition(partitions: $partitions) { partition runId }
    assetMaterializations(limit: 1) {
      metadataEntries {
        label
        ... on TableColumnLineageMetadataEntry {
          lineage { columnName columnDeps { assetKey { path } columnName } }
        }
      }
    }
    assetChecksOrError {
      ... on AssetChecks {
        checks {
          name
          partitionDefinition { description }
          executionForLatestMaterialization { status runId evaluation { success } }
        }
      }
    }
  }
}"""

FAST_PACING = {
    "CODEX_COMPLIANCE_DOWNLOADS_PER_MINUTE": "6000",
    "CODEX_API_REQUESTS_PER_MINUTE": "6000",
}
"""The client's own pacing, raised for the loopback simulator (which enforces no quota).

At the real API's documented 50 downloads a minute, the ~250 compliance log files of three
days for 40 users take five minutes of waiting by design: that pacing is what the unit tests
of the HTTP client cover, not what this test is about. Everything else (HTTP, the daemon, the
run queue, pools, run processes) is the production path."""

TERMINAL = {"COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED", "COMPLETED"}


def _key(path: list[str]) -> str:
    return "/".join(path)


@pytest.fixture(scope="session")
def backfilled(tmp_path_factory):
    """The stack, with a backfill of the last DAYS complete days run by the daemon."""
    root = tmp_path_factory.mktemp("e2e")
    started = time.monotonic()
    with simulator_server(users=40, seed=5, log=root / "simulator.log") as api_env:
        env = {**api_env, **FAST_PACING, "CODEX_DATA_DIR": str(root / "data")}
        with dagster_dev(env, root / "dagster_home", root / "dagster.log") as dagster:
            print(f"\ndagster dev up after {time.monotonic() - started:.0f}s")
            end = latest_complete_day(datetime.now(UTC))
            days = [(end - timedelta(days=i)).isoformat() for i in reversed(range(DAYS))]
            nodes = dagster.graphql(
                "{ assetNodes { assetKey { path } isMaterializable isPartitioned } }"
            )
            # Each asset with its own days: the analytics and compliance assets have their own
            # partition sets, so `partitionNames` (one set for every root) is refused.
            by_asset = [
                {
                    "assetKey": {"path": n["assetKey"]["path"]},
                    "partitions": (
                        {"range": {"start": days[0], "end": days[-1]}}
                        if n["isPartitioned"]
                        else None
                    ),
                }
                for n in nodes["assetNodes"]
                if n["isMaterializable"]
            ]
            launched = dagster.graphql(
                LAUNCH,
                {
                    "params": {
                        "partitionsByAssets": by_asset,
                        "title": "e2e: the last days",
                        "fromFailure": False,
                    }
                },
            )["launchPartitionBackfill"]
            assert launched["__typename"] == "LaunchBackfillSuccess", launched
            backfill = _wait_for_backfill(dagster, launched["backfillId"], timeout=300)
            print(f"backfill {backfill['status']} after {time.monotonic() - started:.0f}s")
            data = dagster.graphql(NODES, {"partitions": days})
            yield {
                "dagster": dagster,
                "days": days,
                "backfill": backfill,
                "nodes": {_key(n["assetKey"]["path"]): n for n in data["assetNodes"]},
                "started": started,
                "root": root,
            }
        assert not group_members(dagster.process.pid), "dagster dev outlived its teardown"


def _wait_for_backfill(dagster, backfill_id: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        result = dagster.graphql(BACKFILL, {"id": backfill_id})["partitionBackfillOrError"]
        if result.get("status") in TERMINAL:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(
                f"backfill {backfill_id} still {result.get('status')} after {timeout}s: "
                f"{dagster.log.read_text()[-3000:]}"
            )
        time.sleep(1)
