-- How many analytics user-days with turns in $days can be compared with the compliance log
-- (they carry an email) and how many cannot (the API withheld the email).
SELECT
    count(*) FILTER (WHERE email IS NOT NULL) AS matched,
    count(*) FILTER (WHERE email IS NULL) AS unmatched
FROM raw.usage_users
WHERE day IN (SELECT unnest($days::DATE [])) AND turns > 0
