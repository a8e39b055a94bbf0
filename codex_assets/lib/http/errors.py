"""Errors raised by the Codex API clients.

Each message is written to be read on its own in a Dagster run log by someone who did not
write this code: it says what was asked (method, path and query, never a key or a signed
query string), what the API answered, and what to do about it. The structured fields
(`status`, `url`, `body_excerpt`) are there for code that wants to branch on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any, Self

BODY_EXCERPT_CHARS = 500


def excerpt(text: str, limit: int = BODY_EXCERPT_CHARS) -> str:
    """At most `limit` characters of `text`, on one line, marked when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1] + "…"


class CodexApiError(Exception):
    """Any failure talking to a Codex API.

    `url` is the path and query only (for a signed download URL, the host and path without its
    query), so it is always safe to log.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        url: str = "",
        body_excerpt: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.url = url
        self.body_excerpt = excerpt(body_excerpt)

    def __str__(self) -> str:
        return self.message

    def add_context(self, context: str) -> None:
        """Prefix the message with what was being done (e.g. which endpoint and day)."""
        self.message = f"{context}: {self.message}"
        self.args = (self.message,)

    @classmethod
    def answered(cls, status: int, url: str, message: str, body_excerpt: str) -> Self:
        """An error for an answer with `status`: `message`, then the answer's body (if any)."""
        return cls(
            _with_body(message, excerpt(body_excerpt)),
            status=status,
            url=url,
            body_excerpt=body_excerpt,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the structured fields when the error crosses a process boundary (Dagster's
        # multiprocess executor); the default reduce would call __init__(message) only.
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))


def _rebuild(cls: type[CodexApiError], message: str, state: dict[str, Any]) -> CodexApiError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


def _with_body(message: str, body_excerpt: str) -> str:
    return f"{message} Response body: {body_excerpt}" if body_excerpt else message


class ApiAuthError(CodexApiError):
    """401: the key was not accepted."""

    @classmethod
    def build(cls, *, url: str, body_excerpt: str, key_env_var: str) -> ApiAuthError:
        message = (
            f"HTTP 401 Unauthorized for GET {url}: the API rejected the key in {key_env_var}. "
            f"Check that {key_env_var} holds a current, unrevoked key (no quotes or whitespace "
            "around it) for this workspace."
        )
        return cls.answered(401, url, message, body_excerpt)


class ApiPermissionError(CodexApiError):
    """403: the key is valid but lacks the scope (or belongs to another organization)."""

    @classmethod
    def build(
        cls, *, url: str, body_excerpt: str, key_env_var: str, scope: str
    ) -> ApiPermissionError:
        message = (
            f"HTTP 403 Forbidden for GET {url}: the key in {key_env_var} is valid but not allowed "
            f"here. It needs the scope {scope}, and its organization must own this workspace. "
            f"Grant the scope to the key (or create a key with it) and update {key_env_var}."
        )
        return cls.answered(403, url, message, body_excerpt)


class ApiNotFoundError(CodexApiError):
    """404: the workspace (or the resource under it) is unknown to the API."""

    @classmethod
    def build(cls, *, url: str, body_excerpt: str, workspace_env_var: str) -> ApiNotFoundError:
        message = (
            f"HTTP 404 Not Found for GET {url}: the API does not know this resource. Check "
            f"{workspace_env_var}: it must be the workspace UUID shown under Workspace details "
            "at chatgpt.com/admin, and the key must belong to that workspace."
        )
        return cls.answered(404, url, message, body_excerpt)


class ApiValidationError(CodexApiError):
    """422 or 400: the API refused the request's parameters; `details` holds its reasons."""

    details: tuple[str, ...]

    @classmethod
    def build(
        cls, *, status: int, url: str, body_excerpt: str, details: Sequence[str]
    ) -> ApiValidationError:
        reasons = "; ".join(details) if details else "no details given"
        message = (
            f"HTTP {status} for GET {url}: the API rejected the request parameters: {reasons}. "
            "This is a bug in the request this client built (or a contract change), not a "
            "transient failure; retrying will not help."
        )
        if not details:
            message = _with_body(message, excerpt(body_excerpt))
        error = cls(message, status=status, url=url, body_excerpt=body_excerpt)
        error.details = tuple(details)
        return error


