-- What the export of each day of $days must hold, as one string per day: the number of events
-- first delivered on that partition day and an order-independent hash of their ids and files.
-- The export records it in its Parquet footer; a footer that no longer matches is stale (an
-- out-of-order load moved some of the day's events to an earlier day).
SELECT
    days.day,
    count(events.day) || ':' || coalesce(bit_xor(hash(events.event_id, events.file_id)), 0)
        AS fingerprint
FROM (SELECT unnest($days::DATE[]) AS day) AS days
LEFT JOIN restricted.compliance_events AS events ON events.day = days.day
GROUP BY days.day
