"""Resync and distribution state over the operator API (`POST …/ari-resync`, `GET …/ari-status`) and
the CLI (`hotelhub ari resync`, `hotelhub ari status`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from ari_views import HOTEL, core_view
from conftest import ENVIRON, Distributing, channel_config
from typer.testing import CliRunner

from hub.cli import app

runner = CliRunner()
STATUS = "/api/v1/partners/otaone/ari-status"
RESYNC = "/api/v1/partners/otaone/ari-resync"


async def test_given_a_resync_posted_when_the_sender_drains_then_status_shows_pending_then_the_answer(
    distributing: Distributing,
) -> None:
    d = distributing
    posted = await d.http.post(RESYNC, json={"from": "2031-01-01", "to": "2031-01-03"})
    waiting = (await d.http.get(STATUS)).json()

    await d.ari.drain("otaone")
    after = (await d.http.get(STATUS)).json()

    assert posted.status_code == 202, posted.text
    assert posted.json() == {"partner": "otaone", "from": "2031-01-01", "to": "2031-01-03", "cells": 60}
    assert (waiting["pending_cells"], waiting["urgent_cells"]) == (60, 0)
    assert waiting["oldest_pending_change"] is not None
    assert d.sim.state()[HOTEL] == await core_view(d.hub.reader, date(2031, 1, 1), date(2031, 1, 3))
    assert (after["pending_cells"], after["oldest_pending_change"]) == (0, None)
    assert after["last_answer"] == "success" and after["last_sent_at"] is not None
    assert after["messages_sent"] >= 3 and after["cells_sent"] >= 60
    assert (after["breaker"], after["paused"]) == ("closed", None)


async def test_given_a_bad_resync_when_posted_then_a_problem_naming_it(distributing: Distributing) -> None:
    backwards = await distributing.http.post(RESYNC, json={"from": "2031-01-03", "to": "2031-01-01"})
    not_a_channel = await distributing.http.post(
        "/api/v1/partners/otatwo/ari-resync", json={"from": "2031-01-01"}
    )
    unknown = await distributing.http.post("/api/v1/partners/nobody/ari-resync", json={})
    no_status = await distributing.http.get("/api/v1/partners/otatwo/ari-status")

    assert backwards.status_code == 422 and "before the first" in backwards.json()["detail"]
    assert not_a_channel.status_code == 422 and "receives no ARI" in not_a_channel.json()["detail"]
    assert unknown.status_code == 404
    assert no_status.status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_given_the_cli_when_resync_then_cells_pending_and_status_shows_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    config = channel_config(tmp_path, "http://127.0.0.1:9/ota")
    for key, value in (ENVIRON | {"HUB_DATABASE_URL": database_url}).items():
        monkeypatch.setenv(key, value)
    applied = runner.invoke(app, ["config", "apply", str(config)])
    assert applied.exit_code == 0, applied.output
    before = json.loads(runner.invoke(app, ["ari", "status", "--partner", "otaone"]).output)

    done = runner.invoke(
        app, ["ari", "resync", "--partner", "otaone", "--from", "2031-01-01", "--to", "2031-01-02"]
    )
    after = json.loads(runner.invoke(app, ["ari", "status", "--partner", "otaone"]).output)
    refused = runner.invoke(app, ["ari", "resync", "--partner", "otatwo"])

    assert done.exit_code == 0, done.output
    assert done.output.strip() == "otaone: 40 cells pending, 2031-01-01 to 2031-01-02"
    # the resync's cells beside the rooms left `config apply` announced (still in the outbox: no hub runs)
    assert after["pending_cells"] == before["pending_cells"] + 40
    assert refused.exit_code == 1 and "receives no ARI" in refused.output


def test_given_a_channel_taking_some_restrictions_when_checked_then_config_check_names_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = channel_config(
        tmp_path, "https://ari.otaone.example/ota", ari={"restrictions": ["closed", "min_los"]}
    )
    for key, value in ENVIRON.items():
        monkeypatch.setenv(key, value)

    checked = runner.invoke(app, ["config", "check", str(config)])

    assert checked.exit_code == 0, checked.output
    assert (
        "partner otaone does not take closed_to_arrival, closed_to_departure, max_advance_days, "
        "max_los, max_los_through, min_advance_days, min_los_through: the hub never sends them to it"
    ) in " ".join(checked.output.split())
