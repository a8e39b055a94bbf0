-- The values that changed when a raw partition was re-loaded: one row per (key, column).
-- restatement_old / restatement_new: temp tables with a VARCHAR `key` and the table's numeric
-- columns as DOUBLE (the partition before and after the re-load). UNPIVOT drops NULLs, so a
-- value that appeared, disappeared or changed shows up through the full join; equal values
-- and NULL on both sides do not.
WITH
old_long AS (
    UNPIVOT restatement_old ON COLUMNS(* EXCLUDE (key)) INTO NAME column_name VALUE value
),
new_long AS (
    UNPIVOT restatement_new ON COLUMNS(* EXCLUDE (key)) INTO NAME column_name VALUE value
)
SELECT
    $day::DATE AS day,
    $table_name::VARCHAR AS table_name,
    key,
    column_name,
    o.value AS old_value,
    n.value AS new_value,
    n.value - o.value AS delta,
    $run_id::VARCHAR AS run_id,
    $detected_at::TIMESTAMP AS detected_at
FROM old_long AS o
FULL OUTER JOIN new_long AS n USING (key, column_name)
WHERE o.value IS DISTINCT FROM n.value
ORDER BY key, column_name
