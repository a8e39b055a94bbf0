"""The CLI refuses what it cannot do, before any run, with a message that says the fix."""

from __future__ import annotations

import pytest

from codex_assets.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["backfill", "--days", "0"], "--days must be above zero"),
        (["backfill", "--days", "3", "--end", "2026-11-01"], "--end goes with --start"),
        (["backfill", "--start", "2026-11-03", "--end", "2026-11-01"], "is before --start"),
        (["backfill", "--start", "2020-01-01"], "before the first partition"),
    ],
)
def test_bad_windows_are_refused_with_the_fix(data_dir, capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not data_dir.exists() or not (data_dir / "lake").exists()  # nothing was run
