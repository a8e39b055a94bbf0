"""The simulator's route table: how an API module plugs its endpoints in.

Why a table: the Analytics and Compliance APIs are separate modules, but they share what the
real API does for every route (bearer auth and scopes, the workspace 404, fault injection by
route name). A module describes its routes as data (`Route`) and `Simulator.handle` applies
the shared behaviour before calling the handler, so a new module cannot forget it.

To add routes (e.g. `codex_assets/simulator/compliance.py`), give the module's API class a
`register()` that calls `sim.router.add(Route(...))`, and call it from `Simulator.__init__`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from codex_assets.simulator.responses import SimResponse

_PARAM = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


@dataclass(frozen=True)
class Request:
    """One request as a handler sees it.

    path_params: values of the `{name}` segments of the route pattern.
    query: every (name, value) pair in order; repeated names are kept.
    headers: lower-case names.
    """

    method: str
    path: str
    path_params: Mapping[str, str]
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]

    def arg(self, name: str) -> str | None:
        """The last value of query parameter `name` (what FastAPI binds to a scalar), or None."""
        value = None
        for key, item in self.query:
            if key == name:
                value = item
        return value

    def args(self, name: str) -> list[str]:
        """Every value of a repeated query parameter, in order."""
        return [item for key, item in self.query if key == name]


Handler = Callable[[Request], SimResponse]


@dataclass(frozen=True)
class Route:
    """An endpoint.

    name: the endpoint name fault rules match (`usage`, `compliance_logs`, ...).
    pattern: the full path with `{param}` segments, e.g.
      `/v1/analytics/codex/workspaces/{workspace_id}/usage`. A `{workspace_id}` segment is
      checked against the simulated workspace (404 when it differs) before the handler runs.
    scope: the bearer-key scope the route requires; None for unauthenticated routes such as
      a signed download URL.
    """

    name: str
    method: str
    pattern: str
    handler: Handler
    scope: str | None
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = _PARAM.split(self.pattern)
        regex = "".join(
            f"(?P<{part}>[^/]+)" if i % 2 else re.escape(part) for i, part in enumerate(parts)
        )
        object.__setattr__(self, "regex", re.compile(f"^{regex}$"))


class Router:
    """An ordered list of routes; the first whose pattern and method match wins."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, route: Route) -> None:
        for existing in self._routes:
            if existing.pattern == route.pattern and existing.method == route.method:
                raise ValueError(f"route {route.method} {route.pattern} is already registered")
        self._routes.append(route)

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(self._routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | list[str]:
        """The matching route and its path parameters, or the methods the path allows
        (an empty list: no such path, 404; otherwise 405)."""
        allowed: list[str] = []
        for route in self._routes:
            found = route.regex.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, found.groupdict()
            allowed.append(route.method)
        return allowed
