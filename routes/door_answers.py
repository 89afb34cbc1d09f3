"""What the OTA door answers when it refuses a push: the Answer, with the Refusal it logs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from connectors.ota import errors, responses
from connectors.ota.codec import OtaRequest
from connectors.ota.translate import hotel_codes
from routes.refusals import Refusal

# Only to name the answer of a message too broken to parse: never used to accept anything.
_ROOT_NAME = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(OTA_[A-Za-z]+RQ)[\s/>]")


def sniff_message_name(prefix: bytes) -> str | None:
    """The OTA request name in the first bytes of an unparseable body, so the answer can match it."""
    found = _ROOT_NAME.search(prefix[:4096])
    return found.group(1).decode() if found else None


@dataclass(frozen=True)
class Answer:
    """What the HTTP layer sends back."""

    status_code: int
    body: bytes
    outcome: str
    partner_id: str | None = None
    retry_after_s: int | None = None  # sent as Retry-After (a refused login's wait)
    refusal: Refusal | None = None  # why it was refused, for the one log line; None: accepted


# The containers whose HotelCode an ARI notification names (checked against the grants first).
_ARI_CONTAINERS = ("AvailStatusMessages", "RateAmountMessages", "Inventories")


def ari_hotel_codes(request: OtaRequest) -> list[str]:
    """The HotelCodes of an ARI notification's message containers, in document order."""
    found: list[str] = []
    for name in _ARI_CONTAINERS:
        for container in request.root.iterfind(f"{{*}}{name}"):
            code = (container.get("HotelCode") or "").strip()
            if code and code not in found:
                found.append(code)
    return found


def first_hotel(request: OtaRequest | None) -> str | None:
    """The first HotelCode a request names (for the refusal's log line), or None."""
    if request is None:
        return None
    found = hotel_codes(request) or ari_hotel_codes(request)
    return found[0] if found else None


def unavailable(request: OtaRequest | None, body: bytes, error: BaseException) -> Answer:
    """The hub could not look the partner up or store the message (database away, shutting down):
    nothing was accepted, so the partner is told to send it again later."""
    err = errors.ServiceUnavailable("the hub cannot store messages right now; send it again later")
    hint = None if request is not None else sniff_message_name(body)
    refusal = Refusal(
        f"push not stored: {type(error).__name__}",
        f"{err.ota_type}/{err.ota_code}",
        first_hotel(request),
        error=error,
    )
    return Answer(503, responses.error_response(request, [err], hint), "unavailable", refusal=refusal)


def refused(
    request: OtaRequest, reason: str, username: str | None, *, retry_after_s: int | None = None
) -> Answer:
    """The OTA authentication error: 401, or 429 while failed logins hold the sender off."""
    err = errors.AuthenticationFailed(reason)
    body = responses.error_response(request, [err], None)
    refusal = Refusal.of(err, hotel_code=first_hotel(request), username=username)
    if retry_after_s is None:
        return Answer(401, body, "auth", refusal=refusal)
    return Answer(429, body, "auth-refused", retry_after_s=retry_after_s, refusal=refusal)
