"""The Analytics API contract as the simulator serves it, through the in-process transport.

These are the behaviours the client is coded against (reference/codex-api.md Part 1): the
envelope, paging, the time window, validation errors, auth, and sums a reconciliation relies on.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import httpx
import orjson
import pytest

from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import SimulatorConfig
from codex_assets.simulator.transport import SimulatorTransport

NOW = datetime(2026, 5, 10, 13, 0, tzinfo=UTC)  # day 2026-05-09 is complete since 12:00
LAST_DAY = date(2026, 5, 9)
TOKENS = (
    "uncached_text_input_tokens",
    "cached_text_input_tokens",
    "text_output_tokens",
    "text_total_tokens",
)


def ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


class Api:
    """An httpx client on a simulator with a settable clock."""

    def __init__(self, users: int = 120, seed: int = 7, now: datetime = NOW, **config) -> None:
        self.clock = [now]
        self.sim = Simulator(
            SimulatorConfig(seed=seed, users=users, now=lambda: self.clock[0], **config)
        )
        self.client = httpx.Client(
            base_url="http://simulator.local/v1",
            transport=SimulatorTransport(self.sim),
            headers={"Authorization": f"Bearer {self.sim.config.analytics_key}"},
        )
        self.prefix = f"/analytics/codex/workspaces/{self.sim.workspace_id}"

    def get(self, endpoint: str, **params) -> httpx.Response:
        return self.client.get(f"{self.prefix}/{endpoint}", params=params)

    def rows(self, endpoint: str, **params) -> list[dict]:
        """Every row of a query, following next_page."""
        out, page = [], None
        while True:
            extra = {"page": page} if page else {}
            response = self.get(endpoint, **params, **extra)
            assert response.status_code == 200, response.text
            body = response.json()
            out += body["data"]
            if not body["has_more"]:
                assert body["next_page"] is None
                return out
            page = body["next_page"]


@pytest.fixture(scope="module")
def api() -> Api:
    return Api()


def one_day(day: date) -> dict:
    return {"start_time": ts(day), "end_time": ts(day + timedelta(days=1))}


def cents(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


# -- envelope and rows -------------------------------------------------------------------------


def test_page_envelope_and_row_shapes(api):
    body = api.get("usage", **one_day(LAST_DAY - timedelta(days=1))).json()
    assert list(body) == ["object", "data", "has_more", "next_page"]
    assert body["object"] == "page" and body["has_more"] is False and body["next_page"] is None
    row = body["data"][0]
    assert row["object"] == "workspace.codex.usage.result"
    assert row["end_time"] - row["start_time"] == 86_400
    assert row["actor"]["type"] == "ACCOUNT_USER" and row["actor"]["user_id"] == row["user_id"]
    assert set(row["totals"]) >= {"threads", "turns", "credits", "estimated_cost_usd", *TOKENS}
    assert all({"client_id", "threads", "turns", "credits"} <= set(c) for c in row["clients"])
    assert all({"model", "speed", "credits"} <= set(m) for m in row["models"])

    workspace = api.get("usage", group="workspace", **one_day(LAST_DAY)).json()["data"]
    assert len(workspace) == 1
    assert workspace[0]["user_id"] is None and workspace[0]["actor"] is None

    review = api.get("code_reviews", **one_day(LAST_DAY)).json()["data"][0]
    assert review["object"] == "workspace.codex.usage.code_reviews.result"
    assert set(review["comment_details"]) == {"p0", "p1", "p2"}
    response = api.get("code_review_responses", **one_day(LAST_DAY)).json()["data"][0]
    assert response["object"] == "workspace.codex.usage.code_review_responses.result"
    assert set(response["comment_response_details"]) == {
        "engaged", "reacted", "upvoted", "downvoted", "reacted_other", "replied"
    }  # fmt: skip
    assert set(response["reaction_details"]) == {"upvotes", "downvotes", "other"}


def test_nullable_fields_really_come_back_null():
    """Clients must not assume email, tokens, cost or code attribution are present."""
    api = Api(users=1500)
    rows = api.sim.day_rows("usage", LAST_DAY - timedelta(days=3))
    assert any(r["actor"]["email"] is None for r in rows)
    assert any(r["code_attribution"] is None for r in rows)
    assert any(r["code_attribution"] is not None for r in rows)
    no_tokens = [r for r in rows if r["totals"]["text_total_tokens"] is None]
    assert no_tokens
    assert all("text_total_tokens" not in c for r in no_tokens for c in r["clients"])
    assert any(r["totals"]["estimated_cost_usd"] is None for r in rows)


def test_rows_are_ordered_by_day_then_user(api):
    rows = api.rows("usage", start_time=ts(LAST_DAY - timedelta(days=6)), limit=30000)
    keys = [(r["start_time"], r["user_id"]) for r in rows]
    assert keys == sorted(keys)
    assert len({r["start_time"] for r in rows}) == 7


def test_day_rows_are_exactly_what_is_served(api):
    for endpoint, params in (
        ("usage", {}),
        ("usage_workspace", {"group": "workspace"}),
        ("code_reviews", {}),
        ("code_review_responses", {}),
    ):
        path = "usage" if endpoint.startswith("usage") else endpoint
        for day in (LAST_DAY, LAST_DAY - timedelta(days=40)):
            served = api.get(path, limit=30000, **params, **one_day(day)).json()["data"]
            assert served == api.sim.day_rows(endpoint, day)


def test_same_seed_same_bytes_and_other_seed_other_workspace():
    a, b, c = Api(seed=5), Api(seed=5), Api(seed=6)
    params = {"start_time": ts(LAST_DAY - timedelta(days=3)), "limit": 30000}
    assert a.get("usage", **params).content == b.get("usage", **params).content
    assert a.sim.workspace_id == b.sim.workspace_id != c.sim.workspace_id
    other = c.client.get(f"{c.prefix}/usage", params=params).content
    assert orjson.loads(other)["data"] != orjson.loads(a.get("usage", **params).content)["data"]


# -- sums --------------------------------------------------------------------------------------


def _sum_nullable(values: list) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known or not values else None


def test_workspace_rows_are_the_exact_sum_of_user_rows():
    api = Api(users=900)
    for day in (LAST_DAY - timedelta(days=n) for n in (0, 1, 5, 17, 60)):
        users = api.sim.day_rows("usage", day)
        [ws] = api.get("usage", group="workspace", **one_day(day)).json()["data"]
        totals = ws["totals"]
        assert totals["threads"] == sum(r["totals"]["threads"] for r in users)
        assert totals["turns"] == sum(r["totals"]["turns"] for r in users)
        assert cents(totals["credits"]) == sum(cents(r["totals"]["credits"]) for r in users)
        assert cents(totals["estimated_cost_usd"]) == _sum_nullable(
            [cents(r["totals"]["estimated_cost_usd"]) for r in users]
        )
        for field in TOKENS:
            assert totals[field] == _sum_nullable([r["totals"][field] for r in users])

        by_client: dict = defaultdict(lambda: defaultdict(list))
        for r in users:
            for c in r["clients"]:
                for field in ("threads", "turns", "credits", "estimated_cost_usd", *TOKENS):
                    value = c.get(field)
                    by_client[c["client_id"]][field].append(
                        cents(value) if field in ("credits", "estimated_cost_usd") else value
                    )
        assert [c["client_id"] for c in ws["clients"]] == sorted(
            by_client, key=[c["client_id"] for c in ws["clients"]].index
        )
        assert {c["client_id"] for c in ws["clients"]} == set(by_client)
        for c in ws["clients"]:
            expect = by_client[c["client_id"]]
            assert c["threads"] == sum(expect["threads"])
            assert c["turns"] == sum(expect["turns"])
            assert cents(c["credits"]) == sum(expect["credits"])
            assert cents(c["estimated_cost_usd"]) == _sum_nullable(expect["estimated_cost_usd"])
            for field in TOKENS:
                assert c[field] == _sum_nullable(expect[field])

        by_model: Counter = Counter()
        for r in users:
            for m in r["models"]:
                by_model[(m["model"], m["speed"])] += cents(m["credits"])
        assert {(m["model"], m["speed"]): cents(m["credits"]) for m in ws["models"]} == by_model


def test_breakdowns_sum_to_totals_within_every_row():
    api = Api(users=600)
    day = LAST_DAY - timedelta(days=2)
    rows = api.sim.day_rows("usage", day) + api.sim.day_rows("usage_workspace", day)
    for row in rows:
        totals = row["totals"]
        for field in ("threads", "turns"):
            assert sum(c[field] for c in row["clients"]) == totals[field]
        assert sum(cents(c["credits"]) for c in row["clients"]) == cents(totals["credits"])
        assert sum(cents(m["credits"]) for m in row["models"]) == cents(totals["credits"])
        assert all(c["threads"] > 0 for c in row["clients"])


def test_review_rows_are_consistent_every_day(api):
    reviews = api.rows("code_reviews", limit=30000, start_time=ts(LAST_DAY - timedelta(days=80)))
    responses = api.rows(
        "code_review_responses", limit=30000, start_time=ts(LAST_DAY - timedelta(days=80))
    )
    assert len(reviews) == len(responses) == 81
    for row in reviews:
        d = row["comment_details"]
        assert d["p0"] + d["p1"] + d["p2"] == row["comments"]
    for row in responses:
        details = row["comment_response_details"]
        assert all(0 <= v <= row["comments"] for v in details.values())
        reactions = row["reaction_details"]
        assert (
            row["reactions"] == reactions["upvotes"] + reactions["downvotes"] + reactions["other"]
        )


def test_days_without_activity_still_have_workspace_and_review_rows():
    api = Api(users=0)
    params = {"start_time": ts(LAST_DAY - timedelta(days=9)), "limit": 30000}
    assert api.rows("usage", **params) == []
    workspace = api.rows("usage", group="workspace", **params)
    assert len(workspace) == 10
    assert all(
        r["totals"]["threads"] == r["totals"]["turns"] == 0 and r["totals"]["credits"] == 0
        for r in workspace
    )
    assert all(r["clients"] == [] for r in workspace)
    assert len(api.rows("code_reviews", **params)) == 10


# -- paging ------------------------------------------------------------------------------------


def test_small_pages_return_exactly_the_big_page():
    api = Api(users=300)
    window = {"start_time": ts(LAST_DAY - timedelta(days=6)), "end_time": ts(LAST_DAY)}
    big = api.get("usage", limit=30000, **window).json()
    assert big["has_more"] is False
    paged = api.rows("usage", limit=37, **window)
    assert paged == big["data"]
    keys = [(r["start_time"], r["user_id"]) for r in paged]
    assert len(keys) == len(set(keys)) > 37 * 3


def test_paging_a_day_renders_it_once():
    api = Api(users=400)
    before = api.sim.analytics.cache_stats()["payload_misses"]
    rows = api.rows("usage", limit=10, **one_day(LAST_DAY - timedelta(days=1)))
    assert len(rows) > 50
    assert api.sim.analytics.cache_stats()["payload_misses"] == before + 1


def test_exact_multiple_of_limit_ends_without_an_empty_page(api):
    day = one_day(LAST_DAY - timedelta(days=1))
    n = len(api.sim.day_rows("usage", LAST_DAY - timedelta(days=1)))
    body = api.get("usage", limit=n, **day).json()
    assert len(body["data"]) == n and body["has_more"] is False and body["next_page"] is None


def test_default_limit_is_1000():
    api = Api(users=3000)
    window = {"start_time": ts(LAST_DAY - timedelta(days=4))}
    body = api.get("usage", **window).json()
    assert len(body["data"]) == 1000 and body["has_more"] is True


# -- window: defaults, 12-hour lag, 90-day lookback -------------------------------------------


def test_no_bounds_means_the_last_30_calendar_days(api):
    rows = api.get("code_reviews").json()["data"]
    days = [datetime.fromtimestamp(r["start_time"], UTC).date() for r in rows]
    # 30 days ending today (2026-05-10); today and the lagging part are simply absent
    assert days[0] == date(2026, 4, 11)
    assert days[-1] == LAST_DAY
    assert len(days) == 29


def test_a_day_appears_only_after_the_12_hour_lag():
    api = Api(now=datetime(2026, 5, 10, 11, 59, 59, tzinfo=UTC))
    params = {"start_time": ts(LAST_DAY - timedelta(days=1)), "limit": 30000}
    before = api.get("usage", group="workspace", **params).json()["data"]
    assert [r["start_time"] for r in before] == [ts(LAST_DAY - timedelta(days=1))]
    assert api.get("usage", **one_day(LAST_DAY)).json()["data"] == []
    api.clock[0] = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    after = api.get("usage", group="workspace", **params).json()["data"]
    assert [r["start_time"] for r in after] == [ts(LAST_DAY - timedelta(days=1)), ts(LAST_DAY)]
    assert api.get("usage", **one_day(LAST_DAY)).json()["data"]


def test_lookback_is_90_days(api):
    oldest = date(2026, 5, 10) - timedelta(days=90)
    ok = api.get("code_reviews", start_time=ts(oldest), end_time=ts(oldest + timedelta(days=1)))
    assert ok.status_code == 200 and len(ok.json()["data"]) == 1
    refused = api.get("code_reviews", start_time=ts(oldest) - 1)
    assert refused.status_code == 422
    [item] = refused.json()["detail"]
    assert item["loc"] == ["query", "start_time"]
    assert "at most 90 days" in item["msg"]


# -- validation (422) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "loc", "type_", "ctx"),
    [
        ({"limit": "0"}, "limit", "greater_than_equal", {"ge": 1}),
        ({"limit": "30001"}, "limit", "less_than_equal", {"le": 30000}),
        ({"limit": "ten"}, "limit", "int_parsing", None),
        ({"start_time": "2026-05-01"}, "start_time", "int_parsing", None),
        ({"end_time": "1.5"}, "end_time", "int_parsing", None),
        ({"group": "user"}, "group", "literal_error", {"expected": "'workspace'"}),
        ({"page": "not-a-cursor"}, "page", "value_error", {"error": {}}),
    ],
)
def test_bad_queries_get_fastapi_422s(api, params, loc, type_, ctx):
    response = api.get("usage", **params)
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["query", loc] and item["type"] == type_
    assert item["input"] == params[loc] and isinstance(item["msg"], str) and item["msg"]
    assert item.get("ctx") == ctx


def test_limit_bounds_are_inclusive(api):
    for limit in (1, 30000):
        assert api.get("usage", limit=limit, **one_day(LAST_DAY)).status_code == 200


def test_empty_or_reversed_window_is_422(api):
    start = ts(LAST_DAY)
    for end in (start, start - 86_400):
        response = api.get("code_reviews", start_time=start, end_time=end)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "end_time"]


def test_any_integer_bounds_are_answered(api):
    huge = 10**20
    far = api.get("code_reviews", start_time=ts(LAST_DAY), end_time=huge)
    assert far.status_code == 200 and len(far.json()["data"]) == 1
    assert api.get("code_reviews", start_time=huge).json()["data"] == []
    assert api.get("code_reviews", end_time=-huge).json()["data"] == []


def test_several_errors_are_reported_together(api):
    detail = api.get("usage", start_time="x", limit="0").json()["detail"]
    assert [d["loc"][1] for d in detail] == ["start_time", "limit"]


def test_group_is_not_a_parameter_of_code_reviews(api):
    """Unknown parameters are ignored, as FastAPI does."""
    assert api.get("code_reviews", group="workspace").status_code == 200


def test_a_cursor_only_works_with_the_parameters_it_was_issued_for(api):
    window = {"start_time": ts(LAST_DAY - timedelta(days=2)), "limit": 5}
    cursor = api.get("usage", **window).json()["next_page"]
    assert cursor
    assert api.get("usage", page=cursor, **window).status_code == 200
    changed = [
        {**window, "start_time": window["start_time"] - 86_400},
        {**window, "limit": 6},
        {**window, "group": "workspace"},
        {**window, "end_time": ts(LAST_DAY)},
    ]
    for params in changed:
        response = api.get("usage", page=cursor, **params)
        assert response.status_code == 422, params
        assert response.json()["detail"][0]["loc"] == ["query", "page"]
    other_route = api.get("code_reviews", page=cursor, **window)
    assert other_route.status_code == 422


# -- auth and routing --------------------------------------------------------------------------


def _error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "code"}
    return error


def test_auth_scope_and_workspace_errors(api):
    url = f"{api.prefix}/usage"
    missing = api.client.get(url, headers={"Authorization": ""})
    assert _error(missing, 401)["code"] == "invalid_api_key"
    assert missing.headers["www-authenticate"] == "Bearer"
    assert _error(api.client.get(url, headers={"Authorization": "Bearer wrong"}), 401)
    assert _error(api.client.get(url, headers={"Authorization": "Basic x"}), 401)
    compliance_key = f"Bearer {api.sim.config.compliance_key}"
    forbidden = _error(api.client.get(url, headers={"Authorization": compliance_key}), 403)
    assert "codex.enterprise.analytics.read" in forbidden["message"]
    other = "00000000-0000-4000-8000-000000000000"
    assert _error(api.client.get(f"/analytics/codex/workspaces/{other}/usage"), 404)
    # auth is checked before query validation, as FastAPI's security dependency does
    assert (
        api.client.get(url, params={"limit": 0}, headers={"Authorization": ""}).status_code == 401
    )


def test_unknown_paths_and_methods(api):
    assert api.client.get(f"{api.prefix}/nope").status_code == 404
    assert api.client.get("/analytics/codex/usage").status_code == 404
    assert api.client.post(f"{api.prefix}/usage").status_code == 405


def test_a_key_without_the_scope_is_refused():
    api = Api()
    api.sim.grant("narrow-key", scopes=["something.else"])
    response = api.client.get(f"{api.prefix}/usage", headers={"Authorization": "Bearer narrow-key"})
    assert response.status_code == 403


# -- restatements ------------------------------------------------------------------------------


def test_restate_changes_served_values_and_keeps_sums():
    api = Api(users=400)
    day = LAST_DAY - timedelta(days=2)
    before = api.rows("usage", limit=30000, **one_day(day))
    api.sim.restate(day)
    after = api.rows("usage", limit=30000, **one_day(day))
    assert [r["user_id"] for r in after] == [r["user_id"] for r in before]
    changed = [a for a, b in zip(after, before, strict=True) if a["totals"] != b["totals"]]
    assert 0 < len(changed) < len(before)
    [ws] = api.get("usage", group="workspace", **one_day(day)).json()["data"]
    assert ws["totals"]["turns"] == sum(r["totals"]["turns"] for r in after)
    assert cents(ws["totals"]["credits"]) == sum(cents(r["totals"]["credits"]) for r in after)
    assert api.sim.day_rows("usage", day) == after
    # other days are untouched; revision 0 restores the original
    other = one_day(day - timedelta(days=1))
    assert api.rows("usage", limit=30000, **other) == Api(users=400).rows(
        "usage", limit=30000, **other
    )
    api.sim.restate(day, 0)
    assert api.rows("usage", limit=30000, **one_day(day)) == before


def test_restated_values_are_deterministic():
    day = LAST_DAY - timedelta(days=1)
    a, b = Api(users=200), Api(users=200)
    a.sim.restate(day, 2)
    b.sim.restate(day, 2)
    assert a.sim.day_rows("usage", day) == b.sim.day_rows("usage", day)
