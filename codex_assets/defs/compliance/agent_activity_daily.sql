-- marts.compliance_agent_activity_daily for the UTC days $days (the events' own dates): the
-- events attributed to an agent identity, per day, user and agent. An event counts when it
-- names an agent at all (any of agent.type, id, name); events naming none are left out.
SELECT
    timestamp::DATE AS day,
    user_id,
    agent_type,
    agent_id,
    agent_name,
    count(*) AS events,
    count(DISTINCT session_id) AS sessions
FROM restricted.compliance_events
WHERE timestamp::DATE IN (SELECT unnest($days::DATE[]))
  AND (agent_type IS NOT NULL OR agent_id IS NOT NULL OR agent_name IS NOT NULL)
GROUP BY ALL
