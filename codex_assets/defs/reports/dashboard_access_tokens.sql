-- Access-token usage as the compliance log shows it: tokens created and revoked per UTC day
-- (no API counts a token's use: reference/codex-api.md, "2026-12 additions").
SELECT
    timestamp::DATE AS day,
    count(*) FILTER (WHERE action = 'created') AS created,
    count(*) FILTER (WHERE action = 'revoked') AS revoked
FROM marts.access_token_events
GROUP BY ALL
ORDER BY day
