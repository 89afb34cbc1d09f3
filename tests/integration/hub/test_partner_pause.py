"""A partner paused by a configuration failure: once, with one alert; kept by an apply that changes
nothing, resumed by an apply that changes it (SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import yaml
from harness import DEMO_CONFIG, PASSWORDS
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.config_apply import apply_file
from hub.db import create_engine
from hub.settings import HubSettings
from routes import metrics
from routes.outbound.errors import PartnerPaused
from routes.outbound.registry import OutboundClients
from routes.partners import PartnerDirectory
from routes.pauses import pause_partner, paused_reason
from routes.tables import partners

REFUSED = "partner otaone answered HTTP 401: Authorization error"


@pytest.fixture
async def applied(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[HubSettings, Path, AsyncEngine]]:
    """The demo configuration (a copy, to be edited) applied to the test's database."""
    for name, value in PASSWORDS.items():
        monkeypatch.setenv(name, value)
    shutil.copy(DEMO_CONFIG, tmp_path / "hub.yaml")
    shutil.copytree(DEMO_CONFIG.parent / "mappings", tmp_path / "mappings")
    settings = HubSettings(
        database_url=database_url, card_vault_key_file=tmp_path / "vault.key", log_json=False
    )
    await apply_file(settings, tmp_path / "hub.yaml")
    engine = create_engine(database_url)
    try:
        yield settings, tmp_path / "hub.yaml", engine
    finally:
        await engine.dispose()


def _gauge() -> float:
    return metrics.PARTNER_PAUSED.labels("otaone")._value.get()


async def test_given_configuration_failure_when_paused_twice_then_one_alert_and_an_apply_that_changes_it_resumes(
    applied: tuple[HubSettings, Path, AsyncEngine], partner_alerts: list[str]
) -> None:
    settings, path, engine = applied
    async with engine.begin() as conn:
        assert await pause_partner(conn, "otaone", REFUSED)
    async with engine.begin() as conn:
        assert not await pause_partner(conn, "otaone", REFUSED)  # a second failure: nothing new
    assert len(partner_alerts) == 1 and partner_alerts[0].startswith(f"partner otaone paused: {REFUSED}")
    assert _gauge() == 1

    requests: list[httpx.Request] = []
    clients = OutboundClients(
        transport=httpx.MockTransport(lambda r: requests.append(r) or httpx.Response(200))
    )
    directory = PartnerDirectory(engine, ttl_s=0)
    try:
        record = await directory.get("otaone")
        assert record is not None and record.paused_reason == REFUSED
        with pytest.raises(PartnerPaused):
            await clients.for_partner(record).send("POST", content=b"<OTA_HotelAvailNotifRQ/>")
        assert requests == []

        assert await apply_file(settings, path) == ["no changes"]  # the same configuration: still paused
        async with engine.connect() as conn:
            assert await paused_reason(conn, "otaone") == REFUSED

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["partners"][0]["outbound"]["policy"]["timeout_s"] = 20
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        (line,) = await apply_file(settings, path)
        assert line.startswith("partner otaone: updated: outbound policy changed; resumed (paused since ")

        async with engine.connect() as conn:
            row = (await conn.execute(select(partners).where(partners.c.id == "otaone"))).one()
        assert row.paused_at is None and row.paused_reason is None
        record = await directory.get("otaone")
        assert record is not None and record.paused_at is None
        assert _gauge() == 0  # every process's directory shows what the database holds
        response = await clients.for_partner(record).send("POST", content=b"<OTA_HotelAvailNotifRQ/>")
        assert response.status_code == 200 and len(requests) == 1
    finally:
        await clients.aclose()
        await directory.close()
    assert len(partner_alerts) == 1
