-- The newest event time (UTC, as TIMESTAMP) among the compliance log lines of $files (the
-- Parquet partitions of raw.compliance_codex_log), for the freshness check. Only `timestamp`
-- is extracted from each verbatim line (no full parse), and converted as
-- view_restricted_codex_log.sql does: a stamp with an offset (the contract's `Z`) is
-- converted to UTC, one without is taken as UTC. NULL when the files hold no timed event.
SELECT max(
    CASE
        WHEN regexp_matches(stamp, '([zZ]|[+-]\d{2}:?\d{2})$')
            THEN timezone('UTC', try_cast(stamp AS TIMESTAMPTZ))
        ELSE try_cast(stamp AS TIMESTAMP)
    END
) AS newest_event
FROM (
    SELECT json_extract_string(record, '$.timestamp') AS stamp
    FROM read_parquet($files, union_by_name = true, hive_partitioning = false)
)
