-- Keys of raw.{table} that appear more than once at the table's grain ({keys}), or that have a
-- missing (NULL) key column: either would double count or drop rows in every mart.
SELECT
    {keys},
    count(*) AS copies,
    CASE WHEN {null_keys} THEN 'missing key' ELSE 'duplicate' END AS problem
FROM raw.{table}
GROUP BY {keys}
HAVING count(*) > 1 OR {null_keys}
ORDER BY {keys}
