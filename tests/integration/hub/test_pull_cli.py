"""`hotelhub pull status` and `hotelhub pull now` on an embedded hub's database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import PASSWORDS
from pull_builders import HUB_PASSWORD, PARTNER, PASSWORD_ENV, pull_config
from typer.testing import CliRunner

from hub.cli import app

runner = CliRunner()


@pytest.fixture
def pulled_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite hub whose otaone is pulled from a port nobody listens on."""
    values = {
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "HUB_CARD_VAULT_KEY_FILE": str(tmp_path / "vault.key"),
        PASSWORD_ENV: HUB_PASSWORD,
        **PASSWORDS,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    config = pull_config(tmp_path, "http://127.0.0.1:9", timeout_s=2)
    applied = runner.invoke(app, ["config", "apply", str(config)])
    assert applied.exit_code == 0, applied.output
    return config


def test_given_a_pulled_partner_never_polled_when_status_is_asked_then_one_json_line_with_empty_fields(
    pulled_hub: Path,
) -> None:
    result = runner.invoke(app, ["pull", "status", "--json"])

    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    status = json.loads(line)
    assert (status["partner"], status["interval_s"], status["alarm_after_s"]) == (PARTNER, 1, 900)
    assert status["last_success_at"] is None and status["overdue"] is False


def test_given_an_unreachable_channel_when_polled_now_then_exit_1_and_the_error_in_the_status(
    pulled_hub: Path,
) -> None:
    polled = runner.invoke(app, ["pull", "now", "--partner", PARTNER])
    status = runner.invoke(app, ["pull", "status", "--json"])

    assert polled.exit_code == 1
    assert polled.output.startswith(f"{PARTNER}: failed: partner {PARTNER}: ConnectError")
    assert status.exit_code == 0, status.output
    last = json.loads(status.output)
    assert (
        "ConnectError" in last["last_error"] and last["last_attempt_at"] and last["last_success_at"] is None
    )


def test_given_a_partner_that_is_not_pulled_when_polled_now_then_one_line_and_exit_1(
    pulled_hub: Path,
) -> None:
    result = runner.invoke(app, ["pull", "now", "--partner", "otatwo"])

    assert result.exit_code == 1
    assert result.output == "otatwo: not-pulled: partner otatwo is not a pulled partner\n"
