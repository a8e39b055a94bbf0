"""The fault suite (issue 15): every fault the simulator offers (`FAULT_KINDS`), and a few
combinations, applied to the landing of a small window through the plain landing functions on
the embedded simulator (the real clients, retries and lake; no Dagster run).

Each case names the outcome it must have, and why. Either the landed partitions equal a clean
landing's (a transient fault is retried), or the landing fails loudly with a named error and
every partition it did publish is whole: equal to the clean one of that day (nothing partial,
no staging left in the lake).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from codex_assets.defs.analytics.landing import land_analytics_days
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.analytics.window import latest_complete_day as analytics_latest
from codex_assets.defs.compliance.download import ComplianceIntegrityError
from codex_assets.defs.compliance.landing import land_compliance_days
from codex_assets.defs.compliance.window import latest_complete_day as compliance_latest
from codex_assets.defs.resources.source import (
    open_analytics_client,
    open_compliance_client,
    simulator_for,
)
from codex_assets.lib.http.errors import (
    ApiNotFoundError,
    ApiRetriesExhaustedError,
    CodexApiError,
)
from codex_assets.lib.lake import Lake
from codex_assets.simulator.config import FAULT_KINDS
from tests.support.digests import lake_digest
from tests.support.kills import leftovers
from tests.support.resources import codex_resource

pytestmark = pytest.mark.timeout(120)

NOW = datetime.now(UTC)
USERS = 4
USAGE = ANALYTICS_RAW_TABLES[0]
assert USAGE.name == "usage_users"
FAST = "retry_after_s=0.05"
"""429s ask for a short wait: the client honours Retry-After (codex-api.md, "Rate limits")."""


@dataclass(frozen=True)
class Case:
    source: str  # "analytics" (raw/usage_users) or "compliance" (raw/compliance_codex_log)
    faults: str
    error: type[Exception] | None = None
    """None: the landing must equal a clean one; else the named error it must fail with."""

    @property
    def id(self) -> str:
        return f"{self.source}-{self.faults}"


A, C = "analytics", "compliance"
FILE = "endpoints=compliance_file"  # the signed URL serving a log file's bytes
RETRIES_SPENT, NOT_FOUND = ApiRetriesExhaustedError, ApiNotFoundError

CASES = [
    # Transient faults are retried within the budget, so the tables equal a clean landing's.
    # 429 waits its Retry-After (codex-api.md 2.1 "429 ... with Retry-After"; for analytics
    # an inference, "Errors and rate limits"); 5xx, a dropped connection, a short body and an
    # HTML 200 (what a proxy sends for a 502) back off and retry; slow is not wrong.
    Case(A, f"rate_limit:first=3,{FAST}"),
    Case(A, "server_error:first=2"),
    Case(A, "slow:every=2,delay_ms=50"),
    Case(A, "drop:first=2"),
    Case(A, "truncate:first=2"),
    Case(A, "malformed:first=2"),
    # Unknown fields and clients are legal ("2026-12 additions"): kept in `record` and as one
    # more `clients` entry; every other column equals (see the test).
    Case(A, "extra_fields"),
    Case(C, f"rate_limit:first=3,{FAST}"),
    Case(C, "server_error:every=4"),
    Case(C, "slow:every=5,delay_ms=30"),
    Case(C, "drop:first=3"),
    # A download shorter than the listed file_size, or whose sha256 is not the listed
    # file_sha256 (2.1: both fields required; 2.2: verify it), is fetched again.
    Case(C, f"truncate:first=2,{FILE}"),
    Case(C, f"bad_checksum:first=2,{FILE}"),
    # Combinations: periodic transient faults on every route; every download fault at once.
    Case(C, f"rate_limit:every=3,{FAST};drop:every=5;slow:every=7,delay_ms=20"),
    Case(C, f"server_error:first=2;bad_checksum:first=1,{FILE};truncate:first=1,{FILE}"),
    # Persistent faults fail loudly, naming the cause, and publish no partial partition: past
    # the retry budget (CODEX_API_RETRY_BUDGET_SECONDS) a transient fault is given up on.
    Case(A, "server_error", RETRIES_SPENT),
    Case(C, f"rate_limit:{FAST}", RETRIES_SPENT),
    Case(C, "malformed:endpoints=compliance_logs", RETRIES_SPENT),
    # A 404 is not transient. On a download it means "not found, or expired" (2.2): that day
    # cannot be whole, so it fails and is not published; days landed before it stay whole.
    Case(A, "expired", NOT_FOUND),
    Case(C, "expired:endpoints=compliance_download", NOT_FOUND),
    Case(C, f"rate_limit:every=4,{FAST};expired:every=12,endpoints=compliance_download", NOT_FOUND),
    # Bytes that never match the listed sha256: the day fails (never landed unverified).
    Case(C, f"bad_checksum:{FILE}", ComplianceIntegrityError),
]


def _settings(root: Path, faults: str = "", budget: float = 20.0):
    return codex_resource(
        root, simulator_users=USERS, simulator_faults=faults, api_retry_budget_seconds=budget
    ).settings()


def _land(source: str, settings) -> None:
    lake = Lake(settings.lake_root)
    if source == "analytics":
        end = analytics_latest(NOW)
        with open_analytics_client(settings) as client:
            land_analytics_days(client, lake, USAGE, [end - timedelta(days=1), end], source="sim")
    else:
        end = compliance_latest(NOW)
        days = [end - timedelta(days=1), end]
        with open_compliance_client(settings) as client:
            land_compliance_days(client, lake, days, source="sim", now=NOW)


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory) -> dict[str, Path]:
    """A fault-free landing of each source, in a data directory of its own."""
    roots = {}
    for source in ("analytics", "compliance"):
        roots[source] = tmp_path_factory.mktemp(f"clean-{source}")
        _land(source, _settings(roots[source]))
    return roots


@pytest.fixture(scope="module")
def clean(clean_dir) -> dict[str, dict]:
    """The partitions the clean landings published (digests by path)."""
    return {source: lake_digest(root) for source, root in clean_dir.items()}


def _day(path: str) -> date:
    return date.fromisoformat(path.split("day=")[1][:10])


def test_every_fault_kind_is_covered():
    kinds = {spec.split(":")[0] for case in CASES for spec in case.faults.split(";")}
    assert kinds == set(FAULT_KINDS)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_faulted_landing_equals_a_clean_one_or_fails_loudly(case, clean, clean_dir, tmp_path):
    settings = _settings(tmp_path, case.faults, budget=20.0 if case.error is None else 2.0)
    if case.error is None:
        _land(case.source, settings)
        if case.faults == "extra_fields":
            # The extra fields stay in `record` and the unknown client lands as one more entry
            # of `clients`; every other column equals the clean landing's.
            assert lake_digest(tmp_path) != clean[case.source], "the fault never fired"
            added = frozenset({"record", "clients"})
            assert lake_digest(tmp_path, added) == lake_digest(clean_dir[case.source], added)
        else:
            assert lake_digest(tmp_path) == clean[case.source]
    else:
        with pytest.raises(case.error) as raised:
            _land(case.source, settings)
        assert isinstance(raised.value, CodexApiError)
        sim = simulator_for(settings)
        for key in (sim.config.analytics_key, sim.config.compliance_key):
            assert key not in str(raised.value)
        landed = lake_digest(tmp_path)
        # Nothing partial: every partition it published is the clean one of its day.
        assert all(landed[p] == clean[case.source][p] for p in landed)
        assert len(landed) < len(clean[case.source]), "the failure published every day"
    assert leftovers(tmp_path) == []
