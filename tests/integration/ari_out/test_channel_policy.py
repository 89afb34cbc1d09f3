"""A channel's `outbound.ari` block acts: its availability rules reach only it, a SOAP channel gets
WS-Security envelopes, small messages still carry every cell (every message valid against 2015A)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from ari_views import HOTEL, TWO_HOTEL, TWO_PLANS, TWO_ROOMS, core_view, eventually
from conftest import SIM_PASSWORD, SIM_PASSWORD_ENV, channel_config, start_hub
from harness import settled
from ota_schemas import OTA_2015A, require_conformance
from sqlalchemy import delete

from connectors.ota.simulator import PushChannel, SchemaFolder, serving
from hub.app import create_app
from hub.bootstrap import Hub
from routes.ari_out import AriDistributor
from routes.ari_resync import mark_resync
from routes.tables import ari_pending

FIRST = date(2031, 1, 1)
LAST = FIRST + timedelta(days=13)


async def _run(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    ari_one: dict[str, Any],
    *,
    soap: bool = False,
    patches: tuple[dict[str, Any], ...] | list[dict[str, Any]] = (),
) -> AsyncIterator[tuple[Hub, AriDistributor, PushChannel, PushChannel]]:
    require_conformance()
    one = PushChannel(username="hub", password=SIM_PASSWORD, soap=soap, schemas=SchemaFolder(OTA_2015A))
    two = PushChannel(username="hub", password=SIM_PASSWORD, schemas=SchemaFolder(OTA_2015A))
    async with serving(one.app) as url_one, serving(two.app) as url_two:
        config = channel_config(tmp_path, f"{url_one}/ota", ari=ari_one)
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["partners"][1]["outbound"]["url"] = f"{url_two}/ota"
        data["partners"][1]["outbound"]["credentials"] = {"username": "hub", "password_env": SIM_PASSWORD_ENV}
        config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        hub, ari = await start_hub(database_url, tmp_path, config, monkeypatch, senders=False)
        try:
            # the three years of rooms left `config apply` announced are not what these tests are about
            await eventually(lambda: settled(hub.engine, None), what="the configuration's changes delivered")
            async with hub.engine.begin() as conn:
                await conn.execute(delete(ari_pending))
            if patches:
                app = create_app(hub=hub)
                app.state.hub = hub  # ASGITransport runs no lifespan
                async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://hub"
                ) as http:
                    put = await http.put("/api/v1/properties/ALPINA/ari", json={"patches": list(patches)})
                    assert put.status_code == 200, put.text
            async with hub.engine.begin() as conn:
                await mark_resync(conn, "otaone", FIRST, LAST)
                await mark_resync(conn, "otatwo", FIRST, LAST)
            await ari.drain("otaone")
            await ari.drain("otatwo")
            yield hub, ari, one, two
        finally:
            await hub.stop()


@pytest.fixture
def run(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Start a hub whose OTA One has the given `outbound.ari`, resync both channels and drain them."""

    def start(ari_one: dict[str, Any], **kwargs: Any) -> Any:
        return _run(database_url, tmp_path, monkeypatch, ari_one, **kwargs)

    return start


def _nights(shown: dict[date, int]) -> dict[date, int]:
    return {night: rooms for night, rooms in shown.items() if FIRST <= night <= LAST}


async def test_given_availability_rules_of_one_channel_when_sent_then_only_it_sees_them(run: Any) -> None:
    rules = {
        "availability": {
            "max_shown": 5,
            "hold_back": 1,
            "closed_out": [{"room_type": "FAM", "from": "2031-01-05", "to": "2031-01-06"}],
        }
    }
    async for hub, _, one, two in run(rules):
        core = (await core_view(hub.reader, FIRST, LAST))["availability"]
        shown_one = {room: _nights(nights) for room, nights in one.state()[HOTEL]["availability"].items()}
        shown_two = {room: _nights(nights) for room, nights in two.state()[TWO_HOTEL]["availability"].items()}
        core_two = (await core_view(hub.reader, FIRST, LAST, TWO_ROOMS, TWO_PLANS))["availability"]
        closed = {date(2031, 1, 5), date(2031, 1, 6)}

        assert shown_two == core_two  # the other channel sees the real counts
        assert core["DZSTD"][FIRST] == 8 and shown_one["DZSTD"][FIRST] == 5  # max shown
        assert core["JSUITE"][FIRST] == 3 and shown_one["JSUITE"][FIRST] == 2  # one held back
        assert {n for n, rooms in shown_one["FAMZI"].items() if rooms == 0} == closed
        assert all(shown_one["FAMZI"][n] == 2 for n in shown_one["FAMZI"] if n not in closed)
        assert {c.outcome for c in [*one.calls, *two.calls]} == {"applied"}


async def test_given_a_soap_channel_with_small_messages_when_sent_then_it_shows_every_cell(run: Any) -> None:
    policy = {"envelope": "soap11", "max_cells": 10, "max_span_days": 7}
    async for hub, _, one, two in run(policy, soap=True):
        core = await core_view(hub.reader, FIRST, LAST)
        shown = one.state()[HOTEL]
        for kind in ("rates", "restrictions"):
            assert shown[kind] == core[kind]
        assert {room: _nights(nights) for room, nights in shown["availability"].items()} == core[
            "availability"
        ]
        assert {c.outcome for c in one.calls} == {"applied"}  # WS-Security accepted, valid 2015A
        assert len(one.calls) > 3 * len(two.calls)  # cut to its sizes; the plain channel took fewer
        assert all(c.cells <= 10 for c in one.calls)


async def test_given_a_channel_taking_only_stop_sell_when_sent_then_no_other_restriction_reaches_it(
    run: Any,
) -> None:
    restricted = {"room_type": "DBL", "rate_plan": "BAR", "from": "2031-01-01", "to": "2031-01-03"}
    patch = restricted | {"restrictions": {"closed": True, "min_los": 2, "closed_to_arrival": True}}
    async for _, _, one, two in run({"restrictions": ["closed"]}, patches=[patch]):
        shown = one.state()[HOTEL]["restrictions"]["DZSTD"]["FLEX1"][FIRST]
        other = two.state()[TWO_HOTEL]["restrictions"]["10087201"]["5501"][FIRST]

        assert (shown["closed"], shown["min_los"], shown["closed_to_arrival"]) == (True, None, False)
        assert (other["closed"], other["min_los"], other["closed_to_arrival"]) == (True, 2, True)
        assert {c.outcome for c in [*one.calls, *two.calls]} == {"applied"}
