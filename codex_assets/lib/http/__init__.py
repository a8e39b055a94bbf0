"""The HTTP layer both Codex API clients sit on (plain Python, no Dagster).

- `errors`: the exceptions, each with a message that says what to fix;
- `client`: the resilient HTTP client (auth, retries, pacing, stats);
- `retry`: which failures are retried and for how long (Retry-After, jittered backoff);
- `ratelimit`: the per-route sliding-window limit behind it.

The API clients themselves live in their source's folder: `defs/analytics/client.py` and
`defs/compliance/client.py`.
"""
