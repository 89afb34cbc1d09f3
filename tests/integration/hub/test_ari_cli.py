"""`hotelhub ari` as an operator uses it: set, show, out of order; refusals in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import DEMO_CONFIG, PASSWORDS
from typer.testing import CliRunner

from hub.cli import app

runner = CliRunner()
MASKED = ["--days", "mon,fri", "--amount", "210", "--min-los", "2", "--closed"]
GUESTS = ["--occupancy", "2=250", "--occupancy", "4=320", "--cta"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fresh SQLite hub database with the demo configuration applied."""
    values = {"HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", **PASSWORDS}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    applied = runner.invoke(app, ["config", "apply", str(DEMO_CONFIG)])
    assert applied.exit_code == 0, applied.output
    return values


def _show(*args: str) -> dict[str, list[dict[str, object]]]:
    result = runner.invoke(app, ["ari", "show", "ALPINA", *args, "--json"])
    assert result.exit_code == 0, result.output
    shown: dict[str, list[dict[str, object]]] = json.loads(result.output)
    return shown


def test_given_a_weekday_patch_when_set_then_shown_on_those_nights_only(env: dict[str, str]) -> None:
    dates = ["--from", "2031-01-01", "--to", "2031-01-14"]
    result = runner.invoke(
        app,
        ["ari", "set", "ALPINA", "--room-type", "DBL", "--rate-plan", "BAR", *dates, *MASKED],
    )
    again = runner.invoke(
        app,
        [
            "ari",
            "set",
            "ALPINA",
            "--room-type",
            "DBL",
            "--rate-plan",
            "BAR",
            *dates,
            "--days",
            "mon,fri",
            "--amount",
            "210",
        ],
    )

    assert result.exit_code == 0, result.output
    assert result.output.startswith("4 cell(s) on 4 night(s) changed")
    assert "DBL BAR 2031-01-03..2031-01-03 rates,restrictions" in result.output
    assert again.output.startswith("0 cell(s) on 0 night(s) changed")
    shown = _show(*dates, "--room-type", "DBL", "--rate-plan", "BAR")
    set_nights = [c["night"] for c in shown["rates"] if c["rates"]["amount"] == "210.00"]  # type: ignore[index]
    assert set_nights == ["2031-01-03", "2031-01-06", "2031-01-10", "2031-01-13"]


def test_given_cells_when_shown_as_a_table_then_one_unwrapped_line_per_night(env: dict[str, str]) -> None:
    runner.invoke(
        app,
        ["ari", "set", "ALPINA", "--room-type", "FAM", "--from", "2031-02-01", "--to", "2031-02-02", *GUESTS],
    )
    result = runner.invoke(
        app,
        ["ari", "show", "ALPINA", "--from", "2031-02-01", "--to", "2031-02-02", "--room-type", "FAM"],
        env={"COLUMNS": "100"},
    )

    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "2031-02-0" in line]
    assert len(lines) == 4  # FAM on BAR and NREF, two nights each
    assert all("2:250.00 4:320.00" in line and "CTA" in line for line in lines), result.output
    assert all(len(line) <= 100 for line in result.output.splitlines())


def test_given_a_room_out_of_order_when_listed_and_removed_then_availability_follows(
    env: dict[str, str],
) -> None:
    dates = ["--from", "2031-03-01", "--to", "2031-03-02"]
    added = runner.invoke(
        app, ["ari", "out-of-order", "add", "ALPINA", "--room", "101", *dates, "--reason", "leak"]
    )
    listed = runner.invoke(app, ["ari", "out-of-order", "list", "ALPINA"])
    during = _show(*dates, "--room-type", "DBL")["availability"]
    range_id = added.output.split()[3].rstrip(":")
    removed = runner.invoke(app, ["ari", "out-of-order", "remove", "ALPINA", range_id])
    after = _show(*dates, "--room-type", "DBL")["availability"]

    assert added.exit_code == 0, added.output
    assert "101" in listed.output and "leak" in listed.output
    assert [c["available"] for c in during] == [7, 7]
    assert removed.exit_code == 0 and "room 101 back in inventory" in removed.output
    assert [c["available"] for c in after] == [8, 8]


def test_given_bad_input_when_set_then_one_line_and_no_traceback(env: dict[str, str]) -> None:
    base = ["ari", "set", "ALPINA", "--from", "2031-01-02", "--to", "2031-01-01"]
    reversed_range = runner.invoke(app, [*base, "--room-type", "DBL", "--amount", "1"])
    bad_day = runner.invoke(
        app,
        [
            "ari",
            "set",
            "ALPINA",
            "--room-type",
            "DBL",
            "--from",
            "2031-01-01",
            "--to",
            "2031-01-01",
            "--days",
            "funday",
            "--amount",
            "1",
        ],
    )
    unknown = runner.invoke(
        app,
        [
            "ari",
            "set",
            "ALPINA",
            "--room-type",
            "SPA",
            "--from",
            "2031-01-01",
            "--to",
            "2031-01-01",
            "--amount",
            "1",
        ],
    )

    assert reversed_range.exit_code == 2 and "last_night is before first_night" in reversed_range.output
    assert bad_day.exit_code == 2 and "funday" in bad_day.output
    assert unknown.exit_code == 1 and "unknown room type 'SPA'" in unknown.output
    for result in (reversed_range, bad_day, unknown):
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
