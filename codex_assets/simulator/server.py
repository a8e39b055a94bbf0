"""The simulator as a real HTTP/1.1 server on the standard library.

Why a real server as well as the in-process transport: end-to-end tests and the benchmark
must exercise sockets, keep-alive, Content-Length framing and the wire-level faults exactly as
a client meets them against the real API: `drop` closes the socket without a byte of response,
`truncate` announces the whole body's Content-Length, sends about half of it, and closes.

Each response is written with one `sendall` and TCP_NODELAY, so keep-alive requests do not
stall on Nagle's algorithm; access logs are silent.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from codex_assets.simulator.app import Simulator
from codex_assets.simulator.faults import truncated

IDLE_TIMEOUT_S = 60.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "codex-simulator"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S  # idle keep-alive connections are closed after this
    server: SimulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)  # keep the connection in sync; no route takes a body
        parts = urlsplit(self.path)
        answer = self.server.simulator.handle(
            self.command,
            parts.path,
            parse_qsl(parts.query, keep_blank_values=True),
            dict(self.headers.items()),
        )
        if answer.fault == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        body = answer.body
        sent = truncated(body) if answer.fault == "truncate" else body
        head = [f"HTTP/1.1 {answer.status} {self.responses.get(answer.status, ('',))[0]}"]
        head += [f"{name}: {value}" for name, value in answer.headers.items()]
        head.append(f"content-length: {len(body)}")
        head.append(f"date: {self.date_time_string()}")
        if answer.fault == "truncate":
            head.append("connection: close")
            self.close_connection = True
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + sent)
        if answer.fault == "truncate":
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: object) -> None:
        """Silent: a benchmark makes thousands of requests."""


class SimulatorHTTPServer(ThreadingHTTPServer):
    """A threading server (daemon threads) that can close its open keep-alive connections."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, simulator: Simulator, address: tuple[str, int]) -> None:
        self.simulator = simulator
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, conn: socket.socket) -> None:
        with self._open_lock:
            self._open.add(conn)

    def untrack(self, conn: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(conn)

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up mid-response are normal here (fault tests, killed runs)."""

    def server_close(self) -> None:
        super().server_close()
        with self._open_lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{_url_host(str(host))}:{port}/v1"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def make_server(sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> SimulatorHTTPServer:
    """Bind (port 0 picks a free port); the caller runs `serve_forever` and closes it."""
    return SimulatorHTTPServer(sim, (host, port))


def serve_forever(sim: Simulator, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted (KeyboardInterrupt propagates after the socket is closed)."""
    server = make_server(sim, host, port)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


@contextlib.contextmanager
def running(sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `sim` on a background thread; yields the base URL `http://host:port/v1`."""
    server = make_server(sim, host, port)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
