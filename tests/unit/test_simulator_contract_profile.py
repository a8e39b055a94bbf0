"""The simulator's contract profile: every awkward but legal shape of the API, from the seed.

What the shapes rely on is reference/codex-api.md, "2026-12 additions" (inactive days omitted,
pages shorter than `limit`, `clients: []` with totals, `cost_usd` for USD billing, the
max_event_time route, `CODEX_LOG.agent`) and Part 2, 2.1 (`after` is strict, page on
`last_end_time`). The rich profile stays byte for byte what it was (a pinned fingerprint).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import httpx
import orjson
import pytest

from codex_assets.defs.resources import CodexResource
from codex_assets.defs.resources.source import simulator_for, source_fingerprint
from codex_assets.lib.settings import SettingsError
from codex_assets.simulator import rows as render
from codex_assets.simulator.app import Simulator, workspace_shape
from codex_assets.simulator.config import PRESET, PROFILES, SimulatorConfig
from codex_assets.simulator.serve import build_parser
from codex_assets.simulator.transport import SimulatorTransport
from codex_assets.simulator.workspace import CLIENTS, MODELS, WorkspaceShape

NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)  # 2026-05-09 (a Saturday) complete since 12:00
LAST_DAY = date(2026, 5, 9)
DAYS = [LAST_DAY - timedelta(days=n) for n in range(60)]
FEEDS = (
    ("usage", {}),
    ("usage", {"group": "workspace"}),
    ("code_reviews", {}),
    ("code_review_responses", {}),
)
ENDPOINTS = ("usage", "usage_workspace", "code_reviews", "code_review_responses")
EMPTY_PAGE = {"object": "page", "data": [], "has_more": False, "next_page": None}
KNOWN_MODELS = {name for name, _ in MODELS}


def ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def one_day(day: date) -> dict:
    return {"start_time": ts(day), "end_time": ts(day + timedelta(days=1))}


def cents(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


class Api:
    """httpx clients (analytics and compliance keys) on a simulator with a settable clock."""

    def __init__(self, tmp_path=None, users: int = 60, seed: int = 11, **config) -> None:
        self.clock = [config.pop("now", NOW)]
        config.setdefault("profile", "contract")
        if tmp_path is not None:
            config.setdefault("compliance_cache_dir", str(tmp_path / "cache"))
        self.sim = Simulator(
            SimulatorConfig(seed=seed, users=users, now=lambda: self.clock[0], **config)
        )
        transport = SimulatorTransport(self.sim)
        base = "http://simulator.local/v1"
        self.analytics = httpx.Client(
            base_url=base,
            transport=transport,
            headers={"Authorization": f"Bearer {self.sim.config.analytics_key}"},
        )
        self.compliance = httpx.Client(
            base_url=base,
            transport=transport,
            headers={"Authorization": f"Bearer {self.sim.config.compliance_key}"},
        )
        self.prefix = f"/analytics/codex/workspaces/{self.sim.workspace_id}"
        self.logs = f"/compliance/workspaces/{self.sim.workspace_id}/logs"

    def get(self, endpoint: str, **params) -> httpx.Response:
        return self.analytics.get(f"{self.prefix}/{endpoint}", params=params)

    def pages(self, endpoint: str, **params) -> list[dict]:
        """Every page of a query, following next_page (URL-encoded by httpx)."""
        out, page = [], None
        while True:
            response = self.get(endpoint, **params, **({"page": page} if page else {}))
            assert response.status_code == 200, response.text
            out.append(response.json())
            if not out[-1]["has_more"]:
                assert out[-1]["next_page"] is None
                return out
            page = out[-1]["next_page"]
            assert len(out) < 5000, "paging does not end"

    def listing(self, day: date, event_type: str = "CODEX_LOG", **extra) -> list[dict]:
        """Every list page of `day`'s files, following the documented after=last_end_time."""
        params = {
            "event_type": event_type,
            "after": f"{day}T00:00:00Z",
            "before": f"{day + timedelta(days=1)}T00:00:01Z",
            **extra,
        }
        pages = []
        while True:
            pages.append(self.compliance.get(self.logs, params=params).raise_for_status().json())
            if not pages[-1]["has_more"]:
                return pages
            assert pages[-1]["last_end_time"] is not None
            assert pages[-1]["last_end_time"] != params["after"], "paging must advance"
            params["after"] = pages[-1]["last_end_time"]
            assert len(pages) < 5000, "paging does not end"


