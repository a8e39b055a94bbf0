"""The analytics raw assets' checks: is each day on time, whole and consistent? (docs/checks.md)

- specs.py           each check described once: the Dagster description and the docs
- asset_checks.py    the Dagster definitions: freshness, completeness, validity, reconciliation
- tables.py          the four raw tables as the checks read them (grain, counts, typed SQL)
- partition_day.py   every row is its partition's day (+ rows_outside_partition.sql)
- reconciliation.py  what the API reports twice agrees (+ its .sql)

The rules every source shares (paging, coverage, counts, keys, schema) are in lib/checks/.
"""
