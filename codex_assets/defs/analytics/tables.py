"""The raw tables: which API endpoint fills each, and which breakdown views sit on top.

One place that names them, so the assets, the warehouse views, the CLI summary and the tests
agree on what "raw" contains.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawTable:
    """A lake table (`lake/<name>/day=.../data.parquet`) exposed as the view `raw.<name>`."""

    name: str
    endpoint: str
    description: str
    breakdown_views: tuple[str, ...] = ()


ANALYTICS_RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        name="usage_users",
        endpoint="usage",
        description=(
            "Daily Codex usage per user (threads, turns, credits, tokens) with the per-client "
            "and per-model breakdowns and code attribution, from GET .../usage."
        ),
        breakdown_views=("usage_user_clients", "usage_user_models"),
    ),
    RawTable(
        name="usage_workspace",
        endpoint="usage_workspace",
        description=(
            "Daily Codex usage for the whole workspace with its per-client and per-model "
            "breakdowns, from GET .../usage?group=workspace."
        ),
        breakdown_views=("usage_workspace_clients", "usage_workspace_models"),
    ),
    RawTable(
        name="code_reviews",
        endpoint="code_reviews",
        description=(
            "Daily Codex Code Review activity: pull requests reviewed, comments and their "
            "P0/P1/P2 priority, from GET .../code_reviews."
        ),
    ),
    RawTable(
        name="code_review_responses",
        endpoint="code_review_responses",
        description=(
            "Daily engagement with Codex review comments on merged pull requests: replies, "
            "reactions, engaged comments, from GET .../code_review_responses."
        ),
    ),
)
