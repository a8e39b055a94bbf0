"""`marts.review_impact_daily` (SQL: review_impact_daily.sql): Codex Code Review per day, and
how people engaged with its comments on the pull requests merged that day."""

from __future__ import annotations

from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.defs.analytics.marts.columns import CR, CRR, col, day, mart_spec, ratio
from codex_assets.lib.tables import Column, refs


def _count(name: str, table: str, raw: str, description: str) -> Column:
    return col(
        name,
        "BIGINT",
        f"{description} (0 on a day without a row).",
        refs(table, raw),
        nullable=False,
    )


SPEC = mart_spec(
    "review_impact_daily",
    (
        "Codex Code Review per day (every day of the range present): reviews and findings by "
        "priority, and how people engaged with the comments on pull requests merged that day."
    ),
    grain=("day",),
    refresh="daily",
    upstream=(CR, CRR),
    unit_test="tests/unit/test_marts_review.py",
    columns=(
        day(CR, CRR),
        _count("pull_request_reviews", CR, "pull_request_reviews", "Pull requests Codex reviewed"),
        _count("comments", CR, "comments", "Review comments Codex made"),
        _count("p0", CR, "p0", "Comments of priority P0"),
        _count("p1", CR, "p1", "Comments of priority P1"),
        _count("p2", CR, "p2", "Comments of priority P2"),
        ratio(
            "comments_per_review",
            "comments / pull_request_reviews.",
            refs(CR, "comments", "pull_request_reviews"),
        ),
        _count(
            "merged_pull_request_reviews",
            CRR,
            "pull_request_reviews",
            "Reviewed pull requests merged that day",
        ),
        _count(
            "merged_comments",
            CRR,
            "comments",
            "Codex comments on the pull requests merged that day",
        ),
        _count("replies", CRR, "replies", "Replies to those comments"),
        _count("reactions", CRR, "reactions", "Reactions to those comments"),
        _count("engaged_comments", CRR, "engaged", "Comments with at least one reaction or reply"),
        _count("reacted_comments", CRR, "reacted", "Comments with at least one reaction"),
        _count("replied_comments", CRR, "replied", "Comments with at least one reply"),
        _count("upvoted_comments", CRR, "upvoted", "Comments with at least one +1"),
        _count("downvoted_comments", CRR, "downvoted", "Comments with at least one -1"),
        _count(
            "reacted_other_comments",
            CRR,
            "reacted_other",
            "Comments with a reaction other than +/-1",
        ),
        ratio("engagement_rate", d.ENGAGEMENT_RATE, refs(CRR, "engaged", "comments")),
        _count("upvotes", CRR, "upvotes", "+1 reactions"),
        _count("downvotes", CRR, "downvotes", "-1 reactions"),
        _count("other_reactions", CRR, "other_reactions", "Reactions other than +/-1"),
        ratio("net_sentiment", d.NET_SENTIMENT, refs(CRR, "upvotes", "downvotes")),
    ),
)
