"""The ARI distributor against the push-channel simulator, on a real database (SQLite and PostgreSQL).

The configuration is the demo's, with OTA One sending to the simulator (HTTP Basic) and OTA Two
without an outbound URL (it receives nothing). Tests that count messages hold the senders and
drive them with `AriDistributor.drain`; the end-to-end test runs them in the background.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from harness import DEMO_CONFIG, PASSWORDS, settled
from ota_schemas import OTA_2015A, require_conformance
from services import BOTH_DATABASES, fresh_database
from sqlalchemy import delete

from connectors.ota.simulator import PushChannel, SchemaFolder, serving
from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import load_config
from hub.config_apply import apply_config
from hub.db import create_engine
from hub.schema import upgrade_async
from hub.settings import HubSettings
from routes.ari_out import AriDistributor
from routes.tables import ari_pending

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from ari_views import eventually  # noqa: E402

SIM_PASSWORD_ENV = "HUB_TEST_SIM_PASSWORD"
SIM_PASSWORD = "sim-secret"
ENVIRON = PASSWORDS | {SIM_PASSWORD_ENV: SIM_PASSWORD}


@pytest.fixture(params=BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a database of its own on the local PostgreSQL."""
    with fresh_database(request.param, tmp_path, "ari-out.db") as url:
        yield url


@pytest.fixture
async def channel() -> AsyncIterator[tuple[PushChannel, str]]:
    """A push channel validating every request against OTA 2015A, served on a free port."""
    require_conformance()
    sim = PushChannel(username="hub", password=SIM_PASSWORD, schemas=SchemaFolder(OTA_2015A))
    async with serving(sim.app) as url:
        yield sim, f"{url}/ota"


def channel_config(tmp_path: Path, url: str, **outbound: Any) -> Path:
    """The demo configuration with OTA One sending to `url` and OTA Two sending nowhere."""
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    by_id = {p["id"]: p for p in data["partners"]}
    one, two = by_id["otaone"], by_id["otatwo"]
    data["partners"] = [one, two]  # the channels alone
    one["mapping"] = str(DEMO_CONFIG.parent / one["mapping"])
    two["mapping"] = str(DEMO_CONFIG.parent / two["mapping"])
    one["outbound"]["url"] = url
    one["outbound"]["credentials"] = {"username": "hub", "password_env": SIM_PASSWORD_ENV}
    one["outbound"]["policy"]["retry"]["delays_s"] = [0.01]
    # limits are proven on the seam's virtual time (tests/contract/outbound); here they only slow
    one["outbound"]["policy"]["rate_limit"] = {"max_rate": 1000, "period_s": 1}
    two["outbound"]["policy"]["rate_limit"] = {"max_rate": 1000, "period_s": 1}
    one["outbound"].update(outbound)
    del two["outbound"]["url"]
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Distributing:
    """A started hub whose ARI senders the test drives (`drain`), its API client and the channel."""

    hub: Hub
    ari: AriDistributor
    http: httpx.AsyncClient
    sim: PushChannel
    config: Path

    async def put(self, *patches: dict[str, Any]) -> Any:
        """PUT ARI patches of ALPINA; the answer's JSON."""
        response = await self.http.put("/api/v1/properties/ALPINA/ari", json={"patches": list(patches)})
        assert response.status_code == 200, response.text
        return response.json()


async def apply(database_url: str, config: Path, *, synced: bool = False) -> list[str]:
    """Apply a configuration file with the test's environment; `synced`: then forget the resync the
    apply queued for each new channel, as if the channel already held the whole calendar."""
    engine = create_engine(database_url)
    try:
        lines = await apply_config(engine, load_config(config, ENVIRON), ENVIRON)
        if synced:
            async with engine.begin() as conn:
                await conn.execute(delete(ari_pending))
        return lines
    finally:
        await engine.dispose()


async def start_hub(
    database_url: str,
    tmp_path: Path,
    config: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    senders: bool,
    broker_url: str | None = None,
) -> tuple[Hub, AriDistributor]:
    """Migrate, apply, build and start a hub; its ARI senders run in the background only if asked."""
    monkeypatch.setenv(SIM_PASSWORD_ENV, SIM_PASSWORD)
    await upgrade_async(database_url)
    # each test sends what it changes, to a channel that holds the rest already
    await apply(database_url, config, synced=True)
    hub = build_hub(
        HubSettings(
            database_url=database_url,
            broker_url=broker_url,
            card_vault_key_file=tmp_path / "vault.key",
            dispatcher_idle_ms=10,
            relay_idle_ms=10,
            mapping_cache_seconds=0.1,
            log_json=False,
        )
    )
    assert hub.ari is not None
    ari = hub.ari
    if not senders:
        hub.ari = None  # started without its senders: the test drives them
    await hub.start(consume=True, relay=True)
    hub.ari = ari  # the API reads it (breakers) and nudges it
    return hub, ari


@pytest.fixture
async def distributing(
    database_url: str,
    tmp_path: Path,
    channel: tuple[PushChannel, str],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Distributing]:
    """The hub with OTA One on the simulator, its senders held."""
    sim, url = channel
    config = channel_config(tmp_path, url)
    hub, ari = await start_hub(database_url, tmp_path, config, monkeypatch, senders=False)
    app = create_app(hub=hub)
    app.state.hub = hub  # ASGITransport runs no lifespan
    try:
        # what `config apply` announced (three years of rooms left) goes out first, then a clean slate
        await eventually(lambda: settled(hub.engine, None), what="the configuration's changes delivered")
        assert (await ari.drain("otaone"))[-1].outcome == "idle"
        sim.reset()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as http:
            yield Distributing(hub, ari, http, sim, config)
    finally:
        await hub.stop()
