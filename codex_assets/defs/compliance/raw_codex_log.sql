-- CODEX_LOG lines from verified compliance log files, one row per line (duplicates kept).
-- $paths: the JSONL files of one batch (each a verified download); $files: one struct per
-- file (filename, file_id, file_name, file_end_time, file_sha256); $day: the partition (the day
-- the file's end_time falls in, (D 00:00, D+1 00:00]); $loaded_at: now (UTC).
--
-- Each line is kept verbatim in `record`, unknown fields included: it is the lossless copy.
-- Nothing is parsed out of it here. The typed columns (event id, type, user, tokens, text) are
-- extracted when the lake is read (view_restricted_codex_log.sql), because landing is the step
-- that races the API's 30-day expiry and parsing was half its time: on a million-event day,
-- one from_json per line cost 2-3 s of the 8 s landing (benchmarks/compliance_ingest.py).
--
-- Rows are stored in one fixed order, so two identical runs write the same partition (DuckDB's
-- parallel scan otherwise interleaves files differently each time): by file (its end time, then
-- its id, unique in the listing) and, within a file, by the verbatim line. That is a full key:
-- rows tied on it are byte-identical lines of one file, whose order cannot be told apart.
WITH lines AS (
    SELECT filename, json AS record
    FROM read_json_objects($paths, format = 'newline_delimited', filename = true)
),
files AS (
    SELECT unnest($files, recursive := true)
)
SELECT
    $day::DATE AS day,
    record,
    files.file_id::VARCHAR AS file_id,
    files.file_name::VARCHAR AS file_name,
    files.file_end_time::TIMESTAMP AS file_end_time,
    files.file_sha256::VARCHAR AS file_sha256,
    $loaded_at::TIMESTAMP AS loaded_at
FROM lines
JOIN files USING (filename)
ORDER BY files.file_end_time, files.file_id, record
