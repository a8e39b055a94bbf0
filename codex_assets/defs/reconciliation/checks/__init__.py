"""Where the two sources meet: the checks that compare the compliance log with the analytics
API, and the freshness wiring that spans both. (docs/checks.md)

- specs.py          each check described once: the Dagster description and the docs
- asset_checks.py   the Dagster definitions: responses per turn, and the compliance log's
                    coverage (capped by what `codex-assets backfill` can load now)
- responses.py      responses per analytics turn in a band (+ responses_vs_turns_*.sql)
- freshness.py      the freshness sensor over every source, the policies, the backfill's exclusion
- docs.py           docs/checks.md's tables and the README's, generated from every slice's specs
"""
