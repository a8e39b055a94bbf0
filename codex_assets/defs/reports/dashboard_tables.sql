-- Which of the tables the dashboard reads exist. The compliance ones are built only where
-- the Compliance API is configured (the page then says "not available"); the others must be.
SELECT schema_name || '.' || table_name AS name
FROM duckdb_tables()
WHERE database_name = current_database()
  AND schema_name IN ('marts', 'raw')
UNION ALL
SELECT schema_name || '.' || view_name
FROM duckdb_views()
WHERE database_name = current_database()
  AND schema_name = 'raw'