@pytest.fixture(scope="module")
def api() -> Api:
    return Api(users=120)


# -- configuration -----------------------------------------------------------------------------


def test_profiles_preset_every_knob_and_an_explicit_knob_wins():
    rich, contract = SimulatorConfig(), SimulatorConfig(profile="contract")
    assert rich.shape() == PROFILES["rich"]
    assert contract.shape() == PROFILES["contract"]
    assert contract.max_page_rows == 25 and contract.cursor_style == "standard"
    one = SimulatorConfig(profile="contract", max_page_rows=1, idle_weekends=False)
    assert one.max_page_rows == 1 and one.idle_weekends is False
    assert one.cursor_style == "standard"  # the other knobs keep the preset
    assert SimulatorConfig(profile="contract", max_page_rows=None).max_page_rows is None
    assert SimulatorConfig(max_page_rows=3).cursor_style == "urlsafe"  # rich + one knob
    assert all(getattr(contract, name) is not PRESET for name in PROFILES["rich"])
    # the rich preset is exactly what the workspace always used
    assert workspace_shape(rich) == WorkspaceShape()
    assert rich.compliance_shape_key() == ()
    assert rich.billing_unit == "credits" and rich.serve_max_event_time is True


@pytest.mark.parametrize(
    ("knobs", "says"),
    [
        ({"profile": "sparse"}, "unknown simulator profile"),
        ({"billing_unit": "eur"}, "billing_unit"),
        ({"cursor_style": "hex"}, "cursor_style"),
        ({"max_page_rows": 0}, "max_page_rows"),
        ({"max_page_files": 0}, "max_page_files"),
        ({"idle_day_fraction": 1.5}, "idle_day_fraction"),
        ({"restatement_delay_days": -1}, "restatement_delay_days"),
    ],
)
def test_bad_knobs_say_what_is_wrong(knobs, says):
    with pytest.raises(ValueError, match=says):
        SimulatorConfig(**knobs)


# -- sparse days -------------------------------------------------------------------------------


def test_idle_days_have_no_rows_on_any_endpoint(api):
    idle = [day for day in DAYS if api.sim.workspace.is_idle(day)]
    weekends = [day for day in DAYS if day.weekday() >= 5]
    assert set(weekends) <= set(idle)
    weekdays_idle = [day for day in idle if day.weekday() < 5]
    assert weekdays_idle, "about 10% of the other days are idle too"
    assert len(weekdays_idle) < 0.25 * (len(DAYS) - len(weekends))
    for day in [*weekdays_idle, *weekends[:3]]:
        for endpoint, params in FEEDS:
            body = api.get(endpoint, limit=30000, **params, **one_day(day)).json()
            assert body == EMPTY_PAGE, (day, endpoint)
        assert all(api.sim.day_rows(e, day) == [] for e in ENDPOINTS)
    # the rule is a pure function of the seed
    again = Simulator(SimulatorConfig(profile="contract", seed=11, users=120))
    assert [again.workspace.is_idle(d) for d in DAYS] == [
        api.sim.workspace.is_idle(d) for d in DAYS
    ]


def test_a_multi_day_window_skips_idle_days(api):
    week = [LAST_DAY - timedelta(days=n) for n in range(6, -1, -1)]
    rows = [r for page in api.pages("usage", start_time=ts(week[0])) for r in page["data"]]
    served_days = {r["start_time"] for r in rows}
    assert served_days == {ts(d) for d in week if not api.sim.workspace.is_idle(d)}


@pytest.mark.parametrize("profile", ["rich", "contract"])
def test_inactive_users_have_no_row_on_either_profile(profile):
    sim = Simulator(SimulatorConfig(profile=profile, users=300, now=lambda: NOW))
    day = date(2026, 5, 7)
    rows = sim.day_rows("usage", day)
    assert 0 < len(rows) < 300  # the rich profile omitted inactive users already
    assert all(r["totals"]["threads"] > 0 and r["totals"]["turns"] > 0 for r in rows)
    assert len(rows) == len(sim.activity(day))


