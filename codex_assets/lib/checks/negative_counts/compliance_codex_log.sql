-- Token counts below zero in raw.compliance_codex_log: one row per offending value
-- (day, row_label, column_name, value). NULLs (events without token usage) are skipped.
WITH counts AS (
    SELECT
        day,
        {row_label} AS row_label,
        input_tokens,
        cached_input_tokens,
        output_tokens,
        reasoning_output_tokens
    FROM raw.compliance_codex_log
)

SELECT day, row_label, column_name, value
FROM (UNPIVOT counts ON COLUMNS(* EXCLUDE (day, row_label)) INTO NAME column_name VALUE value)
WHERE value < 0
ORDER BY day, row_label, column_name
