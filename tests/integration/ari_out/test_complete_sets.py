"""A resync (REST) of a channel taking complete sets: the push channel, holding stale values beforehand (a room
code it is no longer sent, a night beyond the range, wrong counts and amounts), ends showing exactly
what the core holds; the set goes once, as the first rooms-left message, and nothing stays pending."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import yaml
from ari_views import HOTEL, core_view, eventually
from conftest import ENVIRON, channel_config, start_hub
from harness import settled
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from connectors.ota.simulator import PushChannel
from connectors.ota.simulator.items import RateValue
from hub.app import create_app
from hub.cli import app
from routes.tables import ari_pending

FIRST = date(2031, 1, 1)
LAST = FIRST + timedelta(days=13)
INV_COUNT = "OTA_HotelInvCountNotifRQ"
runner = CliRunner()


def stale(sim: PushChannel) -> None:
    """What the channel shows before the resync and the core does not hold."""
    sim.book.availability[(HOTEL, "DZOLD", FIRST)] = 7  # a code the mapping no longer has
    sim.book.availability[(HOTEL, "DZSTD", FIRST)] = 99  # a wrong count in the range
    sim.book.availability[(HOTEL, "DZSTD", LAST + timedelta(days=30))] = 5  # beyond the range
    sim.book.rates[(HOTEL, "DZSTD", "FLEX1", FIRST)] = RateValue(amount=Decimal(1), currency="EUR")


async def test_given_stale_values_on_the_channel_when_resynced_as_a_complete_set_then_it_shows_the_core(
    database_url: str,
    tmp_path: Path,
    channel: tuple[PushChannel, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim, url = channel
    config = channel_config(tmp_path, url, ari={"complete_sets": True, "max_cells": 40})
    hub, ari = await start_hub(database_url, tmp_path, config, monkeypatch, senders=False)
    try:
        # the three years of rooms left `config apply` announced are not what this test is about
        await eventually(lambda: settled(hub.engine, None), what="the configuration's changes delivered")
        async with hub.engine.begin() as conn:
            await conn.execute(delete(ari_pending))
        sim.reset()
        stale(sim)

        app = create_app(hub=hub)
        app.state.hub = hub  # ASGITransport runs no lifespan
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as http:
            posted = await http.post(
                "/api/v1/partners/otaone/ari-resync", json={"from": str(FIRST), "to": str(LAST)}
            )
        rounds = await ari.drain("otaone")

        assert posted.status_code == 202, posted.text
        assert posted.json()["complete_set"] is True
        assert rounds[-1].outcome == "idle"
        assert sim.state()[HOTEL] == await core_view(hub.reader, FIRST, LAST)
        rooms_left = [call for call in sim.calls if call.message == INV_COUNT]
        # 4 room types x 14 nights, at most 40 cells a message: the set in pieces, each applied
        assert len(rooms_left) >= 2 and {call.outcome for call in rooms_left} == {"applied"}
        async with hub.engine.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(ari_pending)) == 0
    finally:
        await hub.stop()


def test_given_a_complete_set_channel_when_resynced_and_its_restrictions_changed_by_cli_then_both_say_so(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = channel_config(tmp_path, "http://127.0.0.1:9/ota", ari={"complete_sets": True})
    for key, value in (ENVIRON | {"HUB_DATABASE_URL": database_url}).items():
        monkeypatch.setenv(key, value)
    assert runner.invoke(app, ["config", "apply", str(config)]).exit_code == 0

    done = runner.invoke(
        app, ["ari", "resync", "--partner", "otaone", "--from", "2031-01-01", "--to", "2031-01-02"]
    )
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["partners"][0]["outbound"]["ari"]["restrictions"] = ["closed", "min_los"]
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    changed = runner.invoke(app, ["config", "apply", str(config)])
    again = runner.invoke(app, ["config", "apply", str(config)])

    assert done.exit_code == 0, done.output
    assert done.output.strip() == (
        "otaone: 40 cells pending, 2031-01-01 to 2031-01-02; rooms left as one complete set"
    )
    assert changed.exit_code == 0, changed.output
    assert changed.output.splitlines()[-1] == (
        "channel otaone: mapping changed, resync of 7300 cells queued (rooms left as one complete set)"
    )
    assert not any(line.startswith("channel otatwo") for line in changed.output.splitlines())
    # (the file's warning about the restriction types it does not take comes first, on each apply)
    assert (again.exit_code, again.output.splitlines()[-1]) == (0, "no changes")
