-- restricted.compliance_codex_log: every landed line of every CODEX_LOG file, duplicates
-- included, with the verbatim event (`record`) and the actor's email. Restricted: the raw
-- events hold prompt, response and tool text. `lake_file` and `lake_row` locate a line in the
-- lake (used to pick one copy of each event without carrying every column through the dedup).
SELECT
    * EXCLUDE (filename, file_row_number),
    filename AS lake_file,
    file_row_number AS lake_row
FROM read_parquet(
    '__LAKE_GLOB__',
    union_by_name = true,
    hive_partitioning = false,
    filename = true,
    file_row_number = true
)
