"""Bad inputs of the README's Troubleshooting table that no other test drives through the CLI."""

from __future__ import annotations

from datetime import timedelta

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
