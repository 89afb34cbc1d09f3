"""Which gateway serves a property, built on the outbound seam: its settings row, API key, client.

`config apply` writes each payments partner's `payments:` section here (`apply_gateways`); the
flow and the webhook door read it back (`GatewayBook`). Secrets are looked up by variable name
in the process environment handed in, at the moment they are used.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.base import utcnow
from canonical.errors import ConfigurationError
from connectors.payments.client import StripeGateway
from connectors.payments.port import PaymentGateway
from connectors.payments.settings import PaymentGatewaySettings
from connectors.payments.webhooks import decode_secret
from routes.outbound.client import OutboundClient
from routes.outbound.registry import OutboundClients
from routes.partners import PartnerDirectory, PartnerKind, PartnerRecord
from routes.payment_tables import payment_gateways

log = logging.getLogger("hotelhub.payments")

# Builds the connector for a gateway partner on the seam's httpx client: (http, url, key, record, settings).
GatewayFactory = Callable[
    [httpx.AsyncClient, str, str, PartnerRecord, PaymentGatewaySettings], PaymentGateway
]


def stripe_factory(
    http: httpx.AsyncClient, url: str, key: str, record: PartnerRecord, settings: PaymentGatewaySettings
) -> PaymentGateway:
    """The PaymentIntents-API connector (the only gateway kind so far)."""
    return StripeGateway(http, base_url=url, api_key=key, partner=record.id, api_version=settings.api_version)


async def apply_gateways(
    conn: AsyncConnection, gateways: Sequence[tuple[str, PaymentGatewaySettings]]
) -> list[str]:
    """Make the gateway settings rows match the configuration; one line per change."""
    wanted = {partner_id: s.model_dump(mode="json") for partner_id, s in gateways}
    held = {r.partner_id: r.settings for r in await conn.execute(select(payment_gateways))}
    lines: list[str] = []
    now = utcnow()
    for partner_id, settings in wanted.items():
        if partner_id not in held:
            await conn.execute(
                payment_gateways.insert().values(partner_id=partner_id, settings=settings, updated_at=now)
            )
            lines.append(f"payment gateway {partner_id}: created")
        elif held[partner_id] != settings:
            await conn.execute(
                update(payment_gateways)
                .where(payment_gateways.c.partner_id == partner_id)
                .values(settings=settings, updated_at=now)
            )
            lines.append(f"payment gateway {partner_id}: updated")
    gone = sorted(set(held) - set(wanted))
    if gone:
        await conn.execute(delete(payment_gateways).where(payment_gateways.c.partner_id.in_(gone)))
        lines += [f"payment gateway {partner_id}: removed" for partner_id in gone]
    return lines


@dataclass(frozen=True)
class Gateway:
    """One gateway partner ready to call: its record, settings, seam client and connector."""

    record: PartnerRecord
    settings: PaymentGatewaySettings
    outbound: OutboundClient
    client: PaymentGateway

    @property
    def partner_id(self) -> str:
        """The partner id, which names the gateway in events."""
        return self.record.id


class GatewayBook:
    """Looks up gateways by partner or property; builds their connectors on the shared outbound clients."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        directory: PartnerDirectory,
        clients: OutboundClients,
        secrets: Mapping[str, str],
        factory: GatewayFactory = stripe_factory,
        ttl_s: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.directory = directory
        self.clients = clients
        self.secrets = secrets
        self.factory = factory
        # Settings rows are read at most every `ttl_s` (as the partner directory is): ingress asks
        # for a gateway with every card, and `config apply` changes them rarely.
        self.ttl_s = ttl_s
        self.monotonic = monotonic
        self._rows: dict[str, PaymentGatewaySettings] = {}
        self._loaded_at = float("-inf")

    async def _settings_rows(self) -> dict[str, PaymentGatewaySettings]:
        if self.monotonic() - self._loaded_at > self.ttl_s:
            async with self.engine.connect() as conn:
                rows = await conn.execute(select(payment_gateways.c.partner_id, payment_gateways.c.settings))
                self._rows = {r.partner_id: PaymentGatewaySettings.model_validate(r.settings) for r in rows}
            self._loaded_at = self.monotonic()
        return self._rows

    async def settings_of(self, partner_id: str) -> tuple[PartnerRecord, PaymentGatewaySettings] | None:
        """An enabled payments partner and its settings, or None when there is no such gateway."""
        settings = (await self._settings_rows()).get(partner_id)
        if settings is None:
            return None
        record = await self.directory.get(partner_id)
        if record is None or not record.enabled or record.kind != PartnerKind.PAYMENTS.value:
            return None
        return record, settings

    async def for_property(self, property_code: str) -> Gateway | None:
        """The gateway granted to this property (the first by id when several are), or None."""
        for partner_id in sorted(await self._settings_rows()):
            found = await self.settings_of(partner_id)
            if found is not None and property_code in found[0].grants:
                return self._build(*found)
        return None

    async def any_gateway(self) -> Gateway | None:
        """The first configured gateway (card tokens at ingress are not yet tied to a property)."""
        for partner_id in sorted(await self._settings_rows()):
            found = await self.settings_of(partner_id)
            if found is not None:
                return self._build(*found)
        return None

    def _build(self, record: PartnerRecord, settings: PaymentGatewaySettings) -> Gateway:
        if not record.outbound_url:
            raise ConfigurationError(f"payment gateway {record.id} has no outbound url", partner_id=record.id)
        key = self.secrets.get(settings.api_key_env)
        if not key:
            raise ConfigurationError(
                f"payment gateway {record.id}: environment variable {settings.api_key_env} is not set",
                partner_id=record.id,
            )
        outbound = self.clients.for_partner(record)
        client = self.factory(outbound.http, record.outbound_url, key, record, settings)
        return Gateway(record, settings, outbound, client)

    def webhook_keys(self, partner_id: str, settings: PaymentGatewaySettings) -> list[bytes]:
        """The HMAC keys of a gateway's webhook secrets that are set; a bad one is logged and skipped."""
        keys: list[bytes] = []
        for name in settings.webhook_secret_envs:
            text = self.secrets.get(name)
            if not text:
                log.error("payment gateway %s: environment variable %s is not set", partner_id, name)
                continue
            try:
                keys.append(decode_secret(text))
            except ValueError as err:
                log.error("payment gateway %s: environment variable %s %s", partner_id, name, err)
        return keys
