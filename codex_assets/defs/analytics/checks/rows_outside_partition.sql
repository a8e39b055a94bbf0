-- Rows of raw.{table} that do not describe their partition's day: the row's start_time must be
-- 00:00 UTC of the partition day (Unix seconds), end_time exactly one day later, and the stored
-- `day` the partition's. partition_day comes from the file's `day=YYYY-MM-DD` directory.
WITH rows AS (
    SELECT
        partition_day AS day,
        day AS row_day,
        {row_label} AS row_label,
        start_time,
        end_time,
        (partition_day - DATE '1970-01-01') * 86400 AS expected_start_time
    FROM raw.{table}
)

SELECT
    day,
    row_label,
    row_day,
    start_time,
    expected_start_time,
    end_time,
    expected_start_time + 86400 AS expected_end_time
FROM rows
WHERE
    row_day IS DISTINCT FROM day
    OR start_time IS DISTINCT FROM expected_start_time
    OR end_time IS DISTINCT FROM expected_start_time + 86400
ORDER BY day, row_label
