-- One row per day and client: the per-client breakdown of raw.usage_workspace.
SELECT day, unnest(clients, recursive := true)
FROM raw.usage_workspace
