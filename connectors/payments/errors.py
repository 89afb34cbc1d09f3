"""The payment connector's errors: one base, three branches, each also one of the hub's delivery classes.

    PaymentError
     +-- PaymentRejected (PermanentError)       never succeeds as sent: dead letter / tell the caller
     |    +-- PaymentDeclined   402 card_error   the issuer or the gateway refused the card (decline_code)
     |    +-- IdempotencyConflict 409 idempotency_error  a key reused with other parameters: a bug of ours
     |    +-- InvalidPaymentRequest 400/404      a parameter or an object the gateway does not take
     +-- GatewayUnavailable (TransientError)     may work later with the SAME idempotency key
     |    +-- RateLimited      429               Retry-After honoured when given
     +-- GatewayAuthFailed (ConfigurationError)  401/403: the API key is wrong or lacks rights; pause, alert

`client.py` raises only these, `from` the httpx error or the gateway's answer.
"""

from __future__ import annotations

from canonical.errors import ConfigurationError, PermanentError, TransientError


class PaymentError(Exception):
    """Base of every payment connector error; `code` is the gateway's error code when it gave one."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class PaymentRejected(PaymentError, PermanentError):
    """The gateway will never accept this request as sent."""


class PaymentDeclined(PaymentRejected):
    """The card was declined (HTTP 402 card_error); `decline_code` is the issuer's reason when known."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 402,
        code: str | None = None,
        decline_code: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.decline_code = decline_code


class IdempotencyConflict(PaymentRejected):
    """An idempotency key was reused for a different request (HTTP 409 idempotency_error)."""


class InvalidPaymentRequest(PaymentRejected):
    """A parameter the gateway refused, or an object it does not know (HTTP 400/404)."""


class GatewayUnavailable(PaymentError, TransientError):
    """The gateway did not answer usefully (timeout, reset, 5xx): retry with the same idempotency key."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        PaymentError.__init__(self, message, status=status, code=code)
        self.retry_after_s = retry_after_s


class RateLimited(GatewayUnavailable):
    """Too many requests (HTTP 429)."""


class GatewayAuthFailed(PaymentError, ConfigurationError):
    """The gateway refused our API key (HTTP 401/403): the partner pauses until its configuration changes."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        PaymentError.__init__(self, message, status=status, code=code)
        self.partner_id = None
