"""An httpx transport that answers from a `Simulator` in process: no sockets, no port.

Why: the embedded demo and most tests run the real client code (`httpx.Client`, paging,
retries) against the simulator without a server. Wire-level faults are reproduced as httpx
would surface them: a dropped connection raises `httpx.RemoteProtocolError`; a truncated body
arrives short, with the Content-Length of the whole body (as the headers on the wire said).
"""

from __future__ import annotations

import httpx

from codex_assets.simulator.app import Simulator
from codex_assets.simulator.faults import truncated


class SimulatorTransport(httpx.BaseTransport):
    """`httpx.Client(base_url="http://simulator.local/v1", transport=SimulatorTransport(sim))`.

    Thread-safe: it holds no state of its own and `Simulator.handle` is thread-safe.
    """

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        answer = self.simulator.handle(
            request.method,
            request.url.path,
            request.url.params.multi_items(),
            dict(request.headers),
        )
        if answer.fault == "drop":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        headers = {**answer.headers, "content-length": str(len(answer.body))}
        body = truncated(answer.body) if answer.fault == "truncate" else answer.body
        return httpx.Response(answer.status, headers=headers, content=body, request=request)