def test_review_feeds_have_no_row_without_reviews_and_are_independent(api):
    usage_days = [d for d in DAYS if api.sim.day_rows("usage", d)]
    reviews = {d: api.sim.day_rows("code_reviews", d) for d in usage_days}
    responses = {d: api.sim.day_rows("code_review_responses", d) for d in usage_days}
    assert any(not reviews[d] for d in usage_days), "a day with usage and no code_reviews row"
    assert any(reviews[d] and not responses[d] for d in usage_days)
    assert any(responses[d] and not reviews[d] for d in usage_days)
    for d in usage_days:
        for row in reviews[d]:
            assert row["pull_request_reviews"] > 0 or row["comments"] > 0  # never a zero row
        for row in responses[d]:
            assert row["pull_request_reviews"] > 0
        if not reviews[d]:
            assert api.get("code_reviews", **one_day(d)).json() == EMPTY_PAGE
    # the rich profile keeps serving a row for every day, zero or not
    rich = Simulator(SimulatorConfig(users=120, now=lambda: NOW))
    assert all(len(rich.day_rows("code_reviews", d)) == 1 for d in DAYS[:14])


def test_some_review_comments_carry_no_priority(api):
    rows = [r for d in DAYS for r in api.sim.day_rows("code_reviews", d)]
    assert all(set(r["comment_details"]) >= {"p0", "p1", "p2"} for r in rows)
    prioritized = [sum(r["comment_details"][p] for p in ("p0", "p1", "p2")) for r in rows]
    comments = [r["comments"] for r in rows]
    assert all(p <= c for p, c in zip(prioritized, comments, strict=True))
    assert any(p < c for p, c in zip(prioritized, comments, strict=True))
    assert any(p == c for p, c in zip(prioritized, comments, strict=True))


# -- short pages and cursors -------------------------------------------------------------------


def test_one_row_a_page_returns_each_row_exactly_once():
    api = Api(users=30, max_page_rows=1, empty_last_page_fraction=0.0)
    start = LAST_DAY - timedelta(days=4)
    params = {"start_time": ts(start), "end_time": ts(LAST_DAY + timedelta(days=1))}
    expected = [r for n in range(5) for r in api.sim.day_rows("usage", start + timedelta(n))]
    assert len(expected) > 5
    pages = api.pages("usage", limit=1000, **params)
    assert all(len(page["data"]) <= 1 for page in pages)
    assert all(page["has_more"] for page in pages[:-1])
    served = [r for page in pages for r in page["data"]]
    assert served == expected
    keys = [(r["start_time"], r["user_id"]) for r in served]
    assert len(set(keys)) == len(keys)
    # the same with the other feeds
    for endpoint, extra in FEEDS[1:]:
        pages = api.pages(endpoint, limit=30000, **extra, **params)
        name = "usage_workspace" if extra else endpoint
        want = [r for n in range(5) for r in api.sim.day_rows(name, start + timedelta(n))]
        assert [r for p in pages for r in p["data"]] == want
        assert all(len(p["data"]) <= 1 for p in pages)


def test_pages_are_capped_below_limit_with_has_more(api):
    day = LAST_DAY - timedelta(days=2)
    assert len(api.sim.day_rows("usage", day)) > 25
    first = api.get("usage", limit=1000, **one_day(day)).json()
    assert len(first["data"]) == 25 and first["has_more"] is True


def test_some_queries_end_on_an_empty_page():
    always = Api(users=30, empty_last_page_fraction=1.0)
    day = LAST_DAY - timedelta(days=2)
    pages = always.pages("usage", **one_day(day))
    assert pages[-1] == EMPTY_PAGE and len(pages) >= 2
    assert pages[-2]["has_more"] is True and pages[-2]["data"]
    assert [r for p in pages for r in p["data"]] == always.sim.day_rows("usage", day)
    # the preset ends about half of the queries that way, deterministically per query
    api = Api(users=30)
    endings = []
    for n in range(2, 12):
        d = LAST_DAY - timedelta(days=n)
        if api.sim.day_rows("usage", d):
            pages = api.pages("usage", limit=7, **one_day(d))
            endings.append(pages[-1]["data"] == [])
            assert pages == api.pages("usage", limit=7, **one_day(d))
    assert any(endings) and not all(endings)
    # an idle day is one empty page, never preceded by a fake has_more
    idle = next(d for d in DAYS if api.sim.workspace.is_idle(d))
    assert api.pages("usage", **one_day(idle)) == [EMPTY_PAGE]


