"""Stripe-style wire format: form-encoded requests (bracket keys), JSON answers read into wire objects.

Pure: bytes in, objects out. Wire objects keep the fields the hub reads and ignore the rest, as a
client of a versioned API must (the gateway adds fields without a new version).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, ValidationError

FORM = "application/x-www-form-urlencoded"

FormValue = str | int | bool | Mapping[str, Any] | None


class WireDecodeError(ValueError):
    """An answer that is not the JSON object the API documents."""


@dataclass(frozen=True)
class CardDetails:
    """A card as it arrives at ingress; its repr never shows the number."""

    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    holder_name: str | None = None

    @property
    def last4(self) -> str:
        """The last four digits, the only part shown."""
        return self.number[-4:]

    @classmethod
    def from_expiry(cls, number: str, expiry: str, holder_name: str | None = None) -> CardDetails:
        """Read an OTA expiry (MMYY) or an ISO-ish one (YYYY-MM, MM/YY)."""
        text = expiry.strip().replace("/", "")
        if "-" in text:
            year, month = text.split("-", 1)
        elif len(text) == 4:
            month, year = text[:2], "20" + text[2:]
        else:
            raise ValueError("the card expiry is not MMYY, MM/YY or YYYY-MM")
        return cls(number=number, exp_month=int(month), exp_year=int(year), holder_name=holder_name)


def _flatten(prefix: str, value: FormValue, out: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(f"{prefix}[{key}]", inner, out)
    elif isinstance(value, bool):
        out.append((prefix, "true" if value else "false"))
    else:
        out.append((prefix, str(value)))


def encode_form(params: Mapping[str, FormValue]) -> bytes:
    """Form-encode parameters the way the API reads nested ones: card[number]=..., metadata[folio]=..."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        _flatten(key, value, pairs)
    return urlencode(pairs).encode("ascii")


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


_W = TypeVar("_W", bound=_Wire)


class WireCard(_Wire):
    """The card part of a payment method: brand and last four only."""

    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None


class WirePaymentMethod(_Wire):
    """A payment method (`pm_...`): the token the hub keeps for a card."""

    id: str
    object: str = "payment_method"
    type: str = "card"
    card: WireCard | None = None


class WirePaymentIntent(_Wire):
    """A PaymentIntent (`pi_...`): amounts in minor units, lower-case currency, status."""

    id: str
    object: str = "payment_intent"
    amount: int
    amount_capturable: int = 0
    amount_received: int = 0
    currency: str
    status: str
    capture_method: str = "automatic"
    latest_charge: str | dict[str, Any] | None = None
    metadata: dict[str, str] = {}
    payment_method_options: dict[str, Any] | None = None

    @property
    def incremental(self) -> bool:
        """True when the card's options say the hold can be raised."""
        card = (self.payment_method_options or {}).get("card") or {}
        return card.get("request_incremental_authorization") in {"if_available", "always"}


class WireRefund(_Wire):
    """A refund (`re_...`)."""

    id: str
    object: str = "refund"
    amount: int
    currency: str
    payment_intent: str | None = None
    status: str | None = None


class WireErrorBody(_Wire):
    """The `error` member of an error answer."""

    type: str = "api_error"
    code: str | None = None
    decline_code: str | None = None
    message: str | None = None
    param: str | None = None


class WireError(_Wire):
    """An error answer: {"error": {"type", "code", "decline_code", "message", ...}}."""

    error: WireErrorBody


class WireEvent(_Wire):
    """A webhook event: {"id": "evt_...", "type": "...", "data": {"object": {...}}}."""

    id: str
    type: str
    created: int | None = None
    data: dict[str, Any]

    @property
    def object(self) -> dict[str, Any]:
        """The object the event is about."""
        inner = self.data.get("object")
        return inner if isinstance(inner, dict) else {}


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise WireDecodeError(f"the answer is not JSON: {err}") from None


def decode(model: type[_W], body: bytes) -> _W:
    """Read an answer body as one wire object; WireDecodeError when it is not one."""
    try:
        return model.model_validate(_json(body))
    except ValidationError as err:
        raise WireDecodeError(f"the answer is not a {model.__name__}: {err.errors()[0]['msg']}") from None


def decode_error(body: bytes) -> WireErrorBody | None:
    """The error member of an error answer, or None when the body is not one (a proxy's HTML page)."""
    try:
        return decode(WireError, body).error
    except WireDecodeError:
        return None
