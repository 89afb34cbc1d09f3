"""StripeGateway: the PaymentGateway port over a Stripe-style PaymentIntents API; the only network I/O here.

It takes the partner's `httpx.AsyncClient` as built by the hub's outbound seam (timeout and
connection limits from the partner's policy) and raises only the connector's errors, `from` the
httpx error or the gateway's answer. The pause, breaker and rate limits are the seam's, around
each call (routes/payments.py).
"""

from __future__ import annotations

import re

import httpx

from canonical.payments import Hold, MinorAmount, RefundRecord
from connectors.payments import translate
from connectors.payments.codec import (
    FORM,
    CardDetails,
    WireDecodeError,
    WirePaymentIntent,
    WirePaymentMethod,
    WireRefund,
    decode,
    decode_error,
    encode_form,
)
from connectors.payments.errors import GatewayAuthFailed, GatewayUnavailable, InvalidPaymentRequest

# Gateway ids are letters, digits and underscores (pi_3MtwBw...): anything else never reaches a URL path.
_ID = re.compile(r"^[A-Za-z0-9_]{1,255}$")


def _checked(authorisation_id: str) -> str:
    if not _ID.match(authorisation_id):
        raise InvalidPaymentRequest(f"{authorisation_id[:40]!r} is not a gateway authorisation id")
    return authorisation_id


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


class StripeGateway:
    """A PaymentGateway on the PaymentIntents API: form bodies, Bearer key, Idempotency-Key on every call."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: str,
        partner: str,
        api_version: str | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.partner = partner
        self.api_version = api_version

    def __repr__(self) -> str:
        return f"StripeGateway(partner={self.partner!r}, base_url={self.base_url!r}, api_key=<hidden>)"

    async def _post(self, path: str, params: translate.Params, idempotency_key: str) -> bytes:
        headers = {
            "Authorization": f"Bearer {self._api_key}",
            "Content-Type": FORM,
            "Idempotency-Key": idempotency_key,
        }
        if self.api_version:
            headers["Stripe-Version"] = self.api_version
        where = f"gateway {self.partner} {path}"
        try:
            response = await self.http.post(
                f"{self.base_url}{path}", content=encode_form(params), headers=headers
            )
        except httpx.TimeoutException as err:
            raise GatewayUnavailable(f"{where}: timed out ({type(err).__name__})") from err
        except (httpx.UnsupportedProtocol, httpx.TooManyRedirects) as err:
            raise GatewayAuthFailed(f"{where}: unusable URL: {err}") from err
        except httpx.LocalProtocolError as err:
            raise InvalidPaymentRequest(f"{where}: cannot be sent: {err}") from err
        except httpx.HTTPError as err:  # connect errors, resets, remote protocol errors
            raise GatewayUnavailable(f"{where}: {type(err).__name__}: {err}".rstrip(": ")) from err
        if not response.is_success:
            raise translate.error_from(
                response.status_code,
                decode_error(response.content),
                partner=self.partner,
                retry_after_s=_retry_after(response.headers.get("Retry-After")),
            )
        return response.content

    async def _intent(self, path: str, params: translate.Params, idempotency_key: str) -> Hold:
        body = await self._post(path, params, idempotency_key)
        try:
            return translate.hold_from(decode(WirePaymentIntent, body))
        except WireDecodeError as err:
            # Money may have moved: the same key gets the same answer again, so it is worth a retry.
            raise GatewayUnavailable(f"gateway {self.partner} {path}: {err}") from err

    async def tokenise(self, card: CardDetails, *, idempotency_key: str) -> str:
        """POST /v1/payment_methods: the `pm_...` id standing for the card."""
        body = await self._post("/v1/payment_methods", translate.card_params(card), idempotency_key)
        try:
            return decode(WirePaymentMethod, body).id
        except WireDecodeError as err:
            raise GatewayUnavailable(f"gateway {self.partner} /v1/payment_methods: {err}") from err

    async def authorise(
        self, token: str, amount: MinorAmount, *, idempotency_key: str, reference: str
    ) -> Hold:
        """POST /v1/payment_intents with capture_method=manual and confirm=true."""
        params = translate.authorise_params(token, amount, reference)
        return await self._intent("/v1/payment_intents", params, idempotency_key)

    async def increment(self, authorisation_id: str, total: MinorAmount, *, idempotency_key: str) -> Hold:
        """POST /v1/payment_intents/{id}/increment_authorization."""
        path = f"/v1/payment_intents/{_checked(authorisation_id)}/increment_authorization"
        return await self._intent(path, translate.increment_params(total), idempotency_key)

    async def capture(self, authorisation_id: str, amount: MinorAmount, *, idempotency_key: str) -> Hold:
        """POST /v1/payment_intents/{id}/capture."""
        path = f"/v1/payment_intents/{_checked(authorisation_id)}/capture"
        return await self._intent(path, translate.capture_params(amount), idempotency_key)

    async def void(self, authorisation_id: str, *, idempotency_key: str) -> Hold:
        """POST /v1/payment_intents/{id}/cancel."""
        path = f"/v1/payment_intents/{_checked(authorisation_id)}/cancel"
        return await self._intent(path, translate.void_params(), idempotency_key)

    async def refund(
        self, authorisation_id: str, amount: MinorAmount, *, idempotency_key: str
    ) -> RefundRecord:
        """POST /v1/refunds."""
        params = translate.refund_params(_checked(authorisation_id), amount)
        body = await self._post("/v1/refunds", params, idempotency_key)
        try:
            return translate.refund_from(decode(WireRefund, body), authorisation_id)
        except WireDecodeError as err:
            raise GatewayUnavailable(f"gateway {self.partner} /v1/refunds: {err}") from err
