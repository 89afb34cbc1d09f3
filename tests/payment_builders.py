"""Builders for the payment tests: recorded gateway answers, a gateway client on the outbound seam, commands."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import httpx

from canonical.envelope import Envelope
from canonical.payments import (
    AuthorisePayment,
    CapturePayment,
    IncrementAuthorisation,
    MinorAmount,
    PaymentCommand,
    RefundPayment,
    VoidAuthorisation,
)
from connectors.payments.client import StripeGateway
from routes.outbound.client import OutboundClient, build_outbound
from routes.policy import DeliveryPolicy

FIXTURES = Path(__file__).parent / "contract" / "payments" / "fixtures"
API = "https://gateway.example"
API_KEY = "sk_test_hotelhub"
INTENT = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
CAUSE = UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
SECRET_OLD = "whsec_" + base64.b64encode(b"old-secret-of-32-bytes-long-.....").decode()
SECRET_NEW = "whsec_" + base64.b64encode(b"new-secret-of-32-bytes-long-.....").decode()


def fixture_bytes(name: str) -> bytes:
    """The bytes of fixtures/<name>.json."""
    return (FIXTURES / f"{name}.json").read_bytes()


def recorded(name: str, status: int = 200, **headers: str) -> httpx.Response:
    """A recorded answer with its status."""
    return httpx.Response(
        status, content=fixture_bytes(name), headers={"Content-Type": "application/json", **headers}
    )


@dataclass(frozen=True)
class GatewayPartner:
    """What the outbound seam needs to know of a gateway partner."""

    id: str = "stripe"
    kind: str = "payments"
    outbound_url: str | None = API


def seam_client(
    transport: httpx.AsyncBaseTransport | None = None, *, timeout_s: float = 2.0
) -> OutboundClient:
    """The gateway partner's client as the hub's outbound seam builds it."""
    return build_outbound(GatewayPartner(), DeliveryPolicy(timeout_s=timeout_s), transport=transport)


def gateway(http: httpx.AsyncClient, *, base_url: str = API, api_key: str = API_KEY) -> StripeGateway:
    """The connector's client on an httpx client."""
    return StripeGateway(http, base_url=base_url, api_key=api_key, partner="stripe")


def eur(value: int) -> MinorAmount:
    """An amount in euro cents."""
    return MinorAmount(value=value, currency="EUR")


def command(payload: PaymentCommand, *, message_id: UUID = CAUSE) -> Envelope[PaymentCommand]:
    """A payment command in its envelope, caused by one fixed message unless told otherwise."""
    return Envelope[PaymentCommand](
        message_id=message_id,
        message_type="payment.command.v1",
        correlation_id="stay-F-1001",
        property_code=payload.property_code,
        payload=payload,
    )


def authorise(amount: int = 48000, token: str = "pm_x") -> AuthorisePayment:
    """Hold `amount` cents at check-in for folio F-1001."""
    return AuthorisePayment(property_code="ALPINA", folio_id="F-1001", card_token=token, amount=eur(amount))


def increment(intent: str, amount: int) -> IncrementAuthorisation:
    """Raise folio F-1001's hold to `amount` cents."""
    return IncrementAuthorisation(
        property_code="ALPINA", folio_id="F-1001", authorisation_id=intent, amount=eur(amount)
    )


def capture(intent: str, amount: int) -> CapturePayment:
    """Capture `amount` cents of folio F-1001's hold at check-out."""
    return CapturePayment(
        property_code="ALPINA", folio_id="F-1001", authorisation_id=intent, amount=eur(amount)
    )


def void(intent: str) -> VoidAuthorisation:
    """Release folio F-1001's hold."""
    return VoidAuthorisation(property_code="ALPINA", folio_id="F-1001", authorisation_id=intent)


def refund(intent: str, amount: int) -> RefundPayment:
    """Refund `amount` cents of folio F-1001's capture."""
    return RefundPayment(
        property_code="ALPINA", folio_id="F-1001", authorisation_id=intent, amount=eur(amount)
    )