def test_cursors_contain_plus_slash_and_equals_and_round_trip_when_encoded(api):
    day = LAST_DAY - timedelta(days=2)
    first = api.get("usage", limit=5, **one_day(day)).json()
    cursor = first["next_page"]
    assert {"+", "/", "="} <= set(cursor)
    # httpx URL-encodes the value (%2B %2F %3D); the server decodes it back
    second = api.get("usage", limit=5, page=cursor, **one_day(day))
    assert second.status_code == 200
    assert second.json()["data"] == api.sim.day_rows("usage", day)[5:10]
    # a client that pastes the cursor into the URL unencoded sends '+' as a space: refused
    query = f"start_time={ts(day)}&end_time={ts(day + timedelta(days=1))}&limit=5"
    raw = api.analytics.get(f"{api.prefix}/usage?{query}&page={cursor}")
    assert raw.status_code == 422, raw.text
    assert raw.json()["detail"][0]["loc"] == ["query", "page"]


def test_the_rich_profile_keeps_its_urlsafe_cursors():
    rich = Api(users=60, profile="rich")
    cursor = rich.get("usage", limit=5, **one_day(LAST_DAY - timedelta(days=2))).json()["next_page"]
    assert not {"+", "/", "="} & set(cursor)


# -- row quirks --------------------------------------------------------------------------------


def test_quirk_rows_appear_on_the_contract_profile():
    api = Api(users=600)
    rows = [r for d in DAYS[:20] for r in api.sim.day_rows("usage", d)]
    assert any(r["clients"] == [] and r["totals"]["threads"] > 0 for r in rows)  # codex#13295
    assert any(r["models"] is None for r in rows)
    assert any(r["actor"]["email"] is None for r in rows)
    assert any(r["totals"]["text_total_tokens"] is None for r in rows)
    assert any(r["totals"]["estimated_cost_usd"] is None for r in rows)
    clients = {c["client_id"] for r in rows for c in r["clients"]}
    assert clients - set(CLIENTS) and clients - set(CLIENTS) <= set(render.UNKNOWN_CLIENTS)
    models = {m["model"] for r in rows for m in r["models"] or []}
    assert models - KNOWN_MODELS
    documented = {
        "object",
        "start_time",
        "end_time",
        "user_id",
        "actor",
        "totals",
        "clients",
        "models",
        "code_attribution",
    }
    assert any(set(r) - documented for r in rows)
    assert any(set(r["totals"]) - {"threads", "turns", "credits", "estimated_cost_usd",
                                     "uncached_text_input_tokens", "cached_text_input_tokens",
                                     "text_output_tokens", "text_total_tokens"} for r in rows)  # fmt: skip
    reviews = [r for d in DAYS for r in api.sim.day_rows("code_reviews", d)]
    assert any("repositories_reviewed" in r for r in reviews)
    # the rich profile has none of these
    rich = Simulator(SimulatorConfig(users=600, now=lambda: NOW))
    rich_rows = [r for d in DAYS[:5] for r in rich.day_rows("usage", d)]
    assert all(r["clients"] and r["models"] is not None and set(r) == documented for r in rich_rows)


def test_the_workspace_row_adds_up_to_what_the_user_rows_show():
    api = Api(users=600)
    for day in [d for d in DAYS[:15] if api.sim.day_rows("usage", d)][:5]:
        users = api.sim.day_rows("usage", day)
        [ws] = api.sim.day_rows("usage_workspace", day)
        assert ws["totals"]["threads"] == sum(r["totals"]["threads"] for r in users)
        assert cents(ws["totals"]["credits"]) == sum(cents(r["totals"]["credits"]) for r in users)
        by_client: Counter = Counter()
        for r in users:
            for c in r["clients"]:
                by_client[c["client_id"]] += c["turns"]
        assert {c["client_id"]: c["turns"] for c in ws["clients"]} == by_client
        by_model: Counter = Counter()
        for r in users:
            for m in r["models"] or []:
                by_model[(m["model"], m["speed"])] += cents(m["credits"])
        assert {(m["model"], m["speed"]): cents(m["credits"]) for m in ws["models"]} == by_model
        # totals still count what the breakdowns leave out
        assert sum(c["turns"] for c in ws["clients"]) <= ws["totals"]["turns"]


