"""The webhook door of payment gateways: verify the signature, refuse replays, store each accepted event once.

A refusal changes nothing and is logged once with its reason; it is answered 4xx (404 for a
gateway the hub does not know, 400 for unreadable headers or body, 401 for a bad signature or a
stale timestamp, 409 for an id already received), or 503 while the gateway's secrets are not
set where the hub runs (the gateway retries; nothing is lost).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from canonical.payments import GatewayEventReceived
from connectors.payments import translate
from connectors.payments.codec import WireDecodeError, WireEvent, decode
from connectors.payments.webhooks import MalformedHeader, ReplayedWebhook, WebhookRefused, verify
from routes.payment_gateways import GatewayBook
from routes.payment_tables import payment_webhook_receipts

log = logging.getLogger("hotelhub.payments.webhooks")


class UnknownGateway(WebhookRefused):
    """No enabled payment gateway has this partner id."""

    status = 404
    reason = "unknown_partner"


class SecretsMissing(WebhookRefused):
    """None of the gateway's webhook secret variables is set: the hub cannot verify anything yet."""

    status = 503
    reason = "secrets_missing"


class PaymentWebhooks:
    """Receives one gateway webhook: verified, deduplicated by its id, stored in the receipts table."""

    def __init__(
        self, *, engine: AsyncEngine, gateways: GatewayBook, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.engine = engine
        self.gateways = gateways
        self.clock = clock

    async def receive(self, partner_id: str, headers: Mapping[str, str], body: bytes) -> GatewayEventReceived:
        """Accept one delivery and return the event stored; raise WebhookRefused (logged once) otherwise."""
        try:
            return await self._receive(partner_id, headers, body)
        except WebhookRefused as err:
            log.warning(
                "payment webhook refused: %s: %s",
                err.reason,
                err,
                extra={"partner": partner_id, "reason": err.reason, "status": err.status},
            )
            raise

    async def _receive(
        self, partner_id: str, headers: Mapping[str, str], body: bytes
    ) -> GatewayEventReceived:
        found = await self.gateways.settings_of(partner_id)
        if found is None:
            raise UnknownGateway(f"no payment gateway {partner_id!r}")
        _, settings = found
        keys = self.gateways.webhook_keys(partner_id, settings)
        if not keys:
            raise SecretsMissing(f"payment gateway {partner_id}: no webhook secret is set")
        now = self.clock()
        verified = verify(headers, body, keys, now=now, tolerance_s=settings.webhook_tolerance_s)
        if await self._seen(partner_id, verified.webhook_id):
            raise ReplayedWebhook(f"webhook {verified.webhook_id} was received before")
        try:
            event = translate.event_from(partner_id, decode(WireEvent, body))
        except WireDecodeError as err:
            raise MalformedHeader(f"the body is not an event: {err}") from None
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    payment_webhook_receipts.insert().values(
                        partner_id=partner_id,
                        webhook_id=verified.webhook_id,
                        event_type=event.event_type,
                        object_id=event.object_id,
                        amount_minor=event.amount.value if event.amount else None,
                        currency=event.amount.currency if event.amount else None,
                        signed_at=datetime.fromtimestamp(verified.timestamp, UTC),
                        received_at=now,
                        body=body.decode("utf-8", "replace"),
                    )
                )
        except IntegrityError:  # the same id arrived twice at once: the other one stored it
            raise ReplayedWebhook(f"webhook {verified.webhook_id} was received before") from None
        log.info(
            "payment webhook %s accepted: %s",
            verified.webhook_id,
            event.event_type,
            extra={"partner": partner_id, "object": event.object_id},
        )
        return event

    async def _seen(self, partner_id: str, webhook_id: str) -> bool:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(payment_webhook_receipts.c.webhook_id).where(
                        payment_webhook_receipts.c.partner_id == partner_id,
                        payment_webhook_receipts.c.webhook_id == webhook_id,
                    )
                )
            ).first()
        return row is not None
