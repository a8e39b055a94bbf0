"""The compliance log's freshness rule, with the lake's and the API's newest events beside it.

The rule is the lake's: the day that is due is landed (`COMPLIANCE_SLA`). The two times are
there so a late day can be told apart from a quiet source: the lake's newest event (the latest
`timestamp` in the newest landed partitions) and the API's own (`max_event_time`, read by the
Dagster wrapper in `asset_checks.py` where the API offers it). The API's time never decides: the
contract warns it "does not guarantee that all earlier events have arrived". Plain functions;
what the check promises is its spec (`specs.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from codex_assets.lib.checks.outcome import CheckOutcome, backfill_commands
from codex_assets.lib.checks.sla import Sla
from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql
from codex_assets.lib.utc import as_utc as _utc

NEWEST_EVENT_SQL = "defs/compliance/checks/newest_event.sql"
NEWEST_PARTITIONS = 3
"""How many of the newest landed partitions are searched for the lake's newest event (the
newest one holds it unless it has no event at all)."""

API_READ = "read"
API_NOT_OFFERED = "not offered (HTTP 404)"
API_FAILED = "failed"


@dataclass(frozen=True)
class ApiNewestEvent:
    """What the Compliance API said about its newest event of one type.

    status: `API_READ` (then `max_event_time` is its answer, None meaning "no event"),
    `API_NOT_OFFERED` (a 404: an API older than the endpoint) or `API_FAILED` (`problem` says
    what happened, with no secret in it).
    """

    status: str
    max_event_time: datetime | None = None
    problem: str = ""
    event_type: str = "CODEX_LOG"


@dataclass(frozen=True)
class LakeNewestEvent:
    """The newest event timestamp (UTC) in the lake, and the partition it was found in."""

    timestamp: datetime | None
    partition: date | None
    partitions_searched: int


def lake_newest_event(
    lake: Lake, table: str, *, up_to: date | None = None, partitions: int = NEWEST_PARTITIONS
) -> LakeNewestEvent:
    """The newest event among the lines of the newest `partitions` landed days of `table`
    (not after `up_to` when given), newest partition first; None when they hold no event."""
    landed = [day for day in lake.landed_days(table) if up_to is None or day <= up_to]
    searched = 0
    for day in reversed(landed[-partitions:]):
        path = lake.partition_file(table, day)
        searched += 1
        with lake.connect() as conn:
            (newest,) = conn.execute(read_sql(NEWEST_EVENT_SQL), {"files": [str(path)]}).fetchone()
        if newest is not None:
            return LakeNewestEvent(_utc(newest), day, searched)
    return LakeNewestEvent(None, None, searched)


def compliance_freshness(
    *,
    table: str,
    sla: Sla,
    due_day: date,
    landed: bool,
    lake: LakeNewestEvent,
    api: ApiNewestEvent,
) -> CheckOutcome:
    """Passed when `due_day` is landed (the lake-only rule); the API's `max_event_time` is
    reported beside the lake's newest event and explains a failure, never overrules it."""
    deadline = sla.deadline_of(due_day)
    day_end = datetime.combine(due_day + timedelta(days=1), time(0), tzinfo=UTC)
    threshold = (
        f"day D is landed by {sla.deadline_text} (the day due now: {due_day.isoformat()}); the "
        "API's max_event_time is reported, never decisive: it \"does not guarantee that all "
        'earlier events have arrived"'
    )
    measured: dict[str, object] = {
        "due_day": due_day.isoformat(),
        "deadline": _text(deadline),
        "due_day_landed": landed,
        "lake_newest_event": _text(lake.timestamp) if lake.timestamp else "none",
        "lake_newest_event_partition": lake.partition.isoformat() if lake.partition else None,
        "lake_partitions_searched": lake.partitions_searched,
        "api_max_event_time_status": api.status,
    }
    if api.status == API_READ:
        measured["api_max_event_time"] = (
            _text(api.max_event_time) if api.max_event_time else "null (no event)"
        )
        if api.max_event_time and lake.timestamp:
            measured["api_ahead_of_lake_minutes"] = round(
                (api.max_event_time - lake.timestamp).total_seconds() / 60, 1
            )
    elif api.problem:
        measured["api_max_event_time_problem"] = api.problem

    lake_text = (
        f"the lake's newest {api.event_type} event is {_text(lake.timestamp)} (partition "
        f"{lake.partition.isoformat()})"
        if lake.timestamp and lake.partition
        else f"the lake's {lake.partitions_searched} newest partitions hold no event"
        if lake.partitions_searched
        else "the lake holds no partition yet"
    )
    api_text = _api_text(api, lake.timestamp)
    if landed:
        return CheckOutcome(
            passed=True,
            summary=(
                f"{table}: day {due_day.isoformat()} is landed (due by {_text(deadline)}); "
                f"{lake_text}. {api_text}"
            ),
            threshold=threshold,
            measured=measured,
        )
    hint = ""
    if api.status == API_READ:
        if api.max_event_time is not None and api.max_event_time >= day_end:
            hint = (
                f" The API has events past the end of {due_day.isoformat()}, so the day's files "
                "should be published: it is the load that is late."
            )
        else:
            hint = (
                f" The API's own newest event is not past the end of {due_day.isoformat()}: "
                "the delay may be upstream (or the workspace was quiet), but the day still "
                "counts as late until it is landed."
            )
    return CheckOutcome(
        passed=False,
        summary=(
            f"{table}: day {due_day.isoformat()}, due by {_text(deadline)}, is not landed; "
            f"{lake_text}. {api_text}{hint} Look for a failed or skipped run of "
            "compliance_refresh_schedule, then load the day: "
            f"{backfill_commands([due_day])[0]}"
        ),
        threshold=threshold,
        measured=measured,
        offending=[{"day": due_day, "deadline": _text(deadline), "landed": False}],
        offending_total=1,
        offending_days=[due_day],
    )


def _api_text(api: ApiNewestEvent, lake_newest: datetime | None) -> str:
    if api.status == API_NOT_OFFERED:
        return (
            "The API has no max_event_time endpoint (HTTP 404: an API older than v2.5.12), so "
            "freshness is judged on the lake alone."
        )
    if api.status != API_READ:
        return (
            f"The API's max_event_time could not be read ({api.problem or 'no detail'}); "
            "freshness is judged on the lake alone."
        )
    if api.max_event_time is None:
        return f"The API's max_event_time for {api.event_type} is null: it reports no event."
    text = f"The API's max_event_time for {api.event_type} is {_text(api.max_event_time)}"
    if lake_newest is not None:
        minutes = (api.max_event_time - lake_newest).total_seconds() / 60
        text += (
            f", {minutes:.0f} minutes after the lake's newest event"
            if minutes >= 0.5
            else ", not after the lake's newest event"
        )
    return text + "."


def _text(moment: datetime | None) -> str:
    """`2026-05-08 02:00:00 UTC` (no microseconds below a second's use)."""
    if moment is None:
        return "none"
    moment = _utc(moment)
    shown = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        shown += f".{moment.microsecond:06d}"
    return shown + " UTC"
