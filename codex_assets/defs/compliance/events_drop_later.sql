-- After [$start, $end] is (re)loaded: a later partition's copy of an event now held from the
-- range is a duplicate; drop it so each event stays once, at its first delivery.
DELETE FROM restricted.compliance_events AS later
WHERE later.day > $end
  AND later.event_id IN (
      SELECT event_id FROM restricted.compliance_events
      WHERE day BETWEEN $start AND $end AND event_id IS NOT NULL
  )
