-- The SIEM/eDiscovery export of partition $day: its deduplicated events (each event once
-- across all exports: in the file of the day that first delivered it), in a stable order.
SELECT *
FROM restricted.compliance_events
WHERE day = $day
ORDER BY timestamp, event_id
