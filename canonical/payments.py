"""Card payments in the hub's language: minor-unit amounts, holds, and the commands and events around them.

A hold (an authorisation) is placed at check-in for the stay total plus the property's incidentals
deposit, raised when the folio balance passes it, captured at check-out, voided when nothing is
owed, and a capture can be refunded. Every command names the message that caused it: the gateway
call it makes carries an idempotency key derived from that id, so a redelivery never charges twice.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from canonical.base import Code, CurrencyCode, Frozen, Money

PAYMENT_AUTHORISED_V1 = "payment.authorised.v1"
PAYMENT_INCREMENTED_V1 = "payment.incremented.v1"
PAYMENT_CAPTURED_V1 = "payment.captured.v1"
PAYMENT_VOIDED_V1 = "payment.voided.v1"
PAYMENT_REFUNDED_V1 = "payment.refunded.v1"
PAYMENT_DECLINED_V1 = "payment.declined.v1"
PAYMENT_GATEWAY_EVENT_V1 = "payment.gateway_event.v1"

# ISO 4217 exponents that are not 2; every other active code has two decimal places.
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV"),
        0,
    ),
    **dict.fromkeys(("XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}

CardToken = Annotated[str, Field(min_length=1, max_length=255)]
GatewayRef = Annotated[str, Field(min_length=1, max_length=255)]


def exponent(currency: str) -> int:
    """The number of decimal places of an ISO 4217 currency (2 unless the standard says otherwise)."""
    return _EXPONENTS.get(currency, 2)


class MinorAmount(Frozen):
    """An amount as a whole number of the currency's minor units (cents, yen, fils)."""

    value: Annotated[int, Field(ge=0)]
    currency: CurrencyCode

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> MinorAmount:
        """The minor units of a Decimal amount; ValueError when it is finer than the currency allows."""
        scaled = amount.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{amount} {currency} has more than {exponent(currency)} decimal places")
        return cls(value=int(scaled), currency=currency)

    def as_money(self) -> Money:
        """The same amount as Decimal Money with the currency's exponent."""
        places = exponent(self.currency)
        return Money(amount=Decimal(self.value).scaleb(-places), currency=self.currency)

    def plus(self, other: MinorAmount) -> MinorAmount:
        """The sum of two amounts of one currency."""
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return MinorAmount(value=self.value + other.value, currency=self.currency)


class HoldStatus(StrEnum):
    """Where a hold stands at the gateway."""

    HELD = "held"  # authorised, capturable
    CAPTURED = "captured"
    VOIDED = "voided"
    PENDING = "pending"  # the gateway has not decided (3-D Secure, processing)


class Hold(Frozen):
    """An authorisation at the gateway: what is held, what was captured of it."""

    authorisation_id: GatewayRef
    status: HoldStatus
    authorised: MinorAmount
    captured: MinorAmount
    incremental: bool = False  # the gateway lets this hold be raised


class RefundRecord(Frozen):
    """A refund the gateway made of a captured hold."""

    refund_id: GatewayRef
    authorisation_id: GatewayRef
    amount: MinorAmount
    succeeded: bool


class PaymentOperation(StrEnum):
    """The gateway call a command makes."""

    AUTHORISE = "authorise"
    INCREMENT = "increment"
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"


class _Command(Frozen):
    property_code: Code
    folio_id: Annotated[str, Field(min_length=1, max_length=64)]


class AuthorisePayment(_Command):
    """Hold `amount` on the card behind `card_token` (check-in: stay total + incidentals deposit)."""

    card_token: CardToken
    amount: MinorAmount


class IncrementAuthorisation(_Command):
    """Raise a hold to a new total `amount` (the folio balance passed what is held)."""

    authorisation_id: GatewayRef
    amount: MinorAmount


class CapturePayment(_Command):
    """Take `amount` of a hold (check-out); what is left of the hold is released."""

    authorisation_id: GatewayRef
    amount: MinorAmount


class VoidAuthorisation(_Command):
    """Release a hold without taking anything."""

    authorisation_id: GatewayRef


class RefundPayment(_Command):
    """Give back `amount` of what was captured of a hold."""

    authorisation_id: GatewayRef
    amount: MinorAmount


PaymentCommand = (
    AuthorisePayment | IncrementAuthorisation | CapturePayment | VoidAuthorisation | RefundPayment
)


class _Event(Frozen):
    property_code: Code
    folio_id: Annotated[str, Field(min_length=1, max_length=64)]
    gateway: Code  # the partner id of the gateway that answered


class PaymentAuthorised(_Event):
    """A hold was placed."""

    hold: Hold


class AuthorisationIncremented(_Event):
    """A hold was raised; `hold.authorised` is the new total."""

    hold: Hold


class PaymentCaptured(_Event):
    """Money was taken from a hold."""

    hold: Hold
    amount: MinorAmount


class AuthorisationVoided(_Event):
    """A hold was released."""

    hold: Hold


class PaymentRefunded(_Event):
    """Captured money was given back."""

    refund: RefundRecord


class PaymentDeclined(_Event):
    """The card issuer or the gateway refused: the folio stays open and someone has to act."""

    operation: PaymentOperation
    authorisation_id: GatewayRef | None = None
    code: str | None = None  # the gateway's error code (card_declined, expired_card…)
    decline_code: str | None = None  # the issuer's reason, when given (insufficient_funds…)
    message: str = ""


PaymentEvent = (
    PaymentAuthorised
    | AuthorisationIncremented
    | PaymentCaptured
    | AuthorisationVoided
    | PaymentRefunded
    | PaymentDeclined
)


class GatewayEventReceived(Frozen):
    """A signed notification the gateway sent (a webhook), verified and stored once."""

    gateway: Code
    event_id: Annotated[str, Field(min_length=1, max_length=255)]
    event_type: Annotated[str, Field(min_length=1, max_length=128)]
    object_id: str | None = None
    amount: MinorAmount | None = None
