"""The seam another API module (the compliance API) plugs into: routes get auth, scopes, the
workspace 404 and faults from the simulator without writing any of it themselves."""

from __future__ import annotations

import pytest

from codex_assets.simulator import compliance
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.compliance import COMPLIANCE_SCOPE
from codex_assets.simulator.config import FaultRule, SimulatorConfig
from codex_assets.simulator.responses import json_response
from codex_assets.simulator.routing import Request, Route, Router


class _FakeComplianceApi:
    """Stands in for the real compliance API (whose routes would collide with these)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    def register(self) -> None:
        _register(self.sim)


def _register(sim: Simulator) -> None:
    def list_logs(request: Request) -> object:
        return json_response(
            200,
            {
                "data": [],
                "has_more": False,
                "last_end_time": None,
                "event_type": request.args("event_type"),
            },
        )

    def download(request: Request) -> object:
        return json_response(200, {"file": request.path_params["token"]})

    prefix = "/v1/compliance/workspaces/{workspace_id}"
    sim.router.add(Route("compliance_logs", "GET", f"{prefix}/logs", list_logs, COMPLIANCE_SCOPE))
    sim.router.add(Route("compliance_download", "GET", "/v1/signed/{token}", download, None))


@pytest.fixture
def plugged(monkeypatch):
    monkeypatch.setattr(compliance, "ComplianceApi", _FakeComplianceApi)

    def make(*faults: FaultRule) -> Simulator:
        return Simulator(SimulatorConfig(users=10, faults=faults))

    return make


def _get(sim: Simulator, path: str, key: str | None, query=()):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return sim.handle("GET", path, list(query), headers)


def test_a_registered_module_serves_its_routes_with_the_compliance_key(plugged):
    sim = plugged()
    path = f"/v1/compliance/workspaces/{sim.workspace_id}/logs"
    ok = _get(
        sim,
        path,
        sim.config.compliance_key,
        [("event_type", "CODEX_LOG"), ("event_type", "AUDIT_LOG")],
    )
    assert ok.status == 200 and b'"event_type":["CODEX_LOG","AUDIT_LOG"]' in ok.body
    assert _get(sim, path, sim.config.analytics_key).status == 403
    assert _get(sim, path, None).status == 401
    assert (
        _get(sim, "/v1/compliance/workspaces/other/logs", sim.config.compliance_key).status == 404
    )
    assert _get(sim, "/v1/signed/abc", None).status == 200  # signed URLs need no key


def test_faults_match_the_new_route_names(plugged):
    sim = plugged(FaultRule("drop", endpoints=("compliance_download",)))
    assert _get(sim, "/v1/signed/abc", None).fault == "drop"
    path = f"/v1/compliance/workspaces/{sim.workspace_id}/logs"
    assert _get(sim, path, sim.config.compliance_key).fault is None


def test_both_apis_register_their_routes():
    sim = Simulator(SimulatorConfig(users=5))
    assert {route.name for route in sim.router.routes} >= {
        "usage",
        "code_reviews",
        "code_review_responses",
        "compliance_logs",
        "compliance_download",
    }


def test_duplicate_routes_are_refused():
    router = Router()
    route = Route("x", "GET", "/v1/x/{id}", lambda request: json_response(200, {}), None)
    router.add(route)
    with pytest.raises(ValueError, match="already registered"):
        router.add(route)
    assert router.match("GET", "/v1/x/42") == (route, {"id": "42"})
    assert router.match("POST", "/v1/x/42") == ["GET"]
    assert router.match("GET", "/v1/y") == []


def test_a_failing_handler_is_a_500_not_a_crash():
    sim = Simulator(SimulatorConfig(users=5))

    def boom(request: Request) -> object:
        raise RuntimeError("bug")

    sim.router.add(Route("boom", "GET", "/v1/boom", boom, None))
    assert sim.handle("GET", "/v1/boom", [], {}).status == 500
