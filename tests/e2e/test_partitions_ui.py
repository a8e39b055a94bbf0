"""What the UI shows of each partition, over the real webserver's GraphQL API, after the
session's daemon-run backfill (tests/e2e/conftest.py): each day's own row count, equal to that
day's rows in DuckDB, and materialized exactly the days the backfill landed, none before."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
import pytest

from codex_assets.definitions import defs
from codex_assets.defs.partitions import compliance_partitions, daily_partitions
from codex_assets.lib.api_windows import ANALYTICS_SLA, COMPLIANCE_SLA
from codex_assets.lib.lake import Lake
from tests.support.partition_rows import PartitionRows

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

PARTITIONS = """
query($partitions: [String!]) {
  assetNodes {
    assetKey { path }
    isPartitioned
    partitionStats { numMaterialized numFailed numPartitions }
    assetPartitionStatuses {
      ... on TimePartitionStatuses { ranges { status startKey endKey } }
    }
    assetMaterializations(partitions: $partitions) {
      partition
      metadataEntries { label ... on IntMetadataEntry { intValue } }
    }
  }
}"""


@pytest.fixture(scope="module")
def shown(backfilled):
    """Each daily asset's partitions as the webserver reports them, and DuckDB's rows."""
    days = backfilled["days"]
    before = (date.fromisoformat(days[0]) - timedelta(days=1)).isoformat()
    data = backfilled["dagster"].graphql(PARTITIONS, {"partitions": [before, *days]})
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"] if n["isPartitioned"]}
    data_dir = backfilled["root"] / "data"
    with Lake(data_dir / "lake").connect(str(data_dir / "codex.duckdb"), read_only=True) as conn:
        rows = PartitionRows(conn)
    return nodes, rows, days, before


def test_each_partition_shows_that_days_row_count(shown):
    nodes, rows, days, _ = shown
    assert set(rows.keys) <= set(nodes)
    for key in rows.keys:
        counts = {}
        for event in nodes[key]["assetMaterializations"]:
            entries = {e["label"]: e.get("intValue") for e in event["metadataEntries"]}
            counts.setdefault(event["partition"], entries["dagster/row_count"])  # latest first
        assert counts == {day: rows.expected(key, day) for day in days}, key
    users = [rows.expected("raw/usage_users", day) for day in days]
    assert all(users)  # the rich workspace is active every day: real counts, compared


def test_materialized_exactly_the_days_landed(shown):
    nodes, _, days, before = shown
    for key, node in nodes.items():
        ranges = node["assetPartitionStatuses"]["ranges"]
        assert [(r["status"], r["startKey"], r["endKey"]) for r in ranges] == [
            ("MATERIALIZED", days[0], days[-1])
        ], key
        assert node["partitionStats"]["numMaterialized"] == len(days), key
        assert node["partitionStats"]["numFailed"] == 0, key
        # The day before the backfill holds no data and shows none.
        assert before not in {e["partition"] for e in node["assetMaterializations"]}, key


def test_each_set_shows_only_days_its_api_can_fill(shown):
    """Issue 14: no partition a fresh install can never fill. The webserver shows 90 analytics
    partitions (the API's 90 days) and 29 compliance ones (the days whose files are all still
    kept), the sets this process resolves too (the same start in every process)."""
    nodes, _, _, _ = shown
    graph = defs().resolve_asset_graph()
    expected = {
        daily_partitions: ANALYTICS_SLA.lookback_days,
        compliance_partitions: COMPLIANCE_SLA.lookback_days - 1,
    }
    shown_counts = {key: node["partitionStats"]["numPartitions"] for key, node in nodes.items()}
    for key, count in shown_counts.items():
        partitions_def = graph.get(dg.AssetKey(key.split("/"))).partitions_def
        assert count == expected[partitions_def] == len(partitions_def.get_partition_keys()), key
    assert {shown_counts["raw/usage_users"], shown_counts["raw/compliance_codex_log"]} == {90, 29}
