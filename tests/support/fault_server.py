"""A scripted HTTP server on loopback for testing the API clients against real sockets.

Each test gives the server a script: a list of replies played in order (one per request), or
a function from the request to a reply. A reply is a normal response (status, headers, body)
or a wire fault: close the connection without answering, send a Content-Length larger than the
body and hang up, or sleep before answering (past the client's timeout). Every request is
recorded (method, path, query, headers) so tests can assert on exactly what the client sent.

It is deliberately not the simulator: the clients are coded to the documented contract, and
these tests pin down how they behave when a server speaks that contract badly.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Reply:
    """One scripted answer. `fault` is None (answer normally), "close" or "short".

    - "close": read the request, then close the connection without a byte of response;
    - "short": send the status line and headers with a Content-Length `missing` bytes larger
      than the body, send the body, and close;
    - `delay_s`: sleep before doing the above (use it to exceed the client's timeout).
    """

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    fault: str | None = None
    delay_s: float = 0.0
    missing: int = 100


def json_reply(obj: Any, status: int = 200, headers: Sequence[tuple[str, str]] = ()) -> Reply:
    return Reply(
        status=status,
        body=json.dumps(obj).encode(),
        headers=(("Content-Type", "application/json"), *headers),
    )


def page(rows: list[dict], next_page: str | None = None) -> Reply:
    """A documented Analytics page envelope."""
    return json_reply(
        {"object": "page", "data": rows, "has_more": next_page is not None, "next_page": next_page}
    )


def close() -> Reply:
    return Reply(fault="close")


def short_body(obj: Any, missing: int = 100) -> Reply:
    return Reply(
        body=json.dumps(obj).encode(),
        headers=(("Content-Type", "application/json"),),
        fault="short",
        missing=missing,
    )


def slow(reply: Reply, delay_s: float) -> Reply:
    return Reply(
        status=reply.status,
        body=reply.body,
        headers=reply.headers,
        fault=reply.fault,
        delay_s=delay_s,
        missing=reply.missing,
    )


@dataclass(frozen=True)
class Recorded:
    """A request as the server saw it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-cased names

    @property
    def params(self) -> dict[str, str]:
        return dict(self.query)


Script = Sequence[Reply] | Callable[[Recorded], Reply]


@dataclass
class FaultServer:
    """The running server: `url`, the `requests` it received, and concurrency high-water mark."""

    httpd: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    max_in_flight: int = 0
    _in_flight: int = 0
    _replies: list[Reply] = field(default_factory=list)
    _handler: Callable[[Recorded], Reply] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closing: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, script: Script) -> None:
        """Set what the next requests get (a list is consumed in order; running out is a 599)."""
        with self._lock:
            if callable(script):
                self._handler, self._replies = script, []
            else:
                self._handler, self._replies = None, list(script)

    def _next(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            if self._handler is not None:
                handler = self._handler
            elif self._replies:
                return self._replies.pop(0)
            else:
                return json_reply({"error": "fault server script exhausted"}, status=599)
        return handler(request)

    def _done(self) -> None:
        with self._lock:
            self._in_flight -= 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real API front end
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures
        pass

    def do_GET(self) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        request = Recorded(
            method="GET",
            path=parts.path,
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
        )
        try:
            reply = state._next(request)
            if reply.delay_s:
                state._closing.wait(reply.delay_s)
            self._play(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout fired)
        finally:
            state._done()

    def _play(self, reply: Reply) -> None:
        if reply.fault == "close":
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        length = len(reply.body) + (reply.missing if reply.fault == "short" else 0)
        self.send_header("Content-Length", str(length))
        if reply.fault == "short":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: FaultServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-reply is part of the tests, not an error


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    """Start a server on 127.0.0.1 with an OS-chosen port; stop it on exit."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    state = FaultServer(httpd=httpd)
    httpd.state = state
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        state._closing.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def wait_until(predicate: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    """Poll `predicate` until true or `timeout_s` passes (for assertions on server threads)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it (thread-safe).

    Pass `clock.sleep` and `clock.monotonic` to the client: retries and rate-limit waits then
    take no real time, and `sleeps` records every wait so tests can assert on it.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)
