"""Build the analytics marts: create their tables, and refresh one for a range of days.

The refresh itself is the one every mart takes (`codex_assets.lib.refresh.rebuild`: delete the
range, insert what the mart's SQL returns, update the state tables, record it, in one
transaction). What is analytics' own is set up here, before it: the surfaces file and the
directory are loaded into the connection as temp tables (`mart_surface_map`,
`mart_directory`) and the shared rules as temp macros, so the SQL joins and calls them like
anything else, and nothing about them is spelled in Python strings; the price, the surfaces and
the reconciliation tolerance are passed as parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from codex_assets.defs.analytics.marts.definitions import CREDITS_TOLERANCE
from codex_assets.defs.analytics.marts.registry import MARTS, STATE_TABLES
from codex_assets.defs.analytics.pricing import check_usd_per_credit
from codex_assets.defs.analytics.surfaces import REPORTED_SURFACES, SurfaceMap, load_surface_map
from codex_assets.defs.directory.people import Directory, load_directory
from codex_assets.lib.refresh import LEDGER, days_between, rebuild, run_script
from codex_assets.lib.settings import Settings
from codex_assets.lib.sql import read_sql
from codex_assets.lib.tables import TableSpec, ensure_tables


@dataclass(frozen=True)
class MartSettings:
    """What the marts need beyond the raw data: a price, the surfaces file, the directory."""

    usd_per_credit: float | None = None
    surfaces: SurfaceMap = field(default_factory=load_surface_map)
    directory: Directory = field(default_factory=Directory.empty)

    def __post_init__(self) -> None:
        check_usd_per_credit(self.usd_per_credit)

    @classmethod
    def from_settings(cls, settings: Settings) -> MartSettings:
        """From the validated environment: CODEX_USD_PER_CREDIT, CODEX_SURFACES_CSV (the
        packaged default when unset) and CODEX_DIRECTORY_CSV (none when unset). A malformed
        file raises here, before any table is touched."""
        return cls(
            usd_per_credit=settings.usd_per_credit,
            surfaces=load_surface_map(settings.surfaces_csv),
            directory=load_directory(settings.directory_csv),
        )


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create schema `marts`, every analytics mart and state table, and their column comments.

    Idempotent (`codex_assets.lib.tables.ensure_tables`): a table an older version left that
    lacks only the columns this version appends gains them (NULL on the days built before,
    until those days are rebuilt); a table with other columns is not altered but reported
    (`TableSchemaError`, with the fix), before any refresh writes.
    """
    ensure_tables(conn, (*MARTS.values(), *STATE_TABLES.values()))


def refresh_mart(
    conn: duckdb.DuckDBPyConnection,
    mart: str | TableSpec,
    start: date | None = None,
    end: date | None = None,
    settings: MartSettings | None = None,
) -> int:
    """Rebuild `mart` (a name in `MARTS`, or the spec of a mart built on the analytics SQL
    helpers, like the cross-source reconciliation) for the UTC days [start, end] (both
    inclusive); return rows written.

    Daily marts replace exactly those days; `spend_by_team_monthly` replaces the whole months
    the range touches; `user_activity` (a snapshot) ignores `start` and is rebuilt as of `end`,
    or of the last day usage_user_daily was built for when `end` is None. Marts built on
    marts.usage_user_daily expect it to be built for the range (and, for windows, the 27 days
    before it) first: `MARTS` is in that order.
    """
    spec = _spec(mart)
    settings = settings or MartSettings()
    ensure_schema(conn)
    _install_helpers(conn, settings)
    params: dict[str, Any] = {
        "usd_per_credit": settings.usd_per_credit,
        "surfaces": list(REPORTED_SURFACES),
        "credits_tolerance": CREDITS_TOLERANCE,
    }
    if spec.partitioned:
        if start is None or end is None:
            raise ValueError(f"{spec.qualified_name} is partitioned: give start and end days")
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        return rebuild(conn, spec, days_between(start, end), params=params)
    as_of = end or last_loaded_day(conn)
    if as_of is None:
        return 0
    return rebuild(conn, spec, as_of=as_of, params=params)


def refresh_marts(
    conn: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    settings: MartSettings | None = None,
    names: Iterable[str] | None = None,
    marts: Mapping[str, TableSpec] = MARTS,
) -> dict[str, int]:
    """Refresh several of `marts` (all by default) for [start, end], in their order.

    Snapshot marts are rebuilt as of the last loaded day, whatever `end` is.
    """
    wanted = set(marts) if names is None else set(names)
    unknown = wanted - set(marts)
    if unknown:
        raise KeyError(f"no marts named {sorted(unknown)}; the marts are {', '.join(marts)}")
    settings = settings or MartSettings()
    written: dict[str, int] = {}
    for name, spec in marts.items():
        if name in wanted:
            partitioned = spec.partitioned
            written[name] = refresh_mart(
                conn, spec, start if partitioned else None, end if partitioned else None, settings
            )
    return written


def last_loaded_day(conn: duckdb.DuckDBPyConnection) -> date | None:
    """The last day marts.usage_user_daily has been built for (None before the first build).

    Read from the refresh ledger rather than the data, so a last day without any usage still
    counts as loaded.
    """
    ensure_schema(conn)
    row = conn.execute(
        f"SELECT max(partition_day) FROM {LEDGER.qualified_name} WHERE mart = 'usage_user_daily'"
    ).fetchone()
    return row[0] if row else None


def _spec(mart: str | TableSpec) -> TableSpec:
    if isinstance(mart, TableSpec):
        return mart
    spec = MARTS.get(mart)
    if spec is None:
        raise KeyError(f"no mart named {mart!r}; the marts are {', '.join(MARTS)}")
    return spec


def _install_helpers(conn: duckdb.DuckDBPyConnection, settings: MartSettings) -> None:
    """The shared macros, and the surfaces file and directory as temp tables."""
    run_script(conn, read_sql("defs/analytics/marts/_macros.sql"), {})
    rules = settings.surfaces.as_rows()
    people = settings.directory.as_rows()
    run_script(
        conn,
        read_sql("defs/analytics/marts/_lookups.sql"),
        {
            "patterns": [pattern for pattern, _, _ in rules],
            "pattern_surfaces": [surface for _, surface, _ in rules],
            "priorities": [priority for _, _, priority in rules],
            "user_ids": [user_id for user_id, _, _, _ in people],
            "emails": [email for _, email, _, _ in people],
            "teams": [team for _, _, team, _ in people],
            "cost_centres": [cost_centre for _, _, _, cost_centre in people],
        },
    )
