-- One row per day, model and speed: the per-model breakdown of raw.usage_workspace.
SELECT day, unnest(models, recursive := true)
FROM raw.usage_workspace
