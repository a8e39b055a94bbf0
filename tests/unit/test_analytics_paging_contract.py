"""Analytics paging over real HTTP against the shapes the contract allows.

The server is tests/support/contract_server.py (written from codex-api.md, not the simulator).
The envelope promises only `has_more` and `next_page`: "While `has_more` is true, call again
with `page=next_page`, keeping every other parameter the same", "Pages may be shorter than
`limit` while `has_more` is true", and an inactive day is `has_more=false` with no rows
(codex-api.md Part 1 and "2026-12 additions"). The cursor is opaque: the server's are full of
`+`, `/`, `=`, `%` and `&`, and it refuses (422) any cursor that does not come back byte for
byte, or a later page whose other parameters changed.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from codex_assets.defs.analytics.client import AnalyticsClient, day_bounds
from codex_assets.lib.http.client import ApiHttpClient, HttpSettings
from codex_assets.lib.http.errors import ApiValidationError
from tests.support.contract_server import API_KEY, WORKSPACE, contract_server, utc

NOW = utc(2026, 5, 12, 13, 0)
DAYS = [date(2026, 5, 7) + timedelta(days=i) for i in range(4)]
SEGMENT = {
    "usage": "usage",
    "usage_workspace": "usage",
    "code_reviews": "code_reviews",
    "code_review_responses": "code_review_responses",
}


def _client(url: str, *, page_size: int = 30000, concurrency: int = 2) -> AnalyticsClient:
    http = ApiHttpClient(
        HttpSettings(
            base_url=url,
            api_key=API_KEY,
            key_env_var="CODEX_ANALYTICS_API_KEY",
            scope="codex.enterprise.analytics.read",
            requests_per_minute=None,
            max_retries=0,
        ),
        sleep=lambda s: None,
    )
    return AnalyticsClient(
        http, WORKSPACE, page_size=page_size, max_concurrency=concurrency, now=lambda: NOW
    )


def _usage_rows(day: date, users: int) -> list[dict]:
    start, end = day_bounds(day)
    return [
        {
            "object": "workspace.codex.usage.result",
            "start_time": start,
            "end_time": end,
            "user_id": f"{day:%m%d}-user-{n}",
            "actor": {"type": "ACCOUNT_USER", "user_id": f"{day:%m%d}-user-{n}", "email": None},
            "totals": {"threads": 1, "turns": n + 1, "credits": 0.5},
            "clients": [],
        }
        for n in range(users)
    ]


def _data(users_per_day: dict[date, int]) -> dict[tuple[str, int], list[dict]]:
    return {("usage", day_bounds(day)[0]): _usage_rows(day, n) for day, n in users_per_day.items()}


SHAPES = {
    # name: (rows per page, then repeating; an empty last page)
    "one row a page": ((1,), False),
    "one row a page, then an empty last page": ((1,), True),
    "short pages with empty pages between them": ((2, 0, 1, 0, 3), False),
    "an empty first page": ((0, 4), True),
    "pages of 7 (limit 30000)": ((7,), False),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_every_row_is_fetched_once_whatever_the_page_shape(name):
    sizes, empty_last = SHAPES[name]
    users = {DAYS[0]: 9, DAYS[1]: 1, DAYS[2]: 0, DAYS[3]: 23}  # DAYS[2]: an inactive day
    with contract_server(
        analytics=_data(users), analytics_pages=sizes, empty_last_page=empty_last
    ) as server:
        fetched = list(_client(server.url).iter_days("usage", DAYS))
        calls = server.calls("/usage")
    assert [f.day for f in fetched] == DAYS
    for day_fetch in fetched:
        ids = [row["user_id"] for row in day_fetch.rows]
        assert ids == [row["user_id"] for row in _usage_rows(day_fetch.day, users[day_fetch.day])]
    assert fetched[2].rows == []  # inactive: loaded, with no rows
    assert set(server.rows_served.values()) == {1}
    assert sum(server.rows_served.values()) == sum(users.values())
    assert len(calls) == sum(f.pages for f in fetched)
    assert all(dict(call["query"])["limit"] == "30000" for call in calls)


def test_cursors_with_plus_slash_equals_percent_and_ampersand_round_trip_exactly():
    with contract_server(analytics=_data({DAYS[0]: 3}), analytics_pages=(1,)) as server:
        fetch = _client(server.url).fetch_day("usage", DAYS[0])
        calls = server.calls("/usage")
    assert [row["user_id"] for row in fetch.rows] == ["0507-user-0", "0507-user-1", "0507-user-2"]
    cursors = [dict(call["query"]).get("page") for call in calls]
    assert cursors[0] is None
    for cursor in cursors[1:]:
        assert cursor.startswith("c+") and "/" in cursor and cursor.endswith("&x=%2B==")
    # Every other parameter is the first page's, unchanged ("keeping every other parameter
    # the same"), and the cursor is one parameter (its `&` and `=` were encoded).
    first = [(k, v) for k, v in calls[0]["query"]]
    for call in calls[1:]:
        assert [(k, v) for k, v in call["query"] if k != "page"] == first
        assert [k for k, _ in call["query"]].count("page") == 1


def test_each_endpoint_pages_the_same_way():
    rows = {}
    for endpoint in ("code_reviews", "code_review_responses"):
        start, end = day_bounds(DAYS[0])
        rows[(endpoint, start)] = [
            {"object": f"x.{endpoint}", "start_time": start, "end_time": end, "id": str(n)}
            for n in range(3)
        ]
    rows.update(_data({DAYS[0]: 2}))
    with contract_server(analytics=rows, analytics_pages=(1,), empty_last_page=True) as server:
        client = _client(server.url)
        for endpoint in ("code_reviews", "code_review_responses", "usage", "usage_workspace"):
            fetch = client.fetch_day(endpoint, DAYS[0])
            expected = rows.get((SEGMENT[endpoint], day_bounds(DAYS[0])[0]), [])
            assert fetch.rows == expected, endpoint
    workspace_calls = [c for c in server.calls("/usage") if ("group", "workspace") in c["query"]]
    assert workspace_calls and all(("group", "workspace") in c["query"] for c in workspace_calls)


def test_a_small_page_size_is_sent_as_limit_and_short_pages_still_page_on():
    with contract_server(analytics=_data({DAYS[0]: 10}), analytics_pages=(3, 1)) as server:
        fetch = _client(server.url, page_size=2).fetch_day("usage", DAYS[0])
        calls = server.calls("/usage")
    assert len(fetch.rows) == 10
    assert all(dict(c["query"])["limit"] == "2" for c in calls)
    assert fetch.pages == len(calls) == 1 + 8  # 2 (capped at limit), then 1 a page


def test_a_cursor_the_server_does_not_know_is_its_422_not_silence():
    """The server refuses a mangled cursor, so this would fail loudly if encoding broke; here
    it checks that such a refusal surfaces as the documented validation error."""
    with contract_server(analytics=_data({DAYS[0]: 2})) as server:
        client = _client(server.url)
        with pytest.raises(ApiValidationError) as caught:
            client.http.get_json(
                client.path("usage"), [*client.day_params("usage", DAYS[0]), ("page", "c+1/x==")]
            )
    assert caught.value.status == 422
    assert "page" in str(caught.value)