class ApiRetriesExhaustedError(CodexApiError):
    """A transient failure (429, 5xx, timeout, dropped connection, bad body) outlasted the retries."""

    attempts: int
    elapsed_s: float
    last_failure: str

    @classmethod
    def build(
        cls,
        *,
        url: str,
        attempts: int,
        elapsed_s: float,
        last_failure: str,
        status: int | None,
        body_excerpt: str,
        budget_s: float | None = None,
    ) -> ApiRetriesExhaustedError:
        budget = (
            f" (the retry budget, CODEX_API_RETRY_BUDGET_SECONDS, is {budget_s:g}s)"
            if budget_s is not None
            else ""
        )
        message = (
            f"GET {url} failed {attempts} {'time' if attempts == 1 else 'times'} over "
            f"{elapsed_s:.1f}s; giving up{budget}. "
            f"Last failure: {last_failure}. The API (or the network to it) kept failing in a "
            "way that is usually transient: re-run later, and if it persists check the API's "
            "status and the network path to it."
        )
        error = cls(message, status=status, url=url, body_excerpt=body_excerpt)
        error.attempts = attempts
        error.elapsed_s = elapsed_s
        error.last_failure = last_failure
        return error


class ApiSchemaError(CodexApiError):
    """A 200 whose body is JSON but not the documented shape; `field` names what is wrong.

    `field` is the envelope field (`data`, `has_more`, `next_page`, `data[3]`) or `body` when
    the body as a whole is not an object.
    """

    field: str

    @classmethod
    def build(cls, *, url: str, field: str, problem: str, body_excerpt: str = "") -> ApiSchemaError:
        subject = "the response body" if field == "body" else f"field '{field}'"
        message = (
            f"GET {url} returned HTTP 200 with a body that does not match the documented API "
            "contract: "
            f"{subject} {problem}. The API may have changed; nothing was landed for this request."
        )
        error = cls.answered(200, url, message, body_excerpt)
        error.field = field
        return error


def _day_ranges(days: Iterable[date]) -> str:
    """`2026-01-01..2026-01-03, 2026-01-07` (consecutive days collapsed)."""
    ordered = sorted(set(days))
    parts: list[str] = []
    start = prev = None
    for day in [*ordered, None]:
        if start is not None and prev is not None and day == prev + timedelta(days=1):
            prev = day
            continue
        if start is not None and prev is not None:
            parts.append(str(start) if start == prev else f"{start}..{prev}")
        start = prev = day
    return ", ".join(parts)


class OutsideApiWindowError(CodexApiError):
    """Days the API cannot serve (too old, or not complete yet); raised before any request."""

    too_old: tuple[date, ...]
    not_complete: tuple[date, ...]
    oldest_servable: date
    latest_complete: date

    @classmethod
    def build(
        cls,
        *,
        too_old: Sequence[date],
        not_complete: Sequence[date],
        oldest_servable: date,
        latest_complete: date,
        lookback_days: int,
        lag_hours: int,
    ) -> OutsideApiWindowError:
        parts = []
        if too_old:
            parts.append(
                f"{len(too_old)} day(s) older than the API's {lookback_days}-day lookback: "
                f"{_day_ranges(too_old)}. The API serves only the last {lookback_days} days; "
                "data already landed for these days is kept, so there is nothing to do unless "
                "they were never loaded (then they cannot be fetched from the API any more)."
            )
        if not_complete:
            first = min(not_complete)
            ready = first + timedelta(days=1)
            parts.append(
                f"{len(not_complete)} day(s) not complete yet: {_day_ranges(not_complete)}. "
                "A day D is complete at D+1 12:00 UTC because the API lags up to "
                f"{lag_hours} hours ({first} is complete at {ready} 12:00 UTC); run again after "
                "that."
            )
        return cls.refusing(
            "the Codex Analytics API",
            parts,
            too_old=too_old,
            not_complete=not_complete,
            oldest_servable=oldest_servable,
            latest_complete=latest_complete,
            servable_label="Servable",
        )

    @classmethod
    def refusing(
        cls,
        api: str,
        reasons: Sequence[str],
        *,
        too_old: Sequence[date],
        not_complete: Sequence[date],
        oldest_servable: date,
        latest_complete: date,
        servable_label: str,
    ) -> Self:
        """The error for `api` refusing these days for `reasons`, with the days it can serve."""
        message = (
            f"Cannot fetch these days from {api} (no request was sent). "
            + " ".join(reasons)
            + f" {servable_label} now: {oldest_servable}..{latest_complete}."
        )
        error = cls(message)
        error.too_old = tuple(sorted(too_old))
        error.not_complete = tuple(sorted(not_complete))
        error.oldest_servable = oldest_servable
        error.latest_complete = latest_complete
        return error
