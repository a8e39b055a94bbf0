-- Which of the tables the compliance panels read exist: they are built only where the
-- Compliance API is configured, and the page says "not available" for the others.
SELECT schema_name || '.' || table_name AS name
FROM duckdb_tables()
WHERE database_name = current_database()
  AND schema_name || '.' || table_name IN (
      'marts.access_token_events', 'marts.compliance_agent_activity_daily'
  )
