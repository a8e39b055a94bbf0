"""The resilient HTTP layer every Codex API client sits on.

One pooled `httpx.Client`, shared by the threads of one client, that:

- authenticates with `Authorization: Bearer <key>` only requests under `base_url`. Any other
  URL (a compliance download's signed URL) is fetched without it, and asking to authenticate
  one is refused, so the key cannot leak to a storage host by mistake;
- retries what is transient (429, 500/502/503/504, timeouts, dropped connections, bodies
  shorter than their Content-Length, a 200 that is not JSON) with capped exponential backoff
  and full jitter, honouring Retry-After;
- paces itself per route (never more than the rate in any minute), and shares a 429's pause
  with every thread;
- turns what is not transient (401, 403, 404, 400/422) into errors that say what to fix;
- never puts the key in an exception, a log line, a repr or its stats.
"""

from __future__ import annotations

import importlib.metadata
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import orjson

from codex_assets.lib.http.errors import (
    ApiAuthError,
    ApiNotFoundError,
    ApiPermissionError,
    ApiRetriesExhaustedError,
    ApiSchemaError,
    ApiValidationError,
    CodexApiError,
    excerpt,
)
from codex_assets.lib.http.ratelimit import RateLimiter, route_template
from codex_assets.lib.http.retry import (
    DEFAULT_BUDGET_S,
    RETRYABLE_STATUSES,
    Backoff,
    Failure,
    parse_retry_after,
    retry,
)

logger = logging.getLogger(__name__)

Params = Sequence[tuple[str, str | int]]

# Enough connections for a few concurrent days per endpoint plus a compliance downloader.
POOL_CONNECTIONS = 32
MAX_REDIRECTS = 5
_EXTERNAL_ROUTE_PREFIX = "external:"


def _user_agent() -> str:
    try:
        version = importlib.metadata.version("codex-assets")
    except importlib.metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"codex-assets/{version}"


USER_AGENT = _user_agent()


@dataclass(frozen=True)
class HttpSettings:
    """How to reach one API with one key.

    `key_env_var`, `scope` and `workspace_env_var` are not sent anywhere: they are named in
    error messages so that a 401/403/404 says which variable or grant to fix.
    `route_requests_per_minute` overrides the rate for a route template (see
    `ratelimit.route_template`), e.g. the compliance download route's 50/min.
    """

    base_url: str
    api_key: str = field(repr=False)
    key_env_var: str
    scope: str
    timeout_s: float = 60
    retry_budget_s: float = DEFAULT_BUDGET_S
    """How long one request keeps being retried (CODEX_API_RETRY_BUDGET_SECONDS)."""
    max_retries: int | None = None
    """An extra cap on the count of retries; off in production (the budget bounds them)."""
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30
    requests_per_minute: float | None = 100
    retry_after_max_s: float = 300
    route_requests_per_minute: tuple[tuple[str, float | None], ...] = ()
    workspace_env_var: str = "CODEX_WORKSPACE_ID"

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"API base URL {self.base_url!r} is not an http(s) URL "
                "(expected something like https://api.chatgpt.com/v1)."
            )
        if not self.api_key or not self.api_key.strip():
            raise ValueError(f"{self.key_env_var} is empty: set it to the API key.")
        if self.timeout_s <= 0 or (self.max_retries is not None and self.max_retries < 0):
            raise ValueError("timeout_s must be positive and max_retries non-negative.")
        if self.retry_budget_s < 0:
            raise ValueError("retry_budget_s must be 0 or above.")
        if self.backoff_initial_s < 0 or self.backoff_max_s < self.backoff_initial_s:
            raise ValueError("backoff needs 0 <= backoff_initial_s <= backoff_max_s.")

    @property
    def backoff(self) -> Backoff:
        """The retry budget and backoff, for the HTTP layer and for callers that retry too."""
        return Backoff(
            initial_s=self.backoff_initial_s,
            max_s=self.backoff_max_s,
            retry_after_max_s=self.retry_after_max_s,
            budget_s=self.retry_budget_s,
            max_retries=self.max_retries,
        )


@dataclass(frozen=True)
class HttpStatsSnapshot:
    """A consistent copy of a client's counters (safe to put in run metadata)."""

    requests: int
    retries: int
    retries_by_reason: dict[str, int]
    rate_limit_wait_s: float


