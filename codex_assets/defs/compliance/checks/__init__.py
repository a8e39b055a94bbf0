"""The compliance log's checks: are its files all there, unaltered, and on time? (docs/checks.md)

- specs.py          each check described once: the Dagster description and the docs
- asset_checks.py   the Dagster definitions: freshness (with the API's max_event_time),
                    paging_complete, and the files and validity step
- files.py          listed vs landed files, checksums, files in their day (+ their .sql)
- freshness.py      the freshness rule beside the lake's and the API's newest events
- tables.py         the log as the checks read it (its lines parsed, its token counts)

What compares the log with the analytics API is in defs/reconciliation/checks/.
"""
