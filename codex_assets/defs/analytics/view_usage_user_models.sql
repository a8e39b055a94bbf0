-- One row per user, day, model and speed: the per-model breakdown of raw.usage_users.
SELECT day, user_id, email, unnest(models, recursive := true)
FROM raw.usage_users
