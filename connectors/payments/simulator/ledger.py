"""The simulated gateway's own books: payment methods, holds, captures and refunds, in minor units.

Independent of the hub's code: it keeps what a gateway would, so a test can compare what the hub
believes with what the gateway did (`captures` counts every capture executed, replays excluded).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

# Stripe's documented test cards: the number decides the answer.
DECLINING_CARDS: dict[str, tuple[str, str | None]] = {
    "4000000000000002": ("card_declined", "generic_decline"),
    "4000000000009995": ("card_declined", "insufficient_funds"),
    "4000000000000069": ("expired_card", None),
}


class SimError(Exception):
    """An error answer: HTTP status and the error object's members."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        decline_code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {
            "error": {
                k: v
                for k, v in {
                    "type": type,
                    "code": code,
                    "decline_code": decline_code,
                    "message": message,
                    "param": param,
                }.items()
                if v is not None
            }
        }


def _declined(code: str, decline_code: str | None) -> SimError:
    return SimError(402, "Your card was declined.", type="card_error", code=code, decline_code=decline_code)


@dataclass
class Method:
    """A tokenised card: brand and last four kept, the number forgotten."""

    id: str
    last4: str
    exp_month: int
    exp_year: int
    decline: tuple[str, str | None] | None = None


@dataclass
class Intent:
    """A PaymentIntent with manual capture."""

    id: str
    amount: int
    currency: str
    method: str
    status: str
    metadata: dict[str, str]
    created: int
    amount_received: int = 0
    increments: int = 0
    charge: str = ""

    def wire(self) -> dict[str, Any]:
        """The PaymentIntent object as the API answers it."""
        return {
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_capturable": self.amount if self.status == "requires_capture" else 0,
            "amount_received": self.amount_received,
            "capture_method": "manual",
            "created": self.created,
            "currency": self.currency,
            "latest_charge": self.charge,
            "livemode": False,
            "metadata": self.metadata,
            "payment_method": self.method,
            "payment_method_options": {"card": {"request_incremental_authorization": "if_available"}},
            "payment_method_types": ["card"],
            "status": self.status,
        }


