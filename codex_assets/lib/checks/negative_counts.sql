-- Counts below zero in raw.{table} ({columns}): one row per offending value
-- (day, row_label, column_name, value). NULLs ("unavailable", or an event without the count)
-- are skipped (UNPIVOT drops them).
WITH counts AS (
    SELECT day, {row_label} AS row_label, {columns}
    FROM raw.{table}
)

SELECT day, row_label, column_name, value
FROM (UNPIVOT counts ON COLUMNS(* EXCLUDE (day, row_label)) INTO NAME column_name VALUE value)
WHERE value < 0
ORDER BY day, row_label, column_name
