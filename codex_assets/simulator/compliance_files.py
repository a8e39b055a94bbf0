"""Compliance log files: which files a 10-minute window has, their bytes, ids and checksums.

Why a disk cache: a million-event day is about 600 MB of JSONL and takes seconds of Python to
render, but a file, once published, is immutable. So each window is rendered once, written to
`<cache dir>/<key>/...` (tmp + rename, so concurrent servers never see half a file) with a
manifest of its files' ids, sizes and sha256; every later list or download is a small JSON read
and a file read. The key hashes everything that changes the bytes (generator version, seed,
workspace size and ids, volume, size cap), so a cache is never stale and may be shared.

Why ids carry their window: a download names only the file id. The id packs (principal, event
type, window, part) plus a MAC, base32-encoded, so any server process can find the file again
without a lookup table, and a made-up id is a clean 404.

Splitting: a window's events are delivered in publication order; when they exceed the 15 MB cap
they are cut into several files, each under the cap, whose `end_time`s are distinct and
increasing inside the window (the last ends at the window's end). A file's `end_time` is what
the list endpoint's `after`/`before` compare. On a profile with `shared_end_time_fraction` (and
for the day's last window with `midnight_file`), a window under the cap is instead delivered
as 2 or 3 files that all end at the window's end: several files with one `end_time`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import re
import struct
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from codex_assets.simulator.cache import LruCache
from codex_assets.simulator.compliance_events import (
    CODEX_LOG,
    MAX_DELIVERY_DELAY_US,
    US,
    DayEvents,
    day_start_us,
    generate_day,
    iso_us,
    uuid_text,
    window_bounds,
    window_day,
)
from codex_assets.simulator.compliance_render import EventRenderer
from codex_assets.simulator.workspace import derived_rng

if TYPE_CHECKING:
    from codex_assets.simulator.app import Simulator

GENERATOR_VERSION = 2
WINDOW_US = 600 * US

WORKSPACE_EVENT_TYPES: tuple[str, ...] = (
    "CONVERSATION_MESSAGE",
    "AUDIT_LOG",
    "AUTH_LOG",
    "CODEX_LOG",
    "CODEX_SECURITY_LOG",
    "CHATGPT_PLUGIN_SPREADSHEET",
    "CUSTOM_AGENTS_LOG",
    "APP_LOG",
    "APP_AUTH_LOG",
)
ORGANIZATION_EVENT_TYPES: tuple[str, ...] = ("APP_LOG", "APP_AUTH_LOG", "COSTS")
ALL_EVENT_TYPES: tuple[str, ...] = (*WORKSPACE_EVENT_TYPES, "COSTS")
WORKSPACE, ORGANIZATION = 0, 1
PRINCIPAL_TYPES = ("CHATGPT_WORKSPACE", "API_PLATFORM_ORG")

FILE_ID = re.compile(r"^clf_[A-Z2-7]{24}$")
_ID_LAYOUT = struct.Struct(">BBIB")  # principal, event type, window, part
_MAC_BYTES = 8
DAY_CACHE_BYTES = 400 * 1024 * 1024


@dataclass(frozen=True)
class LogFile:
    """One immutable file, as the list endpoint describes it, and where its bytes are."""

    id: str
    principal: int
    event_type: str
    window: int
    part: int
    end_us: int
    file_name: str
    file_size: int
    file_sha256: str
    path: Path

    def listing(self) -> dict[str, Any]:
        """The list endpoint's `data[]` entry (SPEC field order)."""
        return {
            "id": self.id,
            "event_type": self.event_type,
            "end_time": iso_offset(self.end_us),
            "file_name": self.file_name,
            "file_size": self.file_size,
            "file_sha256": self.file_sha256,
        }


def iso_offset(micros: int) -> str:
    """`2026-05-01T00:10:00+00:00` (microseconds only when not zero), as SPEC's example."""
    text = iso_us(micros)[:-1]
    if text.endswith(".000000"):
        text = text[:-7]
    return text + "+00:00"


def default_cache_root() -> Path:
    return Path(tempfile.gettempdir()) / "codex-assets-simulator"


