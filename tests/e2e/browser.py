"""Drive Debian's headless Chromium over the DevTools protocol: load a page, wait, screenshot.

Chromium's `--dump-dom` / `--screenshot` fire before a single-page app such as the Dagster UI
has fetched its data, so this waits for the text the test expects instead. Only the standard
library and `websockets` (already installed with the Dagster webserver) are used; no browser
is downloaded.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# The flags that work on these machines (no sandbox as root, no network but loopback).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    override = os.environ.get("CODEX_CHROMIUM")
    if override:
        return override if shutil.which(override) or Path(override).is_file() else None
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Page:
    """One DevTools page session."""

    def __init__(self, ws_url: str) -> None:
        self._session = contextlib.ExitStack()
        self._ws = self._session.enter_context(
            connect(ws_url, max_size=64 * 1024 * 1024, open_timeout=10)
        )
        self._ids = itertools.count(1)

    def close(self) -> None:
        self._session.close()

    def call(self, method: str, timeout: float = 30, **params: Any) -> dict:
        message_id = next(self._ids)
        self._ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no answer to {method} within {timeout}s")
            reply = json.loads(self._ws.recv(timeout=remaining))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for_text(
        self,
        texts: Iterable[str],
        timeout: float = 60,
        script: str = "document.body ? document.body.innerText : ''",
    ) -> str:
        """Wait until the page's text (visible text by default) holds all of `texts`; return it."""
        wanted = list(texts)
        deadline = time.monotonic() + timeout
        body = ""
        while time.monotonic() < deadline:
            body = self.evaluate(script) or ""
            if all(text in body for text in wanted):
                return body
            time.sleep(0.5)
        missing = [text for text in wanted if text not in body]
        raise AssertionError(f"the page never showed {missing}; it showed: {body[:1500]!r}")

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))


@contextlib.contextmanager
def open_page(chromium: str, url: str, width: int = 1600, height: int = 1000) -> Iterator[Page]:
    """Start Chromium on a fresh profile, open `url`, yield the page; kill it all on exit."""
    profile = tempfile.mkdtemp(prefix="codex-chromium-")
    process = subprocess.Popen(
        [
            chromium,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    page = None
    try:
        port = _devtools_port(process, profile)
        targets = json.load(
            urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10)
        )
        target = next(t for t in targets if t.get("type") == "page")
        page = Page(target["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        page.call("Page.navigate", url=url)
        yield page
    finally:
        if page is not None:
            with contextlib.suppress(Exception):
                page.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def _devtools_port(process: subprocess.Popen, profile: str, timeout: float = 30) -> int:
    """The port Chromium chose (it writes DevToolsActivePort into the profile)."""
    marker = Path(profile, "DevToolsActivePort")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"chromium exited with {process.returncode}: {process.stderr.read()[-2000:]}"
            )
        if marker.is_file():
            text = marker.read_text().split()
            if text and re.fullmatch(r"\d+", text[0]):
                return int(text[0])
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port")
