"""The same end-to-end body on both transports: a rate put over the API reaches the channel through
the hub's own senders, and the channel shows the core's values (embedded + SQLite, RabbitMQ + PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from ari_views import HOTEL, core_view, eventually
from conftest import channel_config, start_hub
from services import postgres_database, rabbit_vhost

from connectors.ota.simulator import PushChannel
from hub.app import create_app

FIRST, LAST = date(2031, 2, 1), date(2031, 2, 28)


@pytest.fixture(params=["embedded", pytest.param("rabbit", marks=pytest.mark.services)])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """(database URL, broker URL or None) of each transport."""
    if request.param == "embedded":
        yield f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", None
        return
    with postgres_database() as database_url, rabbit_vhost() as broker_url:
        yield database_url, broker_url


async def test_given_either_transport_when_rates_and_restrictions_are_put_then_the_channel_shows_the_core(
    urls: tuple[str, str | None],
    tmp_path: Path,
    channel: tuple[PushChannel, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database_url, broker_url = urls
    sim, url = channel
    config = channel_config(tmp_path, url)
    hub, _ = await start_hub(database_url, tmp_path, config, monkeypatch, senders=True, broker_url=broker_url)
    try:
        app = create_app(hub=hub)
        app.state.hub = hub  # ASGITransport runs no lifespan
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as http:
            span = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
            answer = await http.put(
                "/api/v1/properties/ALPINA/ari",
                json={
                    "patches": [
                        {"room_type": "DSUP", "rate_plan": "NREF", **span, "rates": {"amount": "222.50"}},
                        {"room_type": "DSUP", **span, "days": ["sat"], "restrictions": {"min_los": 3}},
                    ]
                },
            )
            assert answer.status_code == 200, answer.text
        core = await core_view(hub.reader, FIRST, LAST)
        saturdays = [date(2031, 2, day) for day in (1, 8, 15, 22)]
        for plan in ("FLEX1", "NRF1"):  # only the nights that changed are sent
            nights = core["restrictions"]["DZSUP"][plan]
            core["restrictions"]["DZSUP"][plan] = {night: nights[night] for night in saturdays}

        def shown(kind: str, plan: str) -> object:
            return sim.state().get(HOTEL, {}).get(kind, {}).get("DZSUP", {}).get(plan)

        async def arrived() -> bool:
            return (
                shown("rates", "NRF1") == core["rates"]["DZSUP"]["NRF1"]
                and shown("restrictions", "FLEX1") == core["restrictions"]["DZSUP"]["FLEX1"]
                and shown("restrictions", "NRF1") == core["restrictions"]["DZSUP"]["NRF1"]
            )

        await eventually(arrived, what="the channel showing the new rates and restrictions")
        assert core["rates"]["DZSUP"]["NRF1"][FIRST]["amount"] == Decimal("222.50")
        assert core["restrictions"]["DZSUP"]["FLEX1"][date(2031, 2, 1)]["min_los"] == 3  # a Saturday
        assert {c.outcome for c in sim.calls} == {"applied"}  # every message valid against 2015A
    finally:
        await hub.stop()
