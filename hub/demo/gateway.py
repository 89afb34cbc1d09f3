"""The demo's card gateway: the simulated gateway on a free local port, the payments partner that
points the hub at it, and what a front-desk terminal and a finance clerk ask of it.

The gateway keeps its own ledger (holds, captures): the demo reads it over the gateway's own
`/_state` page, so what it shows is what the gateway did, not what the hub believes.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from connectors.ota.simulator import serving
from connectors.payments.simulator import GatewaySimulator
from connectors.payments.webhooks import decode_secret

GATEWAY_PARTNER = "cardpay"
API_KEY_ENV = "HUB_DEMO_CARDPAY_API_KEY"
WEBHOOK_SECRET_ENV = "HUB_DEMO_CARDPAY_WEBHOOK_SECRET"  # noqa: S105 (a variable's name)
DEMO_DEPOSIT = "100.00"  # incidentals held at check-in on top of the stay total
# A test card the simulator authorises; the demo never holds a real card.
TEST_CARD = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034"}


@dataclass
class DemoGateway:
    """The running simulator: its URL, its API key and webhook secret, and the secrets' variables."""

    sim: GatewaySimulator
    url: str
    api_key: str
    webhook_secret: str
    env: dict[str, str] = field(default_factory=dict)

    async def state(self, client: httpx.AsyncClient) -> dict[str, Any]:
        """The gateway's ledger as its own state page shows it."""
        response = await client.get(f"{self.url}/_state")
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def tokenise(self, client: httpx.AsyncClient) -> str:
        """A card token for the test card, as a front-desk terminal gets one from the gateway."""
        response = await client.post(
            f"{self.url}/v1/payment_methods",
            data={"type": "card", **{f"card[{k}]": v for k, v in TEST_CARD.items()}},
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        response.raise_for_status()
        token: str = response.json()["id"]
        return token

    def asked_to_hold(self, *, since: int) -> bool:
        """True when the gateway was asked for a hold (held or refused) after its first `since` requests."""
        return any(path == "/v1/payment_intents" for path, _ in self.sim.calls[since:])

    def send_webhooks_to(self, hub_url: str) -> None:
        """Sign and send the gateway's events to the hub's webhook door from now on."""
        self.sim.webhook_url = f"{hub_url}/webhooks/payments/{GATEWAY_PARTNER}"
        self.sim.webhook_keys = (decode_secret(self.webhook_secret),)


@asynccontextmanager
async def running_gateway() -> AsyncIterator[DemoGateway]:
    """Start the simulated gateway on a free local port with keys made for this run; stop it after."""
    api_key = f"sk_test_{secrets.token_urlsafe(18)}"
    webhook_secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    sim = GatewaySimulator(api_key=api_key)
    async with serving(sim.app) as url:
        gateway = DemoGateway(
            sim, url, api_key, webhook_secret, {API_KEY_ENV: api_key, WEBHOOK_SECRET_ENV: webhook_secret}
        )
        try:
            with _secrets(gateway.env):
                yield gateway
        finally:
            await sim.aclose()


@contextmanager
def _secrets(values: Mapping[str, str]) -> Iterator[None]:
    # The hub reads the gateway's API key and webhook secret from the variables its configuration
    # names; the demo sets them for its own process, for the length of the run.
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def gateway_partner(gateway: DemoGateway, properties: list[str]) -> dict[str, Any]:
    """The payments partner of the demo's configuration copy, pointing at the simulator."""
    return {
        "id": GATEWAY_PARTNER,
        "kind": "payments",
        "name": "Card gateway",
        "properties": properties,
        "credentials": {"username": GATEWAY_PARTNER, "password_env": "HUB_PARTNER_CARDPAY_PASSWORD"},
        "outbound": {
            "url": gateway.url,
            "policy": {"timeout_s": 5, "breaker": {"failure_threshold": 3, "open_s": 1}},
        },
        "payments": {
            "api_key_env": API_KEY_ENV,
            "webhook_secret_envs": [WEBHOOK_SECRET_ENV],
            "deposit": {code: DEMO_DEPOSIT for code in properties},
        },
    }
