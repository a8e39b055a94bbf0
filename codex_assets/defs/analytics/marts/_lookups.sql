-- The surfaces file and the directory as temp tables the mart SQL joins, loaded from Python
-- lists (codex_assets/defs/analytics/marts/refresh.py) before each refresh.

-- (glob pattern, surface, priority): upper(client_id) GLOB pattern, lowest priority wins.
CREATE OR REPLACE TEMP TABLE mart_surface_map (
    pattern VARCHAR NOT NULL,
    surface VARCHAR NOT NULL,
    priority INTEGER NOT NULL
);

INSERT INTO mart_surface_map
SELECT
    unnest($patterns::VARCHAR[]),
    unnest($pattern_surfaces::VARCHAR[]),
    unnest($priorities::INTEGER[]);

-- One row per person: user_id and/or lower-cased email (each unique), team, cost centre.
CREATE OR REPLACE TEMP TABLE mart_directory (
    user_id VARCHAR,
    email VARCHAR,
    team VARCHAR NOT NULL,
    cost_centre VARCHAR
);

INSERT INTO mart_directory
SELECT
    unnest($user_ids::VARCHAR[]),
    unnest($emails::VARCHAR[]),
    unnest($teams::VARCHAR[]),
    unnest($cost_centres::VARCHAR[]);
