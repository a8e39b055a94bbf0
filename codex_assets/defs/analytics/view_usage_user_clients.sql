-- One row per user, day and client: the per-client breakdown of raw.usage_users.
SELECT day, user_id, email, unnest(clients, recursive := true)
FROM raw.usage_users
