-- Agent identity usage: the compliance events attributed to an agent (CODEX_LOG.agent), per
-- UTC day and agent, with the users it acted for.
SELECT
    day,
    coalesce(agent_name, agent_id, agent_type, 'unnamed') AS agent,
    sum(events) AS events,
    count(DISTINCT user_id) AS users
FROM marts.compliance_agent_activity_daily
GROUP BY ALL
ORDER BY day, agent
