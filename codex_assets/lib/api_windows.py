"""The two APIs' time windows (`Sla`): when a day is final, when it is due, how far back it is
served. Defined once here, below both source slices, because the partition sets
(defs/partitions.py), which both slices import, start where these windows begin; each slice's
`window.py` re-exports its own and holds the rules built on it.
"""

from __future__ import annotations

from datetime import timedelta

from codex_assets.lib.checks.sla import Sla

ANALYTICS_SLA = Sla(
    name="analytics",
    ready_after=timedelta(hours=12),
    due_after=timedelta(hours=14),
    lookback_days=90,
)
"""Day D is final at D+1 12:00 UTC (the documented 12-hour lag) and due, loaded, by D+1 14:00
UTC (the daily run starts at 12:30). The API serves any day starting within the last 90
(codex-api.md, "Analytics API")."""

COMPLIANCE_SLA = Sla(
    name="compliance",
    ready_after=timedelta(hours=1),
    due_after=timedelta(hours=2),
    lookback_days=30,
    whole_day_retention=True,
)
"""A day's files are all published an hour after it ends (the documented p99 is 30 minutes), it
is due by D+1 02:00 UTC, and files are kept 30 days after they end (codex-api.md, "Compliance
API"), so a day can be refilled only while all of it is younger than that."""
