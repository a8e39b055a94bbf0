"""Downloading one compliance log file and proving it is the file the listing describes.

`GET .../logs/{id}` answers 307; the `Location` (a signed storage URL) is fetched with no
Authorization header (`ApiHttpClient.get(..., authenticated=False)`), so the key never reaches
the storage host. Transport faults (429, 5xx, drops, timeouts) are retried by `ApiHttpClient`.
The body's size and sha256 are then checked against the listing; a mismatch (a truncated or
corrupted download), or a signed URL refused as expired, is retried as a fresh download (a new
redirect) by the same retry loop, with the same budget and backoff; if it persists,
`ComplianceIntegrityError` names the file and nothing of it is returned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx

from codex_assets.defs.compliance.log_files import LogFile
from codex_assets.defs.compliance.window import RETENTION_DAYS
from codex_assets.lib.http.client import ApiHttpClient, RequestTally
from codex_assets.lib.http.errors import (
    ApiNotFoundError,
    ApiRetriesExhaustedError,
    ApiSchemaError,
    CodexApiError,
)
from codex_assets.lib.http.retry import Failure, retry


class ComplianceIntegrityError(CodexApiError):
    """A log file kept failing verification (size or sha256) or its signed URL kept being
    refused; nothing of it was returned."""

    file_id: str
    failures: tuple[str, ...]

    @classmethod
    def build(
        cls, *, file_id: str, file_name: str, url: str, failures: Sequence[str]
    ) -> ComplianceIntegrityError:
        message = (
            f"Compliance log file {file_id} ({file_name}) could not be downloaded intact after "
            f"{len(failures)} attempt(s), each a fresh download: {'; '.join(failures)}. "
            "Nothing from this file was landed, and the partition is not written. Re-run "
            "later; if it persists, report the file id to OpenAI support (the file is kept "
            f"{RETENTION_DAYS} days from its end time)."
        )
        error = cls(message, url=url)
        error.file_id = file_id
        error.failures = tuple(failures)
        return error


@dataclass(frozen=True)
class VerifiedFile:
    """A downloaded file whose size and sha256 match its listing."""

    log_file: LogFile
    body: bytes = field(repr=False)
    attempts: int
    requests: int


def download_verified(
    http: ApiHttpClient,
    principal_path: str,
    log_file: LogFile,
    *,
    tally: RequestTally,
    sleep: Callable[[float], None],
    on_retry: Callable[[], None],
) -> VerifiedFile:
    """The file's bytes, verified against its listed size and sha256 (see the module doc).

    `on_retry` is called before each fresh download (the client counts them), `sleep` waits
    the backoff between them.
    """
    path = f"{principal_path}/logs/{quote(log_file.id, safe='')}"

    def attempt(number: int) -> VerifiedFile | Failure:
        try:
            body = _fetch(http, path, log_file, tally)
        except _RetryableDownload as problem:
            return Failure("download", str(problem))
        problem = _verify(body, log_file)
        if problem is not None:
            return Failure("integrity", problem)
        return VerifiedFile(log_file, body, number, tally.requests)

    def before_retry(_: int, __: Failure, delay: float) -> None:
        on_retry()
        sleep(delay)

    def give_up(failures: Sequence[Failure]) -> ComplianceIntegrityError:
        return ComplianceIntegrityError.build(
            file_id=log_file.id,
            file_name=log_file.file_name,
            url=http.describe(path),
            failures=[failure.description for failure in failures],
        )

    return retry(
        attempt,
        http.settings.backoff,
        before_retry=before_retry,
        give_up=give_up,
        clock=http.clock,
    )


class _RetryableDownload(Exception):
    """One download attempt failed in a way a fresh download may fix."""


def _fetch(http: ApiHttpClient, path: str, log_file: LogFile, tally: RequestTally) -> bytes:
    try:
        response = http.get(path, tally=tally)
    except ApiNotFoundError as error:
        error.add_context(
            f"Compliance log file {log_file.id} ({log_file.file_name}) was listed but is "
            f"now not found or expired (files are kept {RETENTION_DAYS} days)"
        )
        raise
    except CodexApiError as error:
        error.add_context(f"Requesting compliance log file {log_file.id}")
        raise
    if response.status_code == 200:  # a server that answers with the bytes directly
        return _body(response)
    location = response.headers.get("location")
    if not response.is_redirect or not location:
        raise ApiSchemaError.build(
            url=http.describe(path),
            field="location",
            problem=(
                f"is missing from an HTTP {response.status_code} answer; a download must "
                "answer 307 with the signed URL in Location"
            ),
        )
    target = str(response.url.join(location))
    try:
        signed = http.get(target, authenticated=False, tally=tally)
    except ApiRetriesExhaustedError as error:
        error.add_context(f"Downloading compliance log file {log_file.id}")
        raise
    except CodexApiError as error:
        # The storage host refused the link (expired, or not valid any more): ask again.
        raise _RetryableDownload(f"the signed URL was refused (HTTP {error.status})") from None
    if signed.is_redirect:
        raise _RetryableDownload(f"the signed URL redirected again (HTTP {signed.status_code})")
    return _body(signed)


def _body(response: httpx.Response) -> bytes:
    """The body, refusing one shorter than its Content-Length (a cut-off transfer).

    A storage host or CDN may send the file compressed (httpx asks for it and undoes the
    Content-Encoding); Content-Length then counts compressed bytes, so it says nothing about the
    decoded body. Such a body is still verified against the listing's size and sha256, and a
    compressed stream cut short fails to decode."""
    body = response.content
    announced = response.headers.get("content-length")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if (
        encoding in ("", "identity")
        and announced is not None
        and announced.isdigit()
        and int(announced) != len(body)
    ):
        raise _RetryableDownload(
            f"the transfer was cut off ({len(body)} of {announced} bytes announced)"
        )
    return body


def _verify(body: bytes, log_file: LogFile) -> str | None:
    """Why `body` is not the listed file, or None when its size and sha256 match."""
    if len(body) != log_file.file_size:
        return f"got {len(body)} bytes, the listing says {log_file.file_size}"
    digest = hashlib.sha256(body).hexdigest()
    if digest != log_file.file_sha256.lower():
        return f"sha256 {digest[:16]}… does not match the listed {log_file.file_sha256[:16]}…"
    return None
