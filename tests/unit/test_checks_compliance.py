"""Compliance checks as plain functions: listed vs landed files, checksums, responses per turn."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb

from codex_assets.defs.compliance.checks.files import (
    LandedFile,
    ListedFile,
    file_checksums_match,
    files_cover_day,
)
from codex_assets.defs.reconciliation.checks.responses import comparable_days, responses_per_turn
from codex_assets.lib.checks.window import LakeWindow

DAY = date(2026, 5, 4)
NEXT = DAY + timedelta(days=1)
MIDNIGHT = datetime(2026, 5, 4, tzinfo=UTC)


def listed(n: int, day_start: datetime = MIDNIGHT, size: int = 100) -> list[ListedFile]:
    """`n` files, one per 10-minute window from `day_start`."""
    return [
        ListedFile(
            f"clf_{i}",
            f"CODEX_LOG_{i}.jsonl",
            day_start + timedelta(minutes=10 * (i + 1)),
            f"sha{i}",
            size,
        )
        for i in range(n)
    ]


def landed_from(files: list[ListedFile]) -> dict[str, LandedFile]:
    return {f.file_id: LandedFile(f.file_id, f.file_name, (f.file_sha256,), 3) for f in files}


def test_every_listed_file_landed_passes():
    files = listed(144)
    outcome = files_cover_day({DAY: files}, {DAY: landed_from(files)})
    assert outcome.passed, outcome.summary
    assert outcome.measured["files_listed"] == outcome.measured["files_landed"] == 144
    assert outcome.measured["minutes_uncovered"] == 0
    assert outcome.measured["largest_stretch_between_landed_files_minutes"] == 10


def test_missing_files_fail_naming_the_uncovered_stretch_and_the_command():
    files = listed(144)
    landed = landed_from(files)
    for lost in ("clf_6", "clf_7", "clf_100"):
        del landed[lost]
    outcome = files_cover_day({DAY: files}, {DAY: landed}, not_listable=[date(2026, 3, 1)])
    assert not outcome.passed
    assert outcome.offending_total == 3
    assert outcome.offending_days == [DAY]
    assert [row["file_id"] for row in outcome.offending] == ["clf_6", "clf_7", "clf_100"]
    first = outcome.offending[0]
    assert (first["window_start"], first["window_end"]) == (
        "2026-05-04T01:00:00+00:00",
        "2026-05-04T01:10:00+00:00",
    )
    assert outcome.measured["minutes_uncovered"] == 30
    assert outcome.measured["largest_stretch_between_landed_files_minutes"] == 30
    assert outcome.measured["days_not_listable"] == "2026-03-01"
    assert "30 minutes" in outcome.summary
    assert "codex-assets backfill --start 2026-05-04 --end 2026-05-04" in outcome.summary


def test_an_empty_listed_file_counts_as_landed():
    files = listed(3)
    empty = ListedFile("clf_e", "CODEX_LOG_e.jsonl", MIDNIGHT + timedelta(minutes=35), "e3b0", 0)
    outcome = files_cover_day({DAY: [*files, empty]}, {DAY: landed_from(files)})
    assert outcome.passed, outcome.summary
    assert outcome.measured["files_landed"] == 4


def test_checksums_match_and_mismatch():
    files = listed(5)
    landed = landed_from(files)
    assert file_checksums_match({DAY: files}, {DAY: landed}).passed
    landed["clf_2"] = LandedFile("clf_2", "CODEX_LOG_2.jsonl", ("sha2", "tampered"), 3)
    landed["clf_x"] = LandedFile("clf_x", "other.jsonl", ("shax",), 1)
    outcome = file_checksums_match({DAY: files}, {DAY: landed})
    assert not outcome.passed
    assert outcome.measured == {"days_compared": 1, "files_compared": 6, "files_mismatched": 2}
    problems = {row["file_id"]: row["problem"] for row in outcome.offending}
    assert problems == {
        "clf_2": "sha256 differs from the listing",
        "clf_x": "landed but not listed by the API for this day",
    }


def _window(
    responses: dict[tuple[date, str], int],
    turns: dict[tuple[date, str], int],
    *,
    compliance_days=(DAY, NEXT),
    analytics_days=(DAY,),
    late: int = 0,
) -> LakeWindow:
    """An in-memory window: `responses` per (day, email), `turns` per (day, email); `late`
    responses of DAY delivered in NEXT's partition, and each response of DAY also delivered
    twice (at-least-once) to prove the deduplication."""
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA raw")
    conn.execute(
        "CREATE TABLE raw.compliance_codex_log (partition_day DATE, event_id VARCHAR, "
        "timestamp TIMESTAMP, event_type VARCHAR, user_id VARCHAR, user_email VARCHAR)"
    )
    conn.execute(
        "CREATE TABLE raw.usage_users (day DATE, user_id VARCHAR, email VARCHAR, turns BIGINT)"
    )
    n = 0
    for (day, email), count in responses.items():
        for i in range(count):
            n += 1
            stamp = datetime.combine(day, datetime.min.time()) + timedelta(hours=23, minutes=59)
            partition = day + timedelta(days=1) if i < late else day
            for _ in range(2):
                conn.execute(
                    "INSERT INTO raw.compliance_codex_log VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        partition,
                        f"ev{n}",
                        stamp,
                        "PROMPT_RESPONSE_RECEIVED",
                        f"user-{email[0]}",
                        email.upper(),
                    ],
                )
            conn.execute(
                "INSERT INTO raw.compliance_codex_log VALUES (?, ?, ?, ?, ?, ?)",
                [day, f"prompt{n}", stamp, "PROMPT_SENT", f"user-{email[0]}", email],
            )
    for (day, email), count in turns.items():
        conn.execute(
            "INSERT INTO raw.usage_users VALUES (?, ?, ?, ?)",
            [day, f"uuid-{(email or 'x')[0]}", email, count],
        )
    return LakeWindow(
        conn,
        sorted({*compliance_days, *analytics_days}),
        {"compliance_codex_log": list(compliance_days), "usage_users": list(analytics_days)},
    )


def test_responses_equal_to_turns_pass_with_late_and_duplicate_events():
    window = _window(
        {(DAY, "a@x.org"): 40, (DAY, "b@x.org"): 12},
        {(DAY, "a@x.org"): 40, (DAY, "b@x.org"): 12, (DAY, None): 5},
        late=3,
    )
    outcome = responses_per_turn(window, [DAY])
    assert outcome.passed, outcome.summary
    assert outcome.measured["turns"] == 57
    assert outcome.measured["responses"] == 52
    assert outcome.measured["ratio"] == round(52 / 57, 4)
    assert outcome.measured["user_days_compared"] == 2
    assert outcome.measured["user_days_without_email"] == 1


def test_a_day_without_the_next_days_log_is_not_compared():
    window = _window({(DAY, "a@x.org"): 40}, {(DAY, "a@x.org"): 40}, compliance_days=(DAY,))
    assert comparable_days(window, [DAY]) == []
    outcome = responses_per_turn(window, [DAY])
    assert outcome.passed
    assert outcome.measured["days_not_compared"] == DAY.isoformat()


def test_a_day_off_the_band_warns_naming_the_day_and_its_users():
    window = _window(
        {(DAY, "a@x.org"): 10, (DAY, "b@x.org"): 10},
        {(DAY, "a@x.org"): 40, (DAY, "b@x.org"): 20},
    )
    outcome = responses_per_turn(window, [DAY])
    assert not outcome.passed
    assert outcome.offending_days == [DAY]
    assert outcome.offending_total == 3
    day_row, *user_rows = outcome.offending
    assert day_row == {
        "day": DAY,
        "scope": "workspace",
        "turns": 60,
        "responses": 20,
        "ratio": 0.3333,
    }
    assert [(r["compliance_user_id"], r["ratio"]) for r in user_rows] == [
        ("user-a", 0.25),
        ("user-b", 0.5),
    ]
    assert all("@" not in str(value) for row in outcome.offending for value in row.values())
    assert outcome.measured["lowest_day_ratio"] == 0.3333


def test_one_user_off_the_band_warns_although_the_day_is_within_it():
    window = _window(
        {(DAY, "a@x.org"): 15, (DAY, "b@x.org"): 20, (DAY, "c@x.org"): 110},
        {(DAY, "a@x.org"): 30, (DAY, "b@x.org"): 20, (DAY, "c@x.org"): 100},
    )
    outcome = responses_per_turn(window, [DAY])
    assert not outcome.passed
    assert [(r["scope"], r.get("compliance_user_id")) for r in outcome.offending] == [
        ("user", "user-a")
    ]
    assert outcome.measured["ratio"] == round(145 / 150, 4)
    assert outcome.measured["user_days_outside_band"] == 1


def test_small_user_days_are_not_held_to_the_band():
    window = _window(
        {(DAY, "a@x.org"): 100, (DAY, "b@x.org"): 1},
        {(DAY, "a@x.org"): 100, (DAY, "b@x.org"): 4},
    )
    outcome = responses_per_turn(window, [DAY], min_volume=10)
    assert outcome.passed, outcome.offending
    assert not responses_per_turn(window, [DAY], min_volume=4).passed
