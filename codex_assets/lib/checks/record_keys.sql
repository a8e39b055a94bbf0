-- The distinct keys of `record` in each object the typed SQL reads into, per Parquet file of
-- $files (one partition file a day): column_schema_unchanged compares them with the fields
-- that SQL reads (codex_assets/lib/checks/record_fields.py, which fills the two slots: the
-- objects' names, '' for the top level, then 'totals', 'clients[]'...; and one list of keys
-- per object in the same order, from json_keys, each array's elements' keys flattened).
-- json_keys rather than json_group_structure: it lists keys without building the type of
-- every value, 6x faster on the compliance log, whose values are long texts.
WITH levels AS (
    SELECT filename, unnest({levels}) AS level, unnest({keys}) AS keys
    FROM read_parquet($files, union_by_name = true, filename = true)
)
SELECT DISTINCT filename, level, unnest(keys) AS key
FROM levels
