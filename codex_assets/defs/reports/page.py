"""The dashboard page: one self-contained HTML file, the data, uPlot and the script inline.

The data goes in as gzip-compressed JSON in base64, which the page inflates with the
browser's own `DecompressionStream`: at 10,000 users the ranking's rows are ~5 MB of JSON
and ~1.6 MB compressed, and the page must stay under 3 MB. Compression is deterministic
(`mtime=0`), so the same marts give the same bytes.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
_VENDOR = _HERE / "vendor"
_DATA_OPEN = '<script id="dashboard-data" type="application/gzip+base64">'


def _asset(path: Path) -> str:
    # `</script` inside an inlined script would end it early; uPlot has none, but be sure.
    return path.read_text().replace("</script", "<\\/script")


def encode_data(data: dict[str, Any]) -> str:
    """The page's data: compact JSON, gzip (no timestamp), base64."""
    raw = json.dumps(data, separators=(",", ":"), allow_nan=False).encode()
    return base64.b64encode(gzip.compress(raw, compresslevel=5, mtime=0)).decode()


def decode_data(text: str) -> dict[str, Any]:
    """The inverse of `encode_data`, for tests and tools reading a built page."""
    return json.loads(gzip.decompress(base64.b64decode(text)))


def dashboard_page_data(html: str) -> dict[str, Any]:
    """The data a built page carries (what its script draws from)."""
    start = html.index(_DATA_OPEN) + len(_DATA_OPEN)
    return decode_data(html[start : html.index("</script>", start)].strip())


def render_page(
    data: dict[str, Any], *, subtitle: str, built: str, database: str, quality: str
) -> str:
    """The whole HTML document."""
    days = data.get("days") or []
    title = f"{days[0]} to {days[-1]}" if days else "no data yet"
    replacements = {
        "@TITLE@": escape(title),
        "@SUBTITLE@": escape(subtitle),
        "@BUILT@": escape(built),
        "@DATABASE@": escape(database),
        "@QUALITY@": quality,
        "@UPLOT_CSS@": _asset(_VENDOR / "uPlot.min.css"),
        "@PAGE_CSS@": _asset(_HERE / "dashboard.css"),
        "@UPLOT_JS@": _asset(_VENDOR / "uPlot.iife.min.js"),
        "@PAGE_JS@": _asset(_HERE / "dashboard.js"),
        "@DATA@": encode_data(data),
    }
    html = (_HERE / "dashboard.html").read_text()
    for marker, value in replacements.items():
        html = html.replace(marker, value, 1)
    return html


def quality_html(
    data: dict[str, Any], checks: Sequence[tuple[str, str, bool, str]], freshness: str
) -> str:
    """The data-quality panel: days loaded, idle and missing, partial weeks, freshness and the
    latest result of each asset check (asset, check, passed, severity)."""
    days = data.get("days") or []
    partial = [
        w for w, p in zip(data.get("weeks", []), data.get("week_partial", []), strict=True) if p
    ]
    items = [
        f"<li>Days loaded: <b data-k='quality.days'>{len(days)}</b>"
        + (f" ({escape(days[0])} to {escape(days[-1])})" if days else "")
        + "</li>",
        f"<li>Idle days (loaded, no activity: the API omits them): <b data-k='quality.idle'>"
        f"{len(data.get('idle_days', []))}</b> {_days(data.get('idle_days', []))}</li>",
        f"<li>Missing days (never loaded, between the first and last): <b data-k='quality.missing'>"
        f"{len(data.get('missing_days', []))}</b> {_days(data.get('missing_days', []))}</li>",
        f"<li>Partial weeks (not all seven days loaded): {len(partial)} {_days(partial)}</li>",
        f"<li>Freshness: {escape(freshness)}</li>",
    ]
    if checks:
        failed = [c for c in checks if not c[2]]
        rows = "".join(
            f"<tr><td>{escape(asset)}</td><td>{escape(name)}</td>"
            f"<td>{'pass' if passed else 'FAIL'}</td><td>{escape(severity)}</td></tr>"
            for asset, name, passed, severity in sorted(checks, key=lambda c: (c[2], c[0], c[1]))
        )
        items.append(
            f"<li>Asset checks, latest results: <b data-k='quality.checks'>"
            f"{len(checks) - len(failed)}/{len(checks)}</b> passed</li>"
        )
        table = (
            "<div class='scroll'><table><thead><tr><th>Asset</th><th>Check</th><th>Result</th>"
            f"<th>Severity</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )
    else:
        items.append("<li>Asset checks: no results recorded yet.</li>")
        table = ""
    return f"<ul>{''.join(items)}</ul>{table}"


def _days(days: Sequence[str], most: int = 10) -> str:
    if not days:
        return ""
    shown = ", ".join(escape(d) for d in days[:most])
    return f"<span class='note'>({shown}{', ...' if len(days) > most else ''})</span>"
