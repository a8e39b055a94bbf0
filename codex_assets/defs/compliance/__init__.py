"""Compliance logs, from verified files to the restricted warehouse (plain Python, no Dagster).

- `ingest`: land each day's CODEX_LOG files into the lake, file by file (bounded memory);
- `warehouse`: the DuckDB views over the lake and `restricted.compliance_events` (deduplicated);
- `marts`: `marts.compliance_activity_daily`, `marts.compliance_agent_activity_daily` and
  `marts.access_token_events` (no text, no emails);
- `findings`: `restricted.secret_findings`, a DLP scan of prompts, responses and tool inputs;
- `export`: the SIEM/eDiscovery export (JSONL and Parquet, one byte-stable file per day);
- `retention`: `CODEX_COMPLIANCE_RETENTION_DAYS`, which purges old partitions and their rows;
- `privacy`: owner-only permissions on everything that holds restricted data.

See docs/compliance.md for the rules each implements.
"""
