"""`hotelhub audit close` on a demo database: a close is one line, a refusal one line and exit 1."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from harness import DEMO_CONFIG, PASSWORDS
from sqlalchemy import update
from typer.testing import CliRunner

from hub.cli import app
from hub.db import create_engine
from pms_core.adapters.tables import properties

runner = CliRunner()
TODAY = date(2031, 6, 1)


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite hub database with the demo configuration, ALPINA on business date TODAY."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    for key, value in {"HUB_DATABASE_URL": database, **PASSWORDS}.items():
        monkeypatch.setenv(key, value)
    applied = runner.invoke(app, ["config", "apply", str(DEMO_CONFIG)])
    assert applied.exit_code == 0, applied.output

    async def on_today() -> None:
        engine = create_engine(database)
        async with engine.begin() as conn:
            await conn.execute(update(properties).values(business_date=TODAY))
        await engine.dispose()

    asyncio.run(on_today())
    return database


def test_given_the_business_date_when_closed_from_the_shell_twice_then_one_close_and_one_answer(
    url: str,
) -> None:
    closed = runner.invoke(app, ["audit", "close", "--property", "ALPINA"])
    again = runner.invoke(app, ["audit", "close", "--property", "ALPINA", "--date", "2031-06-01"])

    assert closed.exit_code == 0, closed.output
    assert closed.output.startswith("property ALPINA: 2031-06-01 closed: 0 room nights charged")
    assert closed.output.rstrip().endswith("business date now 2031-06-02")
    assert again.exit_code == 0 and "2031-06-01 was closed at" in again.output


def test_given_a_date_not_open_or_not_a_date_when_closed_then_one_line_and_exit_1(url: str) -> None:
    later = runner.invoke(app, ["audit", "close", "--property", "ALPINA", "--date", "2031-06-05"])
    garbled = runner.invoke(app, ["audit", "close", "--property", "ALPINA", "--date", "June"])
    unknown = runner.invoke(app, ["audit", "close", "--property", "NOPE"])

    for result in (later, garbled, unknown):
        assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert "2031-06-05 is not its business date (2031-06-01 is)" in later.output
    assert "--date: 'June' is not a date" in garbled.output
    assert "unknown property 'NOPE'" in unknown.output
