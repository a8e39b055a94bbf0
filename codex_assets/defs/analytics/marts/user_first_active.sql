-- State behind `new_users`: each user's first active day per surface (and `all`) over all
-- loaded history, one row per (user, surface). Run inside the usage_user_daily refresh of
-- [$start, $end], after that range's rows are replaced, so it costs the range, not history:
-- it rewrites only pairs active in the range, or whose stored first day lies in the range.
CREATE OR REPLACE TEMP TABLE mart_first_active_next AS
WITH
in_range AS (
    SELECT user_id, surface, min(day) AS first_day
    FROM marts.usage_user_daily
    WHERE day BETWEEN $start AND $end AND is_active AND user_id IS NOT NULL
    GROUP BY user_id, surface
),

-- Stored first days inside the range of pairs no longer active there (a restatement removed
-- that activity): their first active day, if they have one, is after the range.
orphaned AS (
    SELECT user_id, surface FROM marts.user_first_active
    WHERE first_active_day BETWEEN $start AND $end
    EXCEPT
    SELECT user_id, surface FROM in_range
),

later AS (
    SELECT u.user_id, u.surface, min(u.day) AS first_day
    FROM marts.usage_user_daily AS u
    SEMI JOIN orphaned AS o ON u.user_id = o.user_id AND u.surface = o.surface
    WHERE u.day > $end AND u.is_active
    GROUP BY u.user_id, u.surface
),

-- A stored first day outside the range still counts: an earlier one wins over the range, and
-- a later one (days backfilled out of order) loses to it.
kept AS (
    SELECT f.user_id, f.surface, f.first_active_day AS first_day
    FROM marts.user_first_active AS f
    SEMI JOIN in_range AS r ON f.user_id = r.user_id AND f.surface = r.surface
    WHERE f.first_active_day NOT BETWEEN $start AND $end
),

candidates AS (
    SELECT * FROM in_range
    UNION ALL
    SELECT * FROM later
    UNION ALL
    SELECT * FROM kept
)

SELECT user_id, surface, min(first_day) AS first_active_day
FROM candidates
GROUP BY user_id, surface;

DELETE FROM marts.user_first_active AS f
WHERE f.first_active_day BETWEEN $start AND $end
    OR EXISTS (
        SELECT 1 FROM mart_first_active_next AS n
        WHERE n.user_id = f.user_id AND n.surface = f.surface
    );

INSERT INTO marts.user_first_active BY NAME
SELECT user_id, surface, first_active_day FROM mart_first_active_next;

DROP TABLE mart_first_active_next;
