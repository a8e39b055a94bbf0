-- One row per (partition day, log file) landed in raw.compliance_codex_log: the checksum(s)
-- the lines were landed with (one, unless the partition was altered) and how many lines the
-- file gave. A file with no lines leaves no row; the check treats an empty listed file as landed.
SELECT
    partition_day AS day,
    file_id,
    any_value(file_name) AS file_name,
    max(file_end_time) AS file_end_time,
    list_sort(list(DISTINCT file_sha256)) AS checksums,
    count(*) AS lines
FROM raw.compliance_codex_log
GROUP BY partition_day, file_id
ORDER BY day, file_end_time, file_id
