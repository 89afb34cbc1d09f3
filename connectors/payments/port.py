"""The PaymentGateway port: what the hub asks of any card gateway, in canonical amounts (minor units).

`StripeGateway` (client.py) implements it over a Stripe-style PaymentIntents API; a second gateway
implements the same six calls. Every call takes an idempotency key: the caller derives it from
the message that caused the call, so the same message never moves money twice.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from canonical.payments import Hold, MinorAmount, RefundRecord
from connectors.payments.codec import CardDetails


@runtime_checkable
class PaymentGateway(Protocol):
    """Tokenise a card; authorise, raise, capture or void a hold; refund a capture."""

    async def tokenise(self, card: CardDetails, *, idempotency_key: str) -> str:
        """Exchange card details for the gateway's reusable token (the PAN goes no further)."""
        ...

    async def authorise(
        self, token: str, amount: MinorAmount, *, idempotency_key: str, reference: str
    ) -> Hold:
        """Hold `amount` on the card (manual capture); raise PaymentDeclined when refused."""
        ...

    async def increment(self, authorisation_id: str, total: MinorAmount, *, idempotency_key: str) -> Hold:
        """Raise a hold to the new `total`; a decline leaves the hold as it was."""
        ...

    async def capture(self, authorisation_id: str, amount: MinorAmount, *, idempotency_key: str) -> Hold:
        """Take `amount` of the hold; the rest is released."""
        ...

    async def void(self, authorisation_id: str, *, idempotency_key: str) -> Hold:
        """Release the hold without taking anything."""
        ...

    async def refund(
        self, authorisation_id: str, amount: MinorAmount, *, idempotency_key: str
    ) -> RefundRecord:
        """Give back `amount` of what was captured."""
        ...
