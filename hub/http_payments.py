"""POST /webhooks/payments/{partner}: a payment gateway's signed notifications (Standard Webhooks)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from connectors.payments.webhooks import WebhookRefused
from hub.openapi import problem_responses
from hub.problems import PROBLEM_JSON, Problem
from hub.settings import environment
from routes.payment_gateways import GatewayBook
from routes.payment_webhooks import PaymentWebhooks

router = APIRouter(tags=["payments"])
PartnerId = Annotated[str, Path(min_length=1, max_length=64)]
MAX_WEBHOOK_BYTES = 256 * 1024  # a gateway event is a few kilobytes


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }


class WebhookAccepted(BaseModel):
    """A webhook verified and stored."""

    event_id: str
    event_type: str
    object_id: str | None


def webhooks_of(request: Request) -> PaymentWebhooks:
    """The app's webhook door, built on the hub's engine, partners and environment at first use."""
    door: PaymentWebhooks | None = getattr(request.app.state, "payment_webhooks", None)
    if door is None:
        hub = request.app.state.hub
        book = (
            hub.payments.gateways
            if hub.payments is not None
            else GatewayBook(
                engine=hub.engine, directory=hub.directory, clients=hub.outbound, secrets=environment()
            )
        )
        door = request.app.state.payment_webhooks = PaymentWebhooks(engine=hub.engine, gateways=book)
    return door


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise Problem(
            413, "too-large", "Request body too large", f"a webhook is at most {MAX_WEBHOOK_BYTES} bytes"
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_WEBHOOK_BYTES:
            raise Problem(
                413, "too-large", "Request body too large", f"a webhook is at most {MAX_WEBHOOK_BYTES} bytes"
            )
    return bytes(body)


@router.post(
    "/webhooks/payments/{partner}",
    response_model=WebhookAccepted,
    responses={
        400: _problem("A signature header is missing or unreadable, or the body is not an event"),
        401: _problem("No signature matches a secret of this gateway, or the timestamp is outside 5 minutes"),
        404: _problem("No payment gateway has this partner id"),
        409: _problem("This webhook id was received before"),
        413: _problem("Request body too large"),
        503: _problem("The gateway's webhook secrets are not set where the hub runs: send again later"),
        **problem_responses(422),  # a partner id that is not one
    },
)
async def payment_webhook(partner: PartnerId, request: Request) -> WebhookAccepted:
    """Verify a gateway notification (webhook-id, webhook-timestamp, webhook-signature); store it once."""
    body = await _body(request)
    try:
        event = await webhooks_of(request).receive(partner, request.headers, body)
    except WebhookRefused as err:
        raise Problem(err.status, err.reason.replace("_", "-"), "Webhook refused", str(err)) from None
    return WebhookAccepted(event_id=event.event_id, event_type=event.event_type, object_id=event.object_id)
