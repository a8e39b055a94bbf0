-- marts.restatements over the restatement log in the lake ($glob: every record file).
SELECT day, table_name, key, column_name, old_value, new_value, delta, run_id, detected_at
FROM read_parquet($glob, hive_partitioning = false, union_by_name = true)
