"""A self-contained HTML dashboard over the marts: one file, no JavaScript, no network.

It mirrors the Codex analytics dashboard's key charts (active users by surface, credits by
surface, the user ranking, Code Review findings) so a team can publish or mail it as is.
Charts are inline SVG drawn here rather than with a plotting library: a few polylines do not
justify a dependency, and the file stays readable offline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from html import escape

import duckdb

from codex_assets.lib.sql import read_sql

SURFACE_COLOURS = {
    "all": "#111827",
    "cli": "#2563eb",
    "ide": "#16a34a",
    "cloud": "#9333ea",
    "desktop": "#ea580c",
    "code_review": "#0891b2",
    "other": "#6b7280",
    "p0": "#dc2626",
    "p1": "#f59e0b",
    "p2": "#3b82f6",
}
_WIDTH, _HEIGHT, _PAD = 720, 220, 36


def render_dashboard(conn: duckdb.DuckDBPyConnection, days: int = 90) -> str:
    """The dashboard for the last `days` loaded days, as one HTML document."""
    usage = conn.execute(
        read_sql("defs/reports/workspace_usage_daily.sql"), {"days": days}
    ).fetchall()
    reviews = conn.execute(
        read_sql("defs/reports/code_review_daily.sql"), {"days": days}
    ).fetchall()
    if not usage:
        return _page("Codex usage", "<p>No data loaded yet: run a backfill first.</p>")
    last_day = max(row[0] for row in usage)
    latest = {row[1]: row for row in usage if row[0] == last_day}
    total = latest.get("all")
    cards = [
        ("Active users", total[2] if total else 0, f"on {last_day}"),
        ("WAU", total[4] if total else 0, "7 days ending on the day"),
        ("MAU", total[5] if total else 0, "28 days ending on the day"),
        ("Stickiness", _percent(total[6] if total else None), "active users / MAU"),
    ]
    active = _series(usage, value_index=2)
    credits = _series(usage, value_index=9)
    findings = {
        "p0": [(row[0], row[3]) for row in reviews],
        "p1": [(row[0], row[4]) for row in reviews],
        "p2": [(row[0], row[5]) for row in reviews],
    }
    body = [
        '<div class="cards">',
        *(
            f'<div class="card"><div class="label">{escape(label)}</div>'
            f'<div class="value">{escape(str(value))}</div><div class="note">{escape(note)}</div></div>'
            for label, value, note in cards
        ),
        "</div>",
        _line_chart("Active users by surface", active),
        _line_chart("Credits by surface", credits),
        _line_chart("Code Review comments by priority", findings),
        _table("Top users by credits, last 28 days", conn, "defs/reports/top_users.sql"),
        _table("Users by activity cohort", conn, "defs/reports/cohorts.sql"),
    ]
    return _page(f"Codex usage, {min(r[0] for r in usage)} to {last_day}", "\n".join(body))


def _series(rows: Sequence[tuple], value_index: int) -> dict[str, list[tuple[date, float]]]:
    series: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for row in rows:
        series[row[1]].append((row[0], float(row[value_index] or 0)))
    return dict(series)


def _line_chart(title: str, series: dict[str, list[tuple[date, float]]]) -> str:
    points = [point for values in series.values() for point in values]
    if not points:
        return ""
    first = min(day for day, _ in points)
    span = max((max(day for day, _ in points) - first).days, 1)
    top = max(max(value for _, value in points), 1.0)

    def xy(day: date, value: float) -> str:
        x = _PAD + (day - first).days / span * (_WIDTH - 2 * _PAD)
        y = _HEIGHT - _PAD - value / top * (_HEIGHT - 2 * _PAD)
        return f"{x:.1f},{y:.1f}"

    lines = [
        f'<polyline fill="none" stroke="{SURFACE_COLOURS.get(name, "#6b7280")}" '
        f'stroke-width="1.6" points="{" ".join(xy(d, v) for d, v in sorted(values))}">'
        f"<title>{escape(name)}</title></polyline>"
        for name, values in sorted(series.items())
    ]
    legend = " ".join(
        f'<span style="color:{SURFACE_COLOURS.get(name, "#6b7280")}">&#9632; {escape(name)}</span>'
        for name in sorted(series)
    )
    return (
        f"<h2>{escape(title)}</h2><div class='legend'>{legend}</div>"
        f'<svg viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-label="{escape(title)}">'
        f'<text x="4" y="{_PAD - 8}" class="axis">{top:,.0f}</text>'
        f'<text x="4" y="{_HEIGHT - 8}" class="axis">{first}</text>'
        f'<line x1="{_PAD}" y1="{_HEIGHT - _PAD}" x2="{_WIDTH - _PAD}" y2="{_HEIGHT - _PAD}" stroke="#d1d5db"/>'
        f"{''.join(lines)}</svg>"
    )


def _table(title: str, conn: duckdb.DuckDBPyConnection, sql_file: str) -> str:
    cursor = conn.execute(read_sql(sql_file))
    header = "".join(f"<th>{escape(column[0])}</th>" for column in cursor.description)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in cursor.fetchall()
    )
    return f"<h2>{escape(title)}</h2><table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #111827; max-width: 800px; }}
.cards {{ display: flex; gap: 1rem; flex-wrap: wrap; }}
.card {{ border: 1px solid #e5e7eb; border-radius: 8px; padding: .8rem 1rem; min-width: 140px; }}
.label, .note, .axis {{ color: #6b7280; font-size: .8rem; }} .axis {{ font-size: 11px; fill: #6b7280; }}
.value {{ font-size: 1.6rem; font-weight: 600; }}
table {{ border-collapse: collapse; font-size: .85rem; }} td, th {{ border-bottom: 1px solid #e5e7eb; padding: .25rem .6rem; text-align: left; }}
.legend span {{ margin-right: .8rem; font-size: .85rem; }}
</style></head>
<body><h1>{escape(title)}</h1>
{body}
</body></html>
"""