class HttpStats:
    """Counters shared by all threads of one client; read them with `snapshot()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._retries: Counter[str] = Counter()
        self._wait_s = 0.0

    def record_request(self, waited_s: float) -> None:
        with self._lock:
            self._requests += 1
            self._wait_s += waited_s

    def record_wait(self, waited_s: float) -> None:
        """Time a request spent waiting to be allowed to send (a 429's Retry-After)."""
        with self._lock:
            self._wait_s += waited_s

    def record_retry(self, reason: str) -> None:
        with self._lock:
            self._retries[reason] += 1

    def snapshot(self) -> HttpStatsSnapshot:
        with self._lock:
            return HttpStatsSnapshot(
                requests=self._requests,
                retries=sum(self._retries.values()),
                retries_by_reason=dict(self._retries),
                rate_limit_wait_s=self._wait_s,
            )


@dataclass
class RequestTally:
    """Per-call counters (one caller, one thread), e.g. the requests behind one day's fetch."""

    requests: int = 0
    retries: int = 0


def _validation_details(content: bytes) -> list[str]:
    """The API's reasons as `loc: msg` strings (FastAPI `detail` list, or an `error.message`)."""
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(body, dict):
        return []
    detail = body.get("detail")
    if isinstance(detail, str):
        return [detail]
    if isinstance(detail, list):
        reasons = []
        for item in detail:
            if not isinstance(item, dict):
                reasons.append(str(item))
                continue
            loc = ".".join(str(part) for part in item.get("loc") or [])
            reason = f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", ""))
            if "input" in item:
                reason += f" (got {item['input']!r})"
            reasons.append(reason)
        return reasons
    error = body.get("error")
    if isinstance(error, dict) and error.get("message"):
        return [str(error["message"])]
    return []


class ApiHttpClient:
    """GETs against one API with one key: pooled, paced, retried, and safe to share across threads.

    Paths are relative to `settings.base_url` (a leading slash is fine): `get_json("/analytics/
    codex/workspaces/<id>/usage", params)`. Use it as a context manager so the pool is closed.
    `sleep` and `clock` are injectable so tests run without real waiting.
    """

    def __init__(
        self,
        settings: HttpSettings,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._base = httpx.URL(settings.base_url.rstrip("/") + "/")
        self._stats = HttpStats()
        self._external_routes: set[str] = set()
        self._limiter = RateLimiter(
            settings.requests_per_minute,
            route_rates=dict(settings.route_requests_per_minute),
            clock=clock,
            sleep=sleep,
        )
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s),
            limits=httpx.Limits(
                max_connections=POOL_CONNECTIONS, max_keepalive_connections=POOL_CONNECTIONS
            ),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"ApiHttpClient(base_url={self.settings.base_url!r}, key from {self.settings.key_env_var})"

    def __enter__(self) -> ApiHttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    @property
    def stats(self) -> HttpStatsSnapshot:
        """Requests sent, retries (by reason) and time spent waiting on the rate limit."""
        return self._stats.snapshot()

    @property
    def clock(self) -> Callable[[], float]:
        """The monotonic clock this client times its retry budget with (injectable in tests)."""
        return self._clock

    @property
    def limiter(self) -> RateLimiter:
        return self._limiter

    # -- public API ---------------------------------------------------------------------------

    def get_json(
        self, path: str, params: Params = (), *, tally: RequestTally | None = None
    ) -> dict:
        """GET an API path and return its JSON object body (retrying bodies that are not JSON)."""
        url = self._resolve(path)
        if not self._is_api_url(url):
            raise ValueError(f"get_json is for API paths under {self.settings.base_url}")
        _, body = self._send(url, params, authenticated=True, parse_json=True, tally=tally)
        if not isinstance(body, dict):
            raise ApiSchemaError.build(
                url=self._display(url, params),
                field="body",
                problem=f"is a JSON {type(body).__name__}, expected an object",
                body_excerpt=self._redact(orjson.dumps(body)[:1000].decode("utf-8", "replace")),
            )
        return body

    def get(
        self,
        url_or_path: str,
        params: Params = (),
        *,
        authenticated: bool = True,
        follow_redirects: bool = False,
        tally: RequestTally | None = None,
    ) -> httpx.Response:
        """GET with retries; returns the (fully read) 2xx or 3xx response, raises otherwise.

        `authenticated=True` is only allowed for URLs under `base_url`; an absolute URL
        elsewhere (a signed download URL) must be fetched with `authenticated=False` and is
        sent with no Authorization header. Redirects, when followed, are always fetched
        without it too, whatever host they point at.
        """
        url = self._resolve(url_or_path)
        if authenticated and not self._is_api_url(url):
            raise ValueError(
                f"Refusing to send the API key to {url.scheme}://{url.host}{url.path}: it is not "
                f"under the API base URL {self.settings.base_url}. Fetch signed URLs with "
                "authenticated=False."
            )
        response, _ = self._send(
            url, params, authenticated=authenticated, parse_json=False, tally=tally
        )
        hops = 0
        while follow_redirects and response.is_redirect:
            hops += 1
            if hops > MAX_REDIRECTS:
                raise CodexApiError(
                    f"GET {self._display(url, params)} redirected more than {MAX_REDIRECTS} "
                    "times; giving up.",
                    status=response.status_code,
                    url=self._display(url, params),
                )
            target = response.url.join(response.headers["location"])
            response, _ = self._send(target, (), authenticated=False, parse_json=False, tally=tally)
        return response

    def describe(self, url_or_path: str, params: Params = ()) -> str:
        """How a request is named in errors and logs: path and query, never a key or signature."""
        return self._display(self._resolve(url_or_path), params)

    # -- internals ----------------------------------------------------------------------------

    def _resolve(self, url_or_path: str) -> httpx.URL:
        if urlsplit(url_or_path).scheme:
            return httpx.URL(url_or_path)
        return self._base.join(url_or_path.lstrip("/"))

    def _is_api_url(self, url: httpx.URL) -> bool:
        base = self._base
        return (
            url.scheme == base.scheme
            and url.host == base.host
            and url.port == base.port
            and url.path.startswith(base.path)
        )

    def _display(self, url: httpx.URL, params: Params) -> str:
        """Path and query for an API URL; host and path only (no signature) for any other."""
        if self._is_api_url(url):
            query = urlencode([(k, str(v)) for k, v in params]) if params else url.query.decode()
            text = url.path + (f"?{query}" if query else "")
        else:
            text = f"{url.scheme}://{url.host}{url.path}"
            if url.query or params:
                text += "?<signed query omitted>"
        return self._redact(text)

    def _redact(self, text: str) -> str:
        key = self.settings.api_key
        return text.replace(key, "<redacted>") if key and key in text else text

    def _route(self, url: httpx.URL) -> str:
        if self._is_api_url(url):
            return route_template(url.path)
        return _EXTERNAL_ROUTE_PREFIX + url.host

    def _body_excerpt(self, response: httpx.Response) -> str:
        return self._redact(excerpt(response.content[:4000].decode("utf-8", "replace")))

    def _send(
        self,
        url: httpx.URL,
        params: Params,
        *,
        authenticated: bool,
        parse_json: bool,
        tally: RequestTally | None,
    ) -> tuple[httpx.Response, Any]:
        """One logical request: attempts until a usable answer, a permanent error, or exhaustion."""
        settings = self.settings
        display = self._display(url, params)
        route = self._route(url)
        if not self._is_api_url(url) and route not in self._external_routes:
            # Storage hosts (signed URLs) are not paced by the API's budget; 429s still pause.
            self._limiter.set_rate(route, None)
            self._external_routes.add(route)
        headers = {"Accept": "application/json"} if parse_json else {}
        if authenticated:
            headers["Authorization"] = f"Bearer {settings.api_key}"
        query = [(k, str(v)) for k, v in params] or None
        started = self._clock()

        def attempt(_: int) -> tuple[httpx.Response, Any] | Failure:
            self._stats.record_request(self._limiter.acquire(route))
            if tally is not None:
                tally.requests += 1
            try:
                response = self._client.get(url, params=query, headers=headers)
            except httpx.TimeoutException as exc:
                return Failure(
                    "timeout", f"no answer within {settings.timeout_s:g}s ({type(exc).__name__})"
                )
            except httpx.TransportError as exc:
                return Failure(
                    "transport",
                    f"connection failed or dropped ({type(exc).__name__}: "
                    f"{self._redact(str(exc)) or 'no detail'})",
                )
            except httpx.DecodingError as exc:
                return Failure("malformed_body", f"undecodable body ({self._redact(str(exc))})")
            result = self._check(response, display, authenticated, parse_json)
            return result if isinstance(result, Failure) else (response, result)

        def before_retry(attempts: int, failure: Failure, delay: float) -> None:
            self._stats.record_retry(failure.reason)
            if tally is not None:
                tally.retries += 1
            logger.warning(
                "GET %s: attempt %d failed (%s); retrying in %.1fs (retry budget %gs)",
                display,
                attempts,
                failure.description,
                delay,
                settings.retry_budget_s,
            )
            if failure.status == 429:
                # Only this request waits out its Retry-After (see lib/http/ratelimit.py).
                self._stats.record_wait(delay)
            self._sleep(delay)

        def give_up(failures: Sequence[Failure]) -> ApiRetriesExhaustedError:
            last = failures[-1]
            return ApiRetriesExhaustedError.build(
                url=display,
                attempts=len(failures),
                elapsed_s=self._clock() - started,
                last_failure=last.description,
                status=last.status,
                body_excerpt=last.body_excerpt,
                budget_s=settings.retry_budget_s,
            )

        return retry(
            attempt,
            settings.backoff,
            before_retry=before_retry,
            give_up=give_up,
            rng=self._rng,
            clock=self._clock,
        )

    def _check(
        self, response: httpx.Response, display: str, authenticated: bool, parse_json: bool
    ) -> Any:
        """The parsed body (or None) if usable, a `Failure` if transient; raises if permanent."""
        status = response.status_code
        if 200 <= status < 300:
            if not parse_json:
                return None
            try:
                return orjson.loads(response.content)
            except orjson.JSONDecodeError as exc:
                content_type = response.headers.get("content-type", "no content type")
                return Failure(
                    "malformed_body",
                    f"HTTP {status} with a body that is not valid JSON ({content_type}, "
                    f"{len(response.content)} bytes: {exc}); starts with "
                    f"{self._body_excerpt(response)[:120]!r}",
                    status=status,
                    body_excerpt=self._body_excerpt(response),
                )
        if 300 <= status < 400:
            if not parse_json:
                return None
            raise CodexApiError(
                f"GET {display} answered HTTP {status} (a redirect) where JSON was expected. "
                "Check that CODEX_API_BASE_URL points at the API root (e.g. "
                "https://api.chatgpt.com/v1), including the scheme and the /v1.",
                status=status,
                url=display,
                body_excerpt=self._body_excerpt(response),
            )
        body = self._body_excerpt(response)
        if status in RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            reason_phrase = response.reason_phrase or ""
            description = f"HTTP {status} {reason_phrase}".strip()
            if retry_after is not None:
                description += f" (Retry-After {retry_after:g}s)"
            if body:
                description += f": {body[:160]}"
            return Failure(
                f"http_{status}",
                description,
                status=status,
                retry_after_s=retry_after,
                body_excerpt=body,
            )
        if not authenticated:
            raise CodexApiError(
                f"HTTP {status} for GET {display} (a signed download URL, fetched without the "
                "API key): the link may have expired or been used too late. Request the file "
                "again to get a fresh link.",
                status=status,
                url=display,
                body_excerpt=body,
            )
        settings = self.settings
        if status == 401:
            raise ApiAuthError.build(
                url=display, body_excerpt=body, key_env_var=settings.key_env_var
            )
        if status == 403:
            raise ApiPermissionError.build(
                url=display,
                body_excerpt=body,
                key_env_var=settings.key_env_var,
                scope=settings.scope,
            )
        if status == 404:
            raise ApiNotFoundError.build(
                url=display, body_excerpt=body, workspace_env_var=settings.workspace_env_var
            )
        if status in (400, 422):
            details = [self._redact(d) for d in _validation_details(response.content)]
            raise ApiValidationError.build(
                status=status, url=display, body_excerpt=body, details=details
            )
        raise CodexApiError(
            f"HTTP {status} {response.reason_phrase} for GET {display}: not a status this client "
            "knows how to handle, so it is not retried."
            + (f" Response body: {body}" if body else ""),
            status=status,
            url=display,
            body_excerpt=body,
        )
