"""Bad inputs of the README's Troubleshooting table that no other test drives through the CLI."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from codex_assets.cli import main
from codex_assets.lib.utc import utc_now


def test_a_window_older_than_the_api_serves_is_one_line_exit_2_and_sends_nothing(data_dir, capsys):
    old = utc_now().date() - timedelta(days=120)
    code = main(["backfill", "--start", str(old), "--end", str(old + timedelta(days=1))])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("codex-assets: Cannot fetch these days"), err
    assert "2 day(s) older than the API's 90-day lookback" in err and "Servable now: " in err
    assert "Backfilling" not in out and not (data_dir / "lake").exists()  # nothing fetched


README = Path(__file__).parents[2] / "README.md"


def _troubleshooting_rows() -> list[str]:
    text = README.read_text(encoding="utf-8").split("## Troubleshooting", 1)[1].split("\n## ")[0]
    return [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]


def test_every_troubleshooting_row_names_tests_that_exist():
    rows = _troubleshooting_rows()
    assert len(rows) >= 13
    current: Path | None = None  # a row citing only `[case]`s means the file cited above
    for row in rows:
        cited = re.findall(r"`([^`]+)`", row.rsplit(" | ", 1)[1])
        assert cited, row
        for item in cited:
            path, _, name = item.partition("::")
            if path.endswith(".py"):
                folder = path.split("/")[0] if "/" in path else current.parent.name
                current = README.parent / "tests" / folder / Path(path).name
                assert current.is_file(), item
            elif path.startswith("test_"):
                name = path
            assert current is not None, row
            source = current.read_text(encoding="utf-8")
            name, _, case = name.partition("[")
            if name:
                assert f"def {name.rstrip('.')}" in source, item
            if case or path.startswith("["):
                assert f'"{(case or path[1:]).rstrip("]")}"' in source, item
