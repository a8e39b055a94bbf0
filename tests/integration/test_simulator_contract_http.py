"""The contract profile over real HTTP: cursors with `+`, `/` and `=` survive a query string
when the client URL-encodes them, and a `+` sent raw (decoded as a space) is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import SimulatorConfig
from codex_assets.simulator.server import running

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)
DAY = date(2026, 5, 7)
START = int(datetime(2026, 5, 7, tzinfo=UTC).timestamp())


def test_standard_base64_cursors_round_trip_over_http():
    sim = Simulator(SimulatorConfig(profile="contract", users=80, max_page_rows=4, now=lambda: NOW))
    expected = sim.day_rows("usage", DAY)
    assert len(expected) > 8
    with running(sim) as base_url:
        headers = {"Authorization": f"Bearer {sim.config.analytics_key}"}
        url = f"/analytics/codex/workspaces/{sim.workspace_id}/usage"
        window = {"start_time": START, "end_time": START + 86_400}
        with httpx.Client(base_url=base_url, headers=headers) as client:
            served, page, cursors = [], None, []
            while True:
                params = {**window, **({"page": page} if page else {})}
                body = client.get(url, params=params).raise_for_status().json()
                served += body["data"]
                if not body["has_more"]:
                    break
                page = body["next_page"]
                cursors.append(page)
            assert served == expected
            assert all({"+", "/", "="} <= set(cursor) for cursor in cursors)
            query = f"start_time={START}&end_time={START + 86_400}&page={cursors[0]}"
            raw = client.get(f"{url}?{query}")
            assert raw.status_code == 422
            assert raw.json()["detail"][0]["loc"] == ["query", "page"]
