-- marts.restatements before any re-load changed a value: the same columns, no rows.
SELECT
    NULL::DATE AS day,
    NULL::VARCHAR AS table_name,
    NULL::VARCHAR AS key,
    NULL::VARCHAR AS column_name,
    NULL::DOUBLE AS old_value,
    NULL::DOUBLE AS new_value,
    NULL::DOUBLE AS delta,
    NULL::VARCHAR AS run_id,
    NULL::TIMESTAMP AS detected_at
WHERE false
