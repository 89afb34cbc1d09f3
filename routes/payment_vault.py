"""The card vault ingress uses: the configured payment gateway tokenises; the local vault is the fallback.

A PAN arriving in an OTA booking is exchanged for the gateway's token (a `pm_...` payment method)
before anything is stored. When no gateway is configured, the card has no expiry the gateway
needs, or the gateway cannot be reached, the local AES-GCM vault seals it instead, so a booking
is never refused for want of a gateway. Only the local vault's tokens open again: a gateway
keeps its cards.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os

from canonical.cards import CardVault, InvalidCardToken
from canonical.errors import HubError
from connectors.payments.codec import CardDetails
from connectors.payments.vault import TOKEN_PREFIX
from routes.payment_gateways import GatewayBook

log = logging.getLogger("hotelhub.payments")


class GatewayCardVault:
    """A CardVault that asks the payment gateway first and the local vault when it cannot."""

    def __init__(self, gateways: GatewayBook, local: CardVault) -> None:
        self.gateways = gateways
        self.local = local
        # The idempotency key of a card names no card: a keyed hash under a key of this process,
        # so a retried booking gets the same token back and nobody can test a guessed PAN against it.
        self._key = os.urandom(32)

    def __repr__(self) -> str:
        return f"GatewayCardVault(local={self.local!r})"

    def idempotency_key(self, pan: str, expiry: str | None) -> str:
        """The key of one card's tokenisation (the same card in this process: the same key)."""
        digest = hmac.new(self._key, f"{pan}|{expiry or ''}".encode(), hashlib.sha256).hexdigest()
        return f"hotelhub:tokenise:{digest[:40]}"

    async def tokenize(self, pan: str, expiry: str | None) -> str:
        """The gateway's token for the card, else a local vault token."""
        if expiry:
            try:
                gateway = await self.gateways.any_gateway()
                if gateway is not None:
                    card = CardDetails.from_expiry(pan, expiry)
                    key = self.idempotency_key(pan, expiry)
                    return await gateway.outbound.run(
                        lambda: gateway.client.tokenise(card, idempotency_key=key), kind="tokenise"
                    )
            except (HubError, ValueError) as err:
                # The message names the gateway and the failure; it never holds the card.
                log.warning(
                    "card tokenised by the local vault: the gateway could not: %s", type(err).__name__
                )
        return await self.local.tokenize(pan, expiry)

    async def detokenize(self, token: str) -> str:
        """Open a local vault token; a gateway token never opens here."""
        if not token.startswith(TOKEN_PREFIX):
            raise InvalidCardToken("a gateway token cannot be opened: the gateway keeps the card")
        return await self.local.detokenize(token)
