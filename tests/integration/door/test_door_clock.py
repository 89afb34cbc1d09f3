"""The door judges a push by the hub's clock (build_hub(settings, clock=...)), in the property's time
zone: set to a recorded message's day, the message books; a day later than its stay, it is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from harness import DEMO_CONFIG, apply_file
from ota_builders import ARRIVAL, OTAONE, commit, reservation

from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.schema import upgrade_async
from hub.settings import HubSettings

XML = {"content-type": "text/xml"}


@asynccontextmanager
async def door_at(database_url: str, tmp_path: Path, clock: Callable[[], datetime]) -> AsyncIterator[Hub]:
    """The door (journal running, nothing consuming) of a hub whose clock is `clock`."""
    await upgrade_async(database_url)
    await apply_file(database_url, DEMO_CONFIG)
    settings = HubSettings(
        database_url=database_url, card_vault_key_file=tmp_path / "vault.key", log_json=False
    )
    hub = build_hub(settings, clock=clock)
    await hub.journal.start()
    try:
        yield hub
    finally:
        await hub.journal.stop()
        await hub.engine.dispose()
        if hub.reader is not hub.engine:
            await hub.reader.dispose()


async def push(hub: Hub, body: bytes) -> httpx.Response:
    """POST one push through the whole app."""
    app = create_app(hub=hub)
    app.state.hub = hub
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as http:
        return await http.post("/ota", content=body, auth=OTAONE, headers=XML)


async def test_given_the_clock_on_the_stay_s_last_morning_in_rome_when_pushed_then_accepted(
    database_url: str, tmp_path: Path
) -> None:
    # 23:30 UTC on 11 February is already 00:30 on 12 February in Rome: the guest leaves today
    async with door_at(database_url, tmp_path, lambda: datetime(2031, 2, 11, 23, 30, tzinfo=UTC)) as hub:
        answer = await push(hub, commit(reservation("CLOCK-1")))  # 10 to 12 February
    assert b"<Success/>" in answer.content


async def test_given_the_clock_a_day_after_the_stay_when_pushed_then_refused_as_past(
    database_url: str, tmp_path: Path
) -> None:
    departure = ARRIVAL.replace(day=ARRIVAL.day + 2)
    at = datetime(departure.year, departure.month, departure.day + 1, 9, tzinfo=UTC)
    async with door_at(database_url, tmp_path, lambda: at) as hub:
        answer = await push(hub, commit(reservation("CLOCK-2")))
    assert b'Type="3" Code="122"' in answer.content
    assert b"ended before today (2031-02-13, Europe/Rome)" in answer.content
