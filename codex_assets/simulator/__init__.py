"""The embedded Codex API simulator: a deterministic, contract-faithful stand-in for the real API.

Modules, one job each:
  config     SimulatorConfig, FaultRule, parse_fault
  workspace  the synthetic workspace (users, personas, per-user-day activity, Code Review)
  rows       renders workspace facts as Analytics API rows
  analytics  the analytics routes: validation, window, cursors, paging, caches
  compliance the compliance routes: listing, signed downloads, max_event_time; built on
    compliance_events (a day's events, vectorised), compliance_render (them as JSON lines),
    compliance_files (the day's files, cached on disk) and compliance_text (prompts, secrets)
  routing    the route table the API modules (analytics, compliance) register into
  faults     fault counting and the misbehaving responses
  app        Simulator: auth, scopes, faults and routing around the handlers
  transport  SimulatorTransport, for httpx in process
  server     the stdlib HTTP/1.1 server; serve  `codex-assets simulator serve`
"""