@dataclass
class Ledger:
    """Every object the gateway holds, and counters of what it executed."""

    methods: dict[str, Method] = field(default_factory=dict)
    intents: dict[str, Intent] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    captures: int = 0
    captured: dict[str, int] = field(default_factory=dict)  # currency -> minor units taken
    decline_next: int = 0  # the next N authorisations or increments are declined (insufficient funds)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _id(self, prefix: str) -> str:
        return f"{prefix}_sim{next(self._ids):08d}"

    def tokenise(self, params: dict[str, str]) -> dict[str, Any]:
        """POST /v1/payment_methods."""
        number = params.get("card[number]", "")
        if params.get("type") != "card" or not number.isdigit() or not 12 <= len(number) <= 19:
            raise SimError(400, "Your card number is incorrect.", code="incorrect_number", param="number")
        method = Method(
            id=self._id("pm"),
            last4=number[-4:],
            exp_month=int(params.get("card[exp_month]", "0") or 0),
            exp_year=int(params.get("card[exp_year]", "0") or 0),
            decline=DECLINING_CARDS.get(number),
        )
        self.methods[method.id] = method
        return {
            "id": method.id,
            "object": "payment_method",
            "type": "card",
            "card": {
                "brand": "visa" if number.startswith("4") else "unknown",
                "last4": method.last4,
                "exp_month": method.exp_month,
                "exp_year": method.exp_year,
            },
        }

    def _refuse_now(self, method: Method) -> None:
        if method.decline is not None:
            raise _declined(*method.decline)
        if self.decline_next > 0:
            self.decline_next -= 1
            raise _declined("card_declined", "insufficient_funds")

    def authorise(self, params: dict[str, str]) -> dict[str, Any]:
        """POST /v1/payment_intents (capture_method=manual, confirm=true)."""
        amount = _amount(params, "amount")
        currency = params.get("currency", "")
        method = self.methods.get(params.get("payment_method", ""))
        if len(currency) != 3:
            raise SimError(
                400, "Missing required param: currency.", code="parameter_missing", param="currency"
            )
        if method is None:
            raise SimError(400, "No such PaymentMethod.", code="resource_missing", param="payment_method")
        if params.get("capture_method") != "manual" or params.get("confirm") != "true":
            raise SimError(400, "This simulator takes manual capture, confirmed at creation.")
        self._refuse_now(method)
        metadata = {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")}
        intent = Intent(
            id=self._id("pi"),
            amount=amount,
            currency=currency,
            method=method.id,
            status="requires_capture",
            metadata=metadata,
            created=int(time.time()),
            charge=self._id("ch"),
        )
        self.intents[intent.id] = intent
        return intent.wire()

    def intent(self, intent_id: str) -> Intent:
        """The intent with this id, or a 404 error."""
        found = self.intents.get(intent_id)
        if found is None:
            raise SimError(404, f"No such payment_intent: '{intent_id}'", code="resource_missing")
        return found

    def increment(self, intent_id: str, params: dict[str, str]) -> dict[str, Any]:
        """POST /v1/payment_intents/{id}/increment_authorization: a new, higher total."""
        intent = self.intent(intent_id)
        amount = _amount(params, "amount")
        if intent.status != "requires_capture":
            raise SimError(
                400, "This PaymentIntent cannot be incremented.", code="payment_intent_unexpected_state"
            )
        if amount <= intent.amount:
            raise SimError(400, "The amount must be greater than the authorized amount.", param="amount")
        if intent.increments >= 10:
            raise SimError(400, "The maximum number of incremental authorizations was reached.")
        intent.increments += 1
        self._refuse_now(self.methods[intent.method])
        intent.amount = amount
        return intent.wire()

    def capture(self, intent_id: str, params: dict[str, str]) -> dict[str, Any]:
        """POST /v1/payment_intents/{id}/capture: take part or all, release the rest."""
        intent = self.intent(intent_id)
        amount = _amount(params, "amount_to_capture") if "amount_to_capture" in params else intent.amount
        if intent.status != "requires_capture":
            raise SimError(
                400,
                f"This PaymentIntent could not be captured because it has a status of {intent.status}.",
                code="payment_intent_unexpected_state",
            )
        if amount > intent.amount:
            raise SimError(
                400, "The amount to capture is more than the amount capturable.", param="amount_to_capture"
            )
        intent.amount_received = amount
        intent.status = "succeeded"
        self.captures += 1
        self.captured[intent.currency] = self.captured.get(intent.currency, 0) + amount
        return intent.wire()

    def void(self, intent_id: str) -> dict[str, Any]:
        """POST /v1/payment_intents/{id}/cancel."""
        intent = self.intent(intent_id)
        if intent.status != "requires_capture":
            raise SimError(
                400, "This PaymentIntent cannot be canceled.", code="payment_intent_unexpected_state"
            )
        intent.status = "canceled"
        return intent.wire()

    def refund(self, params: dict[str, str]) -> dict[str, Any]:
        """POST /v1/refunds: of a captured intent, never more than is left."""
        intent = self.intent(params.get("payment_intent", ""))
        amount = _amount(params, "amount") if "amount" in params else intent.amount_received
        already = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent.id)
        if intent.status != "succeeded" or amount > intent.amount_received - already:
            raise SimError(
                400, "Refund amount is greater than what is left to refund.", code="amount_too_large"
            )
        refund = {
            "id": self._id("re"),
            "object": "refund",
            "amount": amount,
            "charge": intent.charge,
            "created": int(time.time()),
            "currency": intent.currency,
            "payment_intent": intent.id,
            "status": "succeeded",
        }
        self.refunds[str(refund["id"])] = refund
        return refund


def _amount(params: dict[str, str], name: str) -> int:
    text = params.get(name, "")
    if not text.isdigit() or int(text) < 1:
        raise SimError(
            400, f"Invalid positive integer: {name}.", code="parameter_invalid_integer", param=name
        )
    return int(text)
