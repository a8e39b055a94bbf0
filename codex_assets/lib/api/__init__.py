"""HTTP clients for the Codex Analytics and Compliance APIs (plain Python, no Dagster).

- `errors`: the exceptions, each with a message that says what to fix;
- `http`: the resilient HTTP layer (auth, retries, pacing, stats) every client sits on;
- `retry`: which failures are retried and for how long (Retry-After, jittered backoff);
- `ratelimit`: the per-route sliding-window limit behind it;
- `window`: which analytics days the API can serve now;
- `analytics`: the Analytics API client (a day of an endpoint at a time, all pages).
"""

from codex_assets.lib.api.analytics import ENDPOINTS, AnalyticsClient, DayFetch
from codex_assets.lib.api.errors import (
    ApiAuthError,
    ApiNotFoundError,
    ApiPermissionError,
    ApiRetriesExhaustedError,
    ApiSchemaError,
    ApiValidationError,
    CodexApiError,
    OutsideApiWindowError,
)
from codex_assets.lib.api.http import ApiHttpClient, HttpSettings, HttpStatsSnapshot, RequestTally

__all__ = [
    "ENDPOINTS",
    "AnalyticsClient",
    "ApiAuthError",
    "ApiHttpClient",
    "ApiNotFoundError",
    "ApiPermissionError",
    "ApiRetriesExhaustedError",
    "ApiSchemaError",
    "ApiValidationError",
    "CodexApiError",
    "DayFetch",
    "HttpSettings",
    "HttpStatsSnapshot",
    "OutsideApiWindowError",
    "RequestTally",
]