def test_past_days_are_restated_on_their_own():
    api = Api(users=200)
    restated = [d for d in DAYS[3:40] if api.sim.revision(d) == 1]
    assert restated and len(restated) < len(DAYS[3:40])
    day = next(d for d in restated if api.sim.day_rows("usage", d))
    # first published at D+1 12:00 as revision 0, restated one day later
    api.clock[0] = datetime(day.year, day.month, day.day, 13, tzinfo=UTC) + timedelta(days=1)
    assert api.sim.revision(day) == 0
    before = api.sim.day_rows("usage", day)
    api.clock[0] += timedelta(days=1)
    assert api.sim.revision(day) == 1
    after = api.sim.day_rows("usage", day)
    assert [r["user_id"] for r in after] == [r["user_id"] for r in before]
    assert after != before
    api.sim.restate(day, 0)  # an explicit revision wins
    assert api.sim.day_rows("usage", day) == before


# -- billing unit ------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["rich", "contract"])
def test_a_usd_billed_workspace_reports_cost_usd_instead_of_credits(profile):
    sim = Simulator(SimulatorConfig(profile=profile, users=200, billing_unit="usd"))
    credits = Simulator(SimulatorConfig(profile=profile, users=200))
    day = date(2026, 5, 7)
    rows = sim.day_rows("usage", day)
    assert rows
    for row in [*rows, *sim.day_rows("usage_workspace", day)]:
        assert "credits" not in row["totals"] and isinstance(row["totals"]["cost_usd"], float)
        assert "estimated_cost_usd" in row["totals"]  # still the estimate
        for entry in [*row["clients"], *(row["models"] or [])]:
            assert "credits" not in entry and "cost_usd" in entry
    [ws] = sim.day_rows("usage_workspace", day)
    assert cents(ws["totals"]["cost_usd"]) == sum(cents(r["totals"]["cost_usd"]) for r in rows)
    # same usage, another unit: cost is credits at the workspace's rate, to the cent
    for usd, cr in zip(rows, credits.day_rows("usage", day), strict=True):
        assert usd["totals"]["turns"] == cr["totals"]["turns"]
        rate = sim.workspace.rate_per_credit_e4
        expect = (cents(cr["totals"]["credits"]) * rate + 5_000) // 10_000
        assert cents(usd["totals"]["cost_usd"]) == expect


# -- compliance --------------------------------------------------------------------------------


def test_one_file_a_page_lists_every_file_once_following_last_end_time(tmp_path):
    api = Api(tmp_path, max_page_files=1, empty_last_page_fraction=0.0)
    day = date(2026, 5, 7)  # a Thursday
    pages = api.listing(day)
    files = [f for page in pages for f in page["data"]]
    ids = [f["id"] for f in files]
    assert len(ids) == len(set(ids)), "no file twice"
    assert sorted(ids) == sorted(f.id for f in api.sim.compliance.day_files(day))
    assert ids == [f.id for f in api.sim.compliance.day_files(day)]
    # several files share one end_time; a page holds one file, or one whole run of them
    runs = Counter(f["end_time"] for f in files)
    assert any(n >= 2 for n in runs.values())
    for page in pages:
        ends = {f["end_time"] for f in page["data"]}
        assert len(ends) == 1 and len(page["data"]) == runs[ends.pop()]
        assert page["last_end_time"] == page["data"][-1]["end_time"]
    assert all(page["has_more"] for page in pages[:-1])
    # the day's last file ends exactly at midnight UTC (it belongs to the day it closes)
    midnight = [f for f in files if f["end_time"] == "2026-05-08T00:00:00+00:00"]
    assert len(midnight) >= 2


def test_a_run_of_shared_end_times_is_never_split_even_with_several_event_types(tmp_path):
    """`after` is strict: had a page ended inside a run, after=last_end_time would skip the
    rest of it. The rich profile's multi-type listing (CODEX_LOG and AUTH_LOG files of one
    window end together) is held to the same rule."""
    for profile in ("rich", "contract"):
        api = Api(tmp_path / profile, profile=profile, empty_last_page_fraction=0.0)
        day = date(2026, 5, 7)
        whole = [f["id"] for p in api.listing(day, "CODEX_LOG,AUTH_LOG") for f in p["data"]]
        paged = [
            f["id"] for p in api.listing(day, "CODEX_LOG,AUTH_LOG", limit=1) for f in p["data"]
        ]
        assert paged == whole and len(set(paged)) == len(paged)
        expected = {
            f.id for t in ("CODEX_LOG", "AUTH_LOG") for f in api.sim.compliance.day_files(day, t)
        }
        assert set(paged) == expected


