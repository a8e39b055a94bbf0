"""The raw tables: the `TableSpec` of each lake table and breakdown view, and which API
endpoint fills each lake table.

One place that names them, so the assets, the warehouse views, the CLI summary and the tests
agree on what "raw" contains. Their columns are not listed: they are whatever the landing SQL
(`land_<table>.sql`) or the view's SELECT (`view_<view>.sql`) yields (see `lib/tables.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from codex_assets.lib.tables import TableSpec


@dataclass(frozen=True)
class RawTable:
    """A lake table (`lake/<name>/day=.../data.parquet`) exposed as the view `raw.<name>`, the
    endpoint that fills it, and the breakdown views over it."""

    spec: TableSpec
    endpoint: str
    breakdown_views: tuple[TableSpec, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def description(self) -> str:
        return self.spec.description


def _lake_table(name: str, description: str, grain: tuple[str, ...]) -> TableSpec:
    return TableSpec(
        qualified_name=f"raw.{name}",
        description=description,
        grain=grain,
        columns=(),
        landed_by=f"defs/analytics/land_{name}.sql",
    )


def _breakdown_view(name: str, of: str, description: str, grain: tuple[str, ...]) -> TableSpec:
    return TableSpec(
        qualified_name=f"raw.{name}",
        description=description,
        grain=grain,
        columns=(),
        sql_file=f"defs/analytics/view_{name}.sql",
        upstream=(f"raw.{of}",),
    )


ANALYTICS_RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        spec=_lake_table(
            "usage_users",
            "Daily Codex usage per user (threads, turns, credits, tokens) with the per-client "
            "and per-model breakdowns and code attribution, from GET .../usage.",
            grain=("day", "user_id"),
        ),
        endpoint="usage",
        breakdown_views=(
            _breakdown_view(
                "usage_user_clients",
                of="usage_users",
                description="The per-client breakdown of raw.usage_users.",
                grain=("day", "user_id", "client_id"),
            ),
            _breakdown_view(
                "usage_user_models",
                of="usage_users",
                description="The per-model breakdown of raw.usage_users.",
                grain=("day", "user_id", "model", "speed"),
            ),
        ),
    ),
    RawTable(
        spec=_lake_table(
            "usage_workspace",
            "Daily Codex usage for the whole workspace with its per-client and per-model "
            "breakdowns, from GET .../usage?group=workspace.",
            grain=("day",),
        ),
        endpoint="usage_workspace",
        breakdown_views=(
            _breakdown_view(
                "usage_workspace_clients",
                of="usage_workspace",
                description="The per-client breakdown of raw.usage_workspace.",
                grain=("day", "client_id"),
            ),
            _breakdown_view(
                "usage_workspace_models",
                of="usage_workspace",
                description="The per-model breakdown of raw.usage_workspace.",
                grain=("day", "model", "speed"),
            ),
        ),
    ),
    RawTable(
        spec=_lake_table(
            "code_reviews",
            "Daily Codex Code Review activity: pull requests reviewed, comments and their "
            "P0/P1/P2 priority, from GET .../code_reviews.",
            grain=("day",),
        ),
        endpoint="code_reviews",
    ),
    RawTable(
        spec=_lake_table(
            "code_review_responses",
            "Daily engagement with Codex review comments on merged pull requests: replies, "
            "reactions, engaged comments, from GET .../code_review_responses.",
            grain=("day",),
        ),
        endpoint="code_review_responses",
    ),
)

RAW_TABLE_SPECS: dict[str, TableSpec] = {table.name: table.spec for table in ANALYTICS_RAW_TABLES}
