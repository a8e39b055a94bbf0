-- Log files in a raw.compliance_codex_log partition that do not belong to its day: a file is
-- day D's when its end_time is in (D 00:00, D+1 00:00] UTC, and every line's stored `day` must
-- be the partition's (`partition_day`, from the file's day=YYYY-MM-DD directory). One row per
-- offending file.
SELECT
    partition_day AS day,
    file_id,
    file_name,
    min(file_end_time) AS file_end_time,
    min(day) AS row_day,
    count(*) AS lines
FROM raw.compliance_codex_log
WHERE
    day IS DISTINCT FROM partition_day
    OR file_end_time IS NULL
    OR file_end_time <= partition_day::TIMESTAMP
    OR file_end_time > partition_day::TIMESTAMP + INTERVAL 1 DAY
GROUP BY partition_day, file_id, file_name
ORDER BY day, file_name
