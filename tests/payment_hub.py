"""A hub with one payment gateway configured, the simulated gateway as its HTTP partner, served in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from payment_builders import SECRET_NEW, SECRET_OLD

from connectors.payments.simulator import GatewaySimulator
from connectors.payments.webhooks import decode_secret
from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import load_config
from hub.config_apply import apply_config
from hub.db import create_engine
from hub.settings import HubSettings, environment
from routes.payment_gateways import GatewayBook
from routes.payments import PaymentFlow

CONFIG = """
version: 1
properties:
  - code: ALPINA
    name: Hotel Alpina
    timezone: Europe/Rome
    currency: EUR
    room_types:
      - {code: DBL, name: Double, max_occupancy: 2, rooms: ["101"]}
partners:
  - id: stripe
    kind: payments
    name: Card gateway
    properties: [ALPINA]
    credentials: {username: stripe, password_env: PAY_TEST_INBOUND}
    outbound:
      url: http://gateway.sim
      policy: {timeout_s: 2, breaker: {failure_threshold: 3, open_s: 30}}
    payments:
      api_key_env: PAY_TEST_API_KEY
      webhook_secret_envs: [PAY_TEST_WH_OLD, PAY_TEST_WH_NEW]
      deposit: {ALPINA: "100.00"}
"""
API_KEY = "sk_test_simulator"
ENVIRON = {
    "PAY_TEST_INBOUND": "inbound-secret",
    "PAY_TEST_API_KEY": API_KEY,
    "PAY_TEST_WH_OLD": SECRET_OLD,
    "PAY_TEST_WH_NEW": SECRET_NEW,
}
WEBHOOK = "/webhooks/payments/stripe"


class LosingTransport(httpx.AsyncBaseTransport):
    """The gateway's transport, losing the next `lose_next` answers after the gateway acted (a timeout)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lose_next = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward the request; raise ReadTimeout instead of the answer while answers are to be lost."""
        response = await self.inner.handle_async_request(request)
        if self.lose_next > 0:
            self.lose_next -= 1
            await response.aclose()
            raise httpx.ReadTimeout("the answer never came", request=request)
        return response


@dataclass
class PaymentHub:
    """The hub, its HTTP client, the simulated gateway and the payment flow on the hub's seams."""

    hub: Hub
    http: httpx.AsyncClient
    sim: GatewaySimulator
    flow: PaymentFlow
    wire: LosingTransport


@asynccontextmanager
async def payment_hub(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[PaymentHub]:
    """Configure, build and serve a hub whose gateway partner is a simulator (webhooks signed with the new secret)."""
    for name, value in ENVIRON.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "hotelhub.yaml"
    path.write_text(CONFIG)
    engine = create_engine(database_url)
    try:
        await apply_config(engine, load_config(path, ENVIRON), ENVIRON)
    finally:
        await engine.dispose()
    sim = GatewaySimulator(
        api_key=API_KEY, webhook_url=f"http://hub{WEBHOOK}", webhook_keys=(decode_secret(SECRET_NEW),)
    )
    wire = LosingTransport(httpx.ASGITransport(app=sim.app))
    hub = build_hub(
        HubSettings(database_url=database_url, card_vault_key_file=tmp_path / "vault.key", log_json=False),
        http_transport=wire,
    )
    app = create_app(hub=hub)
    app.state.hub = hub  # ASGITransport runs no lifespan
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")
    sim.http = http
    book = GatewayBook(
        engine=hub.engine, directory=hub.directory, clients=hub.outbound, secrets=environment()
    )

    async def no_wait(_s: float) -> None:
        return None

    try:
        yield PaymentHub(hub, http, sim, PaymentFlow(engine=hub.engine, gateways=book, sleep=no_wait), wire)
    finally:
        await sim.drain()
        await http.aclose()
        await hub.outbound.aclose()
        await hub.directory.close()
        await hub.engine.dispose()
        if hub.reader is not hub.engine:
            await hub.reader.dispose()