def test_a_compliance_listing_may_end_on_an_empty_page(tmp_path):
    api = Api(tmp_path, empty_last_page_fraction=1.0)
    pages = api.listing(date(2026, 5, 7))
    assert pages[-1] == {"data": [], "has_more": False, "last_end_time": None}
    assert pages[-2]["has_more"] is True and pages[-2]["data"]


def test_idle_days_have_no_usage_events(tmp_path):
    api = Api(tmp_path)
    idle = date(2026, 5, 9)  # a Saturday
    assert api.sim.workspace.is_idle(idle)
    events = api.sim.compliance.served_events(idle)
    usage_kinds = {"PROMPT_SENT", "PROMPT_RESPONSE_RECEIVED", "TOOL_CALL_SUGGESTED"}
    assert not [e for e in events if e["event_type"] in usage_kinds]
    api.listing(idle)  # and the listing answers


def test_agent_attribution_on_a_fraction_of_codex_events(tmp_path):
    api = Api(tmp_path)
    events = api.sim.compliance.served_events(date(2026, 5, 7))
    agents = [e["agent"] for e in events if "agent" in e]
    assert 0.1 < len(agents) / len(events) < 0.3
    assert all(isinstance(a["type"], str) and set(a) <= {"type", "id", "name"} for a in agents)
    assert any("id" not in a for a in agents) and any("name" in a for a in agents)
    rich = Api(tmp_path / "rich", profile="rich")
    assert not any("agent" in e for e in rich.sim.compliance.served_events(date(2026, 5, 7)))


def _max_event_time(api: Api, *types: str, path: str | None = None) -> httpx.Response:
    path = path or f"/compliance/workspaces/{api.sim.workspace_id}/max_event_time"
    return api.compliance.get(path, params=[("event_type", t) for t in types])


def test_max_event_time_is_the_latest_event_in_the_listed_files(tmp_path):
    api = Api(tmp_path, profile="rich", now=datetime(2026, 5, 7, 15, 7, tzinfo=UTC))
    response = _max_event_time(api, "CODEX_LOG", "AUTH_LOG")
    assert response.status_code == 200, response.text
    latest = response.json()["max_event_time"]
    assert list(latest) == ["CODEX_LOG", "AUTH_LOG"]
    listed = api.compliance.get(
        api.logs, params={"event_type": "CODEX_LOG", "after": "2026-05-07T00:00:00Z"}
    ).json()
    stamps = [e["timestamp"] for f in listed["data"] for e in _events(api, f["id"])]
    expect = datetime.fromisoformat(max(stamps))
    assert datetime.fromisoformat(latest["CODEX_LOG"]) == expect
    assert expect <= datetime(2026, 5, 7, 15, 7, tzinfo=UTC)
    # the org route answers for its own event types; bad queries are 400s
    org = f"/compliance/organizations/{api.sim.compliance.organization_id}/max_event_time"
    assert _max_event_time(api, "APP_LOG", path=org).status_code == 200
    assert _max_event_time(api, "CODEX_LOG", path=org).status_code == 400
    assert _max_event_time(api, "NOPE").status_code == 400
    assert _max_event_time(api).status_code == 400
    refused = api.analytics.get(
        f"/compliance/workspaces/{api.sim.workspace_id}/max_event_time",
        params={"event_type": "CODEX_LOG"},
    )
    assert refused.status_code == 403


def _events(api: Api, file_id: str) -> list[dict]:
    redirect = api.compliance.get(f"{api.logs}/{file_id}")
    body = httpx.Client(transport=SimulatorTransport(api.sim)).get(redirect.headers["location"])
    return [orjson.loads(line) for line in body.content.splitlines()]


