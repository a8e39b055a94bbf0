"""The embedded Codex API simulator: a deterministic, contract-faithful stand-in for the real API.

Modules, one job each:
  config     SimulatorConfig, FaultRule, parse_fault
  workspace  the synthetic workspace (users, personas, per-user-day activity, Code Review)
  rows       renders workspace facts as Analytics API rows
  analytics  the analytics routes: validation, window, cursors, paging, caches
  routing    the route table API modules register into (see `app.ROUTE_MODULES`)
  faults     fault counting and the misbehaving responses
  app        Simulator: auth, scopes, faults and routing around the handlers
  transport  SimulatorTransport, for httpx in process
  server     the stdlib HTTP/1.1 server; serve  `codex-assets simulator serve`
"""
