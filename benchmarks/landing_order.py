"""Benchmark: what the fixed line order of a compliance partition costs its landing.

Lands one synthetic day (20 files of 10,000 events, about 160 MB of JSONL) through
`Lake.stream_partition` twice per round: with the landing SQL as shipped (`ORDER BY` file end
time, file id, line) and with the `ORDER BY` removed. No HTTP: the cost of the sort alone.

    uv run python benchmarks/landing_order.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import orjson

from codex_assets.defs.compliance.landing import FILE_COLUMNS, RAW_TABLE
from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql

DAY = date(2026, 5, 7)
ORDER = "ORDER BY files.file_end_time, files.file_id, record"


def _files() -> list[tuple[str, datetime, bytes]]:
    files = []
    for f in range(20):
        lines = (
            orjson.dumps(
                {
                    "event_id": f"e{f}-{i}",
                    "type": "CODEX_LOG",
                    "timestamp": f"2026-05-07T00:{f:02d}:{i % 60:02d}Z",
                    "event_type": "PROMPT_SENT",
                    "event_details": {"prompt_text": "x" * 400},
                }
            )
            + b"\n"
            for i in range(10_000)
        )
        files.append((f"file-{f}", datetime(2026, 5, 7, 1, f), b"".join(lines)))
    return files


def _land(sql: str, files: list[tuple[str, datetime, bytes]]) -> float:
    lake = Lake(Path(tempfile.mkdtemp()) / "lake")
    parts = [
        {
            "file_id": i,
            "file_name": i,
            "file_end_time": e,
            "file_sha256": hashlib.sha256(d).hexdigest(),
        }
        for i, e, d in files
    ]
    started = time.perf_counter()
    with lake.stream_partition(RAW_TABLE, DAY, sql, parts=parts, columns=FILE_COLUMNS) as stream:
        for _, _, data in files:
            stream.write(data)
        stream.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    rounds = parser.parse_args().rounds
    sql = read_sql("defs/compliance/raw_codex_log.sql")
    assert ORDER in sql, "the landing SQL no longer sorts as this benchmark expects"
    files = _files()
    print(f"{sum(len(d) for _, _, d in files) / 1e6:.0f} MB, {20 * 10_000} events")
    for round_ in range(rounds):
        ordered, unordered = _land(sql, files), _land(sql.replace(ORDER, ""), files)
        print(f"round {round_ + 1}: ordered {ordered:.2f} s, unordered {unordered:.2f} s")


if __name__ == "__main__":
    main()