def test_max_event_time_is_null_without_events_and_404_when_off(tmp_path):
    empty = Api(tmp_path, users=0, profile="rich")
    assert _max_event_time(empty, "AUTH_LOG").json() == {"max_event_time": {"AUTH_LOG": None}}
    old = Api(tmp_path / "old", serve_max_event_time=False)
    response = _max_event_time(old, "CODEX_LOG")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}


# -- wiring ------------------------------------------------------------------------------------


def test_the_environment_selects_the_profile():
    def settings(environ):
        return CodexResource.from_environment(environ).settings()

    assert settings({}).simulator_profile == "rich"
    assert settings({"CODEX_SIMULATOR_PROFILE": "Contract"}).simulator_profile == "contract"
    with pytest.raises(SettingsError, match="CODEX_SIMULATOR_PROFILE must be 'rich' or 'contract'"):
        settings({"CODEX_SIMULATOR_PROFILE": "sparse"})
    env = {"CODEX_SIMULATOR_USERS": "7", "CODEX_SIMULATOR_SEED": "3"}
    rich = settings(env)
    contract = settings({**env, "CODEX_SIMULATOR_PROFILE": "contract"})
    assert simulator_for(contract).config.profile == "contract"
    assert simulator_for(rich).config.profile == "rich"
    assert source_fingerprint(rich)["simulator"] == "users=7 seed=3"
    assert source_fingerprint(contract)["simulator"] == "users=7 seed=3 profile=contract"


def test_serve_takes_the_profile_and_knobs():
    args = build_parser().parse_args(["--profile", "contract", "--max-page-rows", "1"])
    assert args.profile == "contract" and args.max_page_rows == 1
    assert build_parser().parse_args([]).profile == "rich"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--profile", "sparse"])


# -- the rich profile is unchanged ------------------------------------------------------------

RICH_FINGERPRINT = "6f594b100466e790d1231bfb8b6350edb941668976d25cc4fef9172a765c0714"
"""What the simulator served for this config before profiles existed (commit daa2119)."""


def test_the_rich_profile_serves_the_bytes_it_always_served(tmp_path):
    digest = hashlib.sha256()
    sim = Simulator(
        SimulatorConfig(seed=7, users=40, now=lambda: NOW, compliance_cache_dir=str(tmp_path))
    )
    sim.restate(date(2026, 5, 8), 2)
    for d in range(2, 10):
        for endpoint in ENDPOINTS:
            for row in sim.analytics.day_payload(endpoint, date(2026, 5, d)):
                digest.update(row)
    client = httpx.Client(
        base_url="http://simulator.local/v1",
        transport=SimulatorTransport(sim),
        headers={"Authorization": f"Bearer {sim.config.analytics_key}"},
    )
    start = ts(date(2026, 5, 2))
    for endpoint, extra in FEEDS[:3]:
        params = {"start_time": start, "end_time": start + 3 * 86_400, "limit": 7, **extra}
        while True:
            response = client.get(
                f"/analytics/codex/workspaces/{sim.workspace_id}/{endpoint}", params=params
            )
            digest.update(response.content)
            if not response.json()["has_more"]:
                break
            params["page"] = response.json()["next_page"]
    client.headers["Authorization"] = f"Bearer {sim.config.compliance_key}"
    logs = f"/compliance/workspaces/{sim.workspace_id}/logs"
    params = {
        "event_type": "CODEX_LOG",
        "after": "2026-05-07T00:00:00Z",
        "before": "2026-05-07T12:00:00Z",
        "limit": 4,
    }
    while True:
        body = client.get(logs, params=params).raise_for_status()
        digest.update(body.content)
        for entry in body.json()["data"][:1]:
            location = client.get(f"{logs}/{entry['id']}").headers["location"]
            digest.update(httpx.Client(transport=SimulatorTransport(sim)).get(location).content)
        if not body.json()["has_more"]:
            break
        params["after"] = body.json()["last_end_time"]
    assert digest.hexdigest() == RICH_FINGERPRINT


def test_quirks_are_per_day_and_stable_under_restatement():
    api = Api(users=400)
    day = next(d for d in DAYS[3:] if api.sim.day_rows("usage", d))
    shape = defaultdict(list)
    for revision in (0, 1, 2):
        api.sim.restate(day, revision)
        for r in api.sim.day_rows("usage", day):
            shape[revision].append((r["clients"] == [], r["models"] is None, "email" in r))
    assert shape[0] == shape[1] == shape[2]
