-- State behind streaks and user_activity: each user's runs of consecutive active days
-- (surface `all`) as [run_start, run_end], with the last email seen in the run. Run inside the
-- usage_user_daily refresh of [$start, $end], after that range's rows are replaced. Only runs
-- that overlap or touch the range are rewritten, from their parts outside the range (active by
-- definition, so never re-read) and the range's fresh active days; the cost is the range plus
-- a handful of runs, whatever the length of history or of the streaks.
CREATE OR REPLACE TEMP TABLE mart_runs_next AS
WITH
affected AS (
    SELECT user_id, run_start, run_end, email
    FROM marts.user_active_runs
    WHERE run_end >= $start::DATE - 1 AND run_start <= $end::DATE + 1
),

kept AS (
    SELECT
        user_id,
        run_start AS piece_start,
        least(run_end, $start::DATE - 1) AS piece_end,
        email
    FROM affected
    WHERE run_start < $start
    UNION ALL
    SELECT
        user_id,
        greatest(run_start, $end::DATE + 1) AS piece_start,
        run_end AS piece_end,
        email
    FROM affected
    WHERE run_end > $end
),

fresh_days AS (
    SELECT user_id, day, any_value(email) AS email
    FROM marts.usage_user_daily
    WHERE day BETWEEN $start AND $end AND surface = 'all' AND is_active AND user_id IS NOT NULL
    GROUP BY user_id, day
),

-- Gaps and islands: consecutive days share day - row_number.
fresh AS (
    SELECT
        user_id,
        min(day) AS piece_start,
        max(day) AS piece_end,
        arg_max(email, day) FILTER (WHERE email IS NOT NULL) AS email
    FROM (
        SELECT
            *,
            day - (row_number() OVER (PARTITION BY user_id ORDER BY day))::INTEGER AS island
        FROM fresh_days
    )
    GROUP BY user_id, island
),

pieces AS (
    SELECT * FROM kept
    UNION ALL
    SELECT * FROM fresh
),

-- A piece starts a new run unless it touches or overlaps the pieces before it.
flagged AS (
    SELECT
        *,
        CASE
            WHEN piece_start <= max(piece_end) OVER (
                PARTITION BY user_id ORDER BY piece_start, piece_end
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) + 1 THEN 0
            ELSE 1
        END AS starts_run
    FROM pieces
),

numbered AS (
    SELECT
        *,
        sum(starts_run) OVER (
            PARTITION BY user_id ORDER BY piece_start, piece_end ROWS UNBOUNDED PRECEDING
        ) AS run_number
    FROM flagged
)

SELECT
    user_id,
    min(piece_start) AS run_start,
    max(piece_end) AS run_end,
    arg_max(email, piece_end) FILTER (WHERE email IS NOT NULL) AS email
FROM numbered
GROUP BY user_id, run_number;

DELETE FROM marts.user_active_runs
WHERE run_end >= $start::DATE - 1 AND run_start <= $end::DATE + 1;

INSERT INTO marts.user_active_runs BY NAME
SELECT user_id, run_start, run_end, email FROM mart_runs_next;

DROP TABLE mart_runs_next;
