"""Asset checks: is each day on time, whole and consistent? (docs/checks.md)

- freshness.py       partition freshness checks + their sensor, asset freshness policies
- completeness.py    paging complete, a workspace row every day, no unloaded day
- validity.py        no negative counts, no duplicate keys, rows in their day, schema unchanged
- reconciliation.py  per-user vs workspace, breakdowns vs totals, Code Review counts
- compliance.py      compliance files listed vs landed, checksums, responses per turn
- support.py         the checked assets, the days a check reads, outcome -> AssetCheckResult

The check logic itself is plain Python in `codex_assets/lib/checks/`.
"""