class ComplianceFiles:
    """The files of every (principal, event type, window) of one simulator, cached on disk."""

    def __init__(self, sim: Simulator, organization_id: str) -> None:
        config = sim.config
        self.sim = sim
        self.workspace = sim.workspace
        self.organization_id = organization_id
        self.events_per_day = config.compliance_events_per_day
        self.max_bytes = config.compliance_file_max_bytes
        self.renderer = EventRenderer(
            sim.workspace, sim.workspace_id, config.agent_attribution_fraction
        )
        self.shared_end_fraction = config.shared_end_time_fraction
        self.midnight_file = config.midnight_file
        material = repr(
            (
                GENERATOR_VERSION,
                config.seed,
                config.users,
                sim.workspace_id,
                organization_id,
                self.events_per_day,
                self.max_bytes,
                # the profile's knobs that change the bytes; none on the rich profile, whose
                # key (and so its file ids) stays what it always was
                *config.compliance_shape_key(),
            )
        )
        self.key = hashlib.sha256(material.encode()).hexdigest()[:20]
        root = Path(config.compliance_cache_dir) if config.compliance_cache_dir else None
        self.root = (root or default_cache_root()) / self.key
        self._mac_key = hashlib.sha256(f"codex-sim-file-ids:{self.key}".encode()).digest()
        self._days: LruCache[DayEvents] = LruCache(DAY_CACHE_BYTES, weigh=lambda d: d.nbytes)
        self._manifests: LruCache[tuple[LogFile, ...]] = LruCache(20_000)
        self._locks: dict[tuple[int, str, int], threading.Lock] = {}
        self._locks_lock = threading.Lock()

    # -- ids --------------------------------------------------------------------------------

    def file_id(self, principal: int, event_type: str, window: int, part: int) -> str:
        packed = _ID_LAYOUT.pack(principal, ALL_EVENT_TYPES.index(event_type), window, part)
        mac = hmac.new(self._mac_key, packed, hashlib.sha256).digest()[:_MAC_BYTES]
        return "clf_" + base64.b32encode(packed + mac).decode().rstrip("=")

    def decode_id(self, file_id: str) -> tuple[int, str, int, int] | None:
        """(principal, event type, window, part) of an id this simulator issued, else None."""
        raw = base64.b32decode(file_id.removeprefix("clf_"))
        packed, mac = raw[: _ID_LAYOUT.size], raw[_ID_LAYOUT.size :]
        expected = hmac.new(self._mac_key, packed, hashlib.sha256).digest()[:_MAC_BYTES]
        if not hmac.compare_digest(mac, expected):
            return None
        principal, type_code, window, part = _ID_LAYOUT.unpack(packed)
        if principal > ORGANIZATION or type_code >= len(ALL_EVENT_TYPES):
            return None
        return principal, ALL_EVENT_TYPES[type_code], window, part

    # -- events -----------------------------------------------------------------------------

    def day_events(self, day: date) -> DayEvents:
        """The CODEX_LOG skeleton of `day` (kept in memory for the few days being served)."""
        return self._days.get(
            day,
            lambda: generate_day(self.workspace, day, self.events_per_day, self.midnight_file),
        )

    def codex_window_lines(self, window: int) -> tuple[list[bytes], list[int]]:
        """The CODEX_LOG lines delivered in `window` in delivery order, and when each was
        published (late events and duplicates come from the day before near midnight)."""
        start, end = window_bounds(window)
        day = window_day(window)
        keyed: list[tuple[int, int, int]] = []
        sources: list[DayEvents] = []
        for source_day in (day.fromordinal(day.toordinal() - 1), day):
            if day_start_us(source_day) + 86_400 * US + MAX_DELIVERY_DELAY_US <= start:
                continue
            events = self.day_events(source_day)
            rows = events.published_between(start, end)
            published = events.pub_us[rows].tolist()
            keyed += [
                (pub, len(sources), int(row))
                for pub, row in zip(published, rows.tolist(), strict=True)
            ]
            sources.append(events)
        keyed.sort()  # by publication instant; the earlier day first on ties
        lines = [
            orjson.dumps(self.renderer.event(sources[i], int(sources[i].copy_serial[row])))
            for _, i, row in keyed
        ]
        return lines, [pub for pub, _, _ in keyed]

    def window_has_events(self, principal: int, event_type: str, window: int) -> bool:
        """Whether the window has any file, computed without rendering or writing it (what
        a walk over many windows, such as max_event_time's, needs to be cheap)."""
        if principal == WORKSPACE and event_type == CODEX_LOG:
            start, end = window_bounds(window)
            day = window_day(window)
            for source_day in (day.fromordinal(day.toordinal() - 1), day):
                if day_start_us(source_day) + 86_400 * US + MAX_DELIVERY_DELAY_US <= start:
                    continue
                if len(self.day_events(source_day).published_between(start, end)):
                    return True
            return False
        return self._generic_count(principal, event_type, window)[1] > 0

    def _generic_count(
        self, principal: int, event_type: str, window: int
    ) -> tuple[np.random.Generator, int]:
        rng = derived_rng(self.workspace.seed, "compliance-generic", principal, event_type, window)
        users = len(self.workspace.users)
        rate = 0.0 if not users else max(0.05, users / 2000)
        return rng, int(rng.poisson(rate))

    def generic_window_lines(
        self, principal: int, event_type: str, window: int
    ) -> tuple[list[bytes], list[int]]:
        """A few events of a type the simulator does not model in depth (AUTH_LOG, APP_LOG,
        COSTS, ...): the documented envelope and a small `action_data`."""
        rng, n = self._generic_count(principal, event_type, window)
        users = len(self.workspace.users)
        if not n:
            return [], []
        start, _ = window_bounds(window)
        stamps = np.sort(start + rng.integers(0, WINDOW_US, n))
        who = rng.integers(0, users, n)
        ids = rng.integers(0, np.iinfo(np.int64).max, (n, 2))
        principal_id = self.sim.workspace_id if principal == WORKSPACE else self.organization_id
        lines = []
        for i in range(n):
            event: dict[str, Any] = {
                "event_id": uuid_text(int(ids[i, 0]), int(ids[i, 1])),
                "type": event_type,
                "timestamp": iso_us(int(stamps[i])),
                "principal": {"id": principal_id, "type": PRINCIPAL_TYPES[principal]},
                "actor": {"type": "SYSTEM"}
                if event_type == "COSTS"
                else self.renderer.actor(int(who[i])),
            }
            if event_type in ("AUTH_LOG", "APP_AUTH_LOG"):
                event["request_metadata"] = {
                    "client_ip": f"10.{i % 250}.{int(who[i]) % 250}.{(window + i) % 250}",
                    "client_user_agent": "Mozilla/5.0",
                }
                event["action_data"] = {"action": "login_success", "auth_provider_name": "sso"}
            else:
                event["action_data"] = {"action": f"{event_type.lower()}_event"}
            lines.append(orjson.dumps(event))
        return lines, stamps.tolist()

    # -- files ------------------------------------------------------------------------------

    def window_files(self, principal: int, event_type: str, window: int) -> tuple[LogFile, ...]:
        """The window's files (rendered and written on first use, then read from the cache)."""
        key = (principal, event_type, window)
        return self._manifests.get(key, lambda: self._load_or_build(*key))

    def read(self, log_file: LogFile) -> bytes:
        try:
            return log_file.path.read_bytes()
        except FileNotFoundError:  # the cache was cleaned under us: build the window again
            self._manifests.clear()
            with contextlib.suppress(FileNotFoundError):
                self._manifest_path(
                    log_file.principal, log_file.event_type, log_file.window
                ).unlink()
            rebuilt = self.window_files(log_file.principal, log_file.event_type, log_file.window)
            return rebuilt[log_file.part].path.read_bytes()

    def _directory(self, principal: int, event_type: str, window: int) -> Path:
        day = window_day(window)
        return self.root / PRINCIPAL_TYPES[principal] / event_type / day.isoformat()

    def _manifest_path(self, principal: int, event_type: str, window: int) -> Path:
        return self._directory(principal, event_type, window) / f"{window}.manifest.json"

    def _lock(self, key: tuple[int, str, int]) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(key, threading.Lock())

    def _load_or_build(self, principal: int, event_type: str, window: int) -> tuple[LogFile, ...]:
        manifest = self._manifest_path(principal, event_type, window)
        with self._lock((principal, event_type, window)):
            loaded = self._load(manifest, principal, event_type, window)
            if loaded is not None:
                return loaded
            return self._build(manifest, principal, event_type, window)

    def _load(
        self, manifest: Path, principal: int, event_type: str, window: int
    ) -> tuple[LogFile, ...] | None:
        try:
            entries = orjson.loads(manifest.read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            return None
        files = tuple(
            self._log_file(principal, event_type, window, part, e["end_us"], e["size"], e["sha256"])
            for part, e in enumerate(entries)
        )
        if not all(f.path.exists() for f in files):
            return None
        return files

    def _build(
        self, manifest: Path, principal: int, event_type: str, window: int
    ) -> tuple[LogFile, ...]:
        if principal == WORKSPACE and event_type == CODEX_LOG:
            lines, published = self.codex_window_lines(window)
        else:
            lines, published = self.generic_window_lines(principal, event_type, window)
        directory = manifest.parent
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        files = []
        split = self._split(lines, published, window)
        if len(split) == 1 and self._shares_end_time(principal, event_type, window):
            split = _shared_end_split(lines, split[0][1])
        for part, (chunk, end_us) in enumerate(split):
            body = b"".join(line + b"\n" for line in chunk)
            log_file = self._log_file(
                principal,
                event_type,
                window,
                part,
                end_us,
                len(body),
                hashlib.sha256(body).hexdigest(),
            )
            _atomic_write(log_file.path, body)
            files.append(log_file)
        entries = [
            {"end_us": f.end_us, "size": f.file_size, "sha256": f.file_sha256} for f in files
        ]
        _atomic_write(manifest, orjson.dumps(entries))
        return tuple(files)

    def _split(
        self, lines: list[bytes], published: list[int], window: int
    ) -> list[tuple[list[bytes], int]]:
        """Cut `lines` into files under the size cap; (lines, end_us) per file.

        Inner files end where the next file's first event was published, nudged so the ends are
        distinct, increasing, and inside (window start, window end]; the last ends with the
        window, so every file of the window belongs to the window's day.
        """
        if not lines:
            return []
        window_start, window_end = window_bounds(window)
        chunks: list[list[bytes]] = [[]]
        firsts = [0]
        size = 0
        for index, line in enumerate(lines):
            if chunks[-1] and size + len(line) + 1 > self.max_bytes:
                chunks.append([])
                firsts.append(index)
                size = 0
            chunks[-1].append(line)
            size += len(line) + 1
        ends: list[int] = []
        for i, first in enumerate(firsts[1:]):
            end = max(published[first], window_start + 1, ends[-1] + 1 if ends else 0)
            ends.append(min(end, window_end - (len(chunks) - 1 - i)))
        return list(zip(chunks, [*ends, window_end], strict=True))

    def _shares_end_time(self, principal: int, event_type: str, window: int) -> bool:
        """Whether the window's events come as several files with one end_time (profile)."""
        if self.midnight_file and (window + 1) % 144 == 0:
            return True  # the day's last window: several files ending exactly at midnight
        if not self.shared_end_fraction:
            return False
        digest = hashlib.sha256(
            f"shared-end:{self.workspace.seed}:{principal}:{event_type}:{window}".encode()
        ).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < self.shared_end_fraction

    def _log_file(
        self,
        principal: int,
        event_type: str,
        window: int,
        part: int,
        end_us: int,
        size: int,
        sha256: str,
    ) -> LogFile:
        _, window_end = window_bounds(window)
        stamp = iso_us(window_end)[:19] + "Z"
        suffix = f"_part{part + 1}" if part or end_us != window_end else ""
        name = f"{event_type}_{stamp}{suffix}.jsonl"
        return LogFile(
            id=self.file_id(principal, event_type, window, part),
            principal=principal,
            event_type=event_type,
            window=window,
            part=part,
            end_us=end_us,
            file_name=name,
            file_size=size,
            file_sha256=sha256,
            path=self._directory(principal, event_type, window) / f"{window}-{part}.jsonl",
        )


def _shared_end_split(lines: list[bytes], end_us: int) -> list[tuple[list[bytes], int]]:
    """The window's lines as 2 or 3 files (fewer if it has fewer lines), all ending at `end_us`."""
    parts = min(len(lines), 2 + len(lines) % 2)
    if parts < 2:
        return [(lines, end_us)]
    bounds = [round(i * len(lines) / parts) for i in range(parts + 1)]
    return [(lines[bounds[i] : bounds[i + 1]], end_us) for i in range(parts)]


def _atomic_write(path: Path, body: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
