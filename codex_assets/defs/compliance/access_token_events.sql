-- marts.access_token_events: every access-token event (already deduplicated upstream).
SELECT
    event_id,
    timestamp,
    CASE event_type WHEN 'ACCESS_TOKEN_CREATED' THEN 'created' ELSE 'revoked' END AS action,
    access_token_id,
    access_token_name,
    created_by_user_id,
    user_id AS actor_user_id,
    expires_at
FROM restricted.compliance_events
WHERE event_type IN ('ACCESS_TOKEN_CREATED', 'ACCESS_TOKEN_REVOKED')
