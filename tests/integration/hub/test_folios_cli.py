"""`hotelhub folio` as an operator uses it: open, post a charge and a payment, close, show; refusals in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import DEMO_CONFIG, PASSWORDS
from typer.testing import CliRunner

from hub.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh SQLite hub database with the demo configuration (and its transaction codes) applied."""
    for key, value in {"HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", **PASSWORDS}.items():
        monkeypatch.setenv(key, value)
    applied = runner.invoke(app, ["config", "apply", str(DEMO_CONFIG)])
    assert applied.exit_code == 0, applied.output


def _ok(*args: str) -> str:
    result = runner.invoke(app, ["folio", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_given_a_master_folio_when_charged_paid_and_closed_then_shown_closed_with_its_invoice(
    env: None,
) -> None:
    folio = _ok("open", "ALPINA", "--kind", "master", "--name", "Wedding Rossi").strip()
    _ok("post", folio, "PARKING", "24.40", "--quantity", "2")
    _ok("post", folio, "CASH", "48.80")
    _ok("close", folio)

    shown = json.loads(_ok("show", folio, "--json"))
    late = runner.invoke(app, ["folio", "post", folio, "FNB", "5"])
    other = _ok("open", "ALPINA", "--kind", "company").strip()
    too_fine = runner.invoke(app, ["folio", "post", other, "FNB", "5.001"])

    assert (shown["status"], shown["invoice_number"], shown["balance"]) == ("closed", 1, "0.00")
    assert [(line["transaction_code"], line["amount"]) for line in shown["lines"]] == [
        ("PARKING", "40.00"),  # 48.80 with VAT 22 % inside: 40.00 + 8.80
        ("VAT22", "8.80"),
        ("CASH", "-48.80"),
    ]
    assert late.exit_code == 1 and "is closed (invoice 1) and never changes" in late.output
    assert too_fine.exit_code == 1 and "5.001 is not an amount of EUR" in too_fine.output
