"""Wire objects <-> canonical payments, and a gateway's error answers -> the connector's errors (as data).

Pure: no I/O. Amounts stay in minor units on both sides; the wire's lower-case currency is the
canonical upper-case one.
"""

from __future__ import annotations

from collections.abc import Callable

from canonical.payments import GatewayEventReceived, Hold, HoldStatus, MinorAmount, RefundRecord
from connectors.payments.codec import (
    CardDetails,
    FormValue,
    WireErrorBody,
    WireEvent,
    WirePaymentIntent,
    WireRefund,
)
from connectors.payments.errors import (
    GatewayAuthFailed,
    GatewayUnavailable,
    IdempotencyConflict,
    InvalidPaymentRequest,
    PaymentDeclined,
    PaymentError,
    RateLimited,
)

_STATUS: dict[str, HoldStatus] = {
    "requires_capture": HoldStatus.HELD,
    "succeeded": HoldStatus.CAPTURED,
    "canceled": HoldStatus.VOIDED,
}

Params = dict[str, FormValue]


def card_params(card: CardDetails) -> Params:
    """POST /v1/payment_methods: a card payment method (no CVC: the hub never has one)."""
    details: dict[str, str | int] = {
        "number": card.number,
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
    }
    params: Params = {"type": "card", "card": details}
    if card.holder_name:
        params["billing_details"] = {"name": card.holder_name}
    return params


def authorise_params(token: str, amount: MinorAmount, reference: str) -> Params:
    """POST /v1/payment_intents: create and confirm at once, manual capture, incremental if allowed."""
    return {
        "amount": amount.value,
        "currency": amount.currency.lower(),
        "payment_method": token,
        "payment_method_types": {"0": "card"},
        "capture_method": "manual",
        "confirm": True,
        "payment_method_options": {"card": {"request_incremental_authorization": "if_available"}},
        "metadata": {"folio": reference},
    }


def increment_params(total: MinorAmount) -> Params:
    """POST /v1/payment_intents/{id}/increment_authorization: the new total to hold."""
    return {"amount": total.value}


def capture_params(amount: MinorAmount) -> Params:
    """POST /v1/payment_intents/{id}/capture: what to take of the hold."""
    return {"amount_to_capture": amount.value}


def void_params() -> Params:
    """POST /v1/payment_intents/{id}/cancel."""
    return {"cancellation_reason": "abandoned"}


def refund_params(authorisation_id: str, amount: MinorAmount) -> Params:
    """POST /v1/refunds: part or all of a captured PaymentIntent."""
    return {"payment_intent": authorisation_id, "amount": amount.value}


def hold_from(intent: WirePaymentIntent) -> Hold:
    """A PaymentIntent as a canonical hold."""
    currency = intent.currency.upper()
    status = _STATUS.get(intent.status, HoldStatus.PENDING)
    return Hold(
        authorisation_id=intent.id,
        status=status,
        authorised=MinorAmount(value=intent.amount, currency=currency),
        captured=MinorAmount(value=intent.amount_received, currency=currency),
        incremental=intent.incremental,
    )


def refund_from(refund: WireRefund, authorisation_id: str) -> RefundRecord:
    """A refund as the canonical record."""
    return RefundRecord(
        refund_id=refund.id,
        authorisation_id=refund.payment_intent or authorisation_id,
        amount=MinorAmount(value=refund.amount, currency=refund.currency.upper()),
        succeeded=refund.status in {"succeeded", "pending"},
    )


def event_from(gateway: str, event: WireEvent) -> GatewayEventReceived:
    """A verified webhook event as the canonical notice the hub stores."""
    obj = event.object
    amount: MinorAmount | None = None
    value, currency = obj.get("amount"), obj.get("currency")
    if isinstance(value, int) and isinstance(currency, str) and len(currency) == 3:
        amount = MinorAmount(value=max(value, 0), currency=currency.upper())
    object_id = obj.get("id")
    return GatewayEventReceived(
        gateway=gateway,
        event_id=event.id,
        event_type=event.type,
        object_id=object_id if isinstance(object_id, str) else None,
        amount=amount,
    )


ErrorMaker = Callable[[str, int, WireErrorBody], PaymentError]


def _declined(text: str, status: int, body: WireErrorBody) -> PaymentError:
    return PaymentDeclined(text, status=status, code=body.code, decline_code=body.decline_code)


def _simple(cls: type[PaymentError]) -> ErrorMaker:
    return lambda text, status, body: cls(text, status=status, code=body.code)


# Error handling as data: an error `type` wins over the status, then the status, then its class.
# Stripe answers a 409 `lock_timeout` (another request holds the object) as invalid_request_error:
# that one is worth a retry, so codes are looked at first.
BY_CODE: dict[str, ErrorMaker] = {"lock_timeout": _simple(GatewayUnavailable)}
BY_TYPE: dict[str, ErrorMaker] = {
    "card_error": _declined,
    "idempotency_error": _simple(IdempotencyConflict),
}
BY_STATUS: dict[int | str, ErrorMaker] = {
    # The hub follows no redirect: a gateway URL that moved is configuration to fix.
    "3xx": _simple(GatewayAuthFailed),
    400: _simple(InvalidPaymentRequest),
    401: _simple(GatewayAuthFailed),
    402: _declined,
    403: _simple(GatewayAuthFailed),
    404: _simple(InvalidPaymentRequest),
    409: _simple(IdempotencyConflict),
    429: _simple(RateLimited),
    "4xx": _simple(InvalidPaymentRequest),
    "5xx": _simple(GatewayUnavailable),
}


def error_from(
    status: int, body: WireErrorBody | None, *, partner: str, retry_after_s: float | None = None
) -> PaymentError:
    """The connector error an error answer stands for (a status nobody expected: unavailable)."""
    body = body or WireErrorBody()
    text = f"gateway {partner} answered HTTP {status}"
    if body.code or body.decline_code:
        text += f" ({'/'.join(c for c in (body.code, body.decline_code) if c)})"
    if body.message:
        text += f": {body.message[:200]}"
    maker = (
        BY_CODE.get(body.code or "")
        or BY_TYPE.get(body.type)
        or BY_STATUS.get(status)
        or BY_STATUS.get(f"{status // 100}xx")
        or _simple(GatewayUnavailable)
    )
    error = maker(text, status, body)
    if isinstance(error, GatewayUnavailable) and retry_after_s is not None:
        error.retry_after_s = retry_after_s
    return error
