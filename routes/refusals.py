"""The one log line the OTA door writes for every push it refuses: why, whose, which hotel, which code."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from connectors.ota.errors import OtaError

log = logging.getLogger("hotelhub.ingress")


@dataclass(frozen=True)
class Refusal:
    """Why a push was refused, as the log line tells it (never card data: messages name fields)."""

    reason: str
    ota_code: str  # "EWT/ERR", as answered
    hotel_code: str | None = None
    username: str | None = None  # the login a refused sender claimed, when it got no further
    # the unexpected error behind a 503, logged with its traceback
    error: BaseException | None = field(default=None, compare=False)

    @classmethod
    def of(cls, err: OtaError, *, hotel_code: str | None = None, username: str | None = None) -> Refusal:
        """The refusal an OTA error answers with."""
        return cls(err.message, f"{err.ota_type}/{err.ota_code}", hotel_code, username)


def log_refusal(
    refusal: Refusal, *, status: int, outcome: str, partner_id: str | None, correlation_id: str | None
) -> None:
    """Write the refusal's one line (JSON with HUB_LOG_JSON): a warning, an error for a 503."""
    extra = {
        "event": "push_refused",
        "reason": refusal.reason,
        "outcome": outcome,
        "http_status": status,
        "ota_code": refusal.ota_code,
        "partner": partner_id,
        "hotel_code": refusal.hotel_code,
        "correlation_id": correlation_id,
    }
    if refusal.username is not None:
        extra["username"] = refusal.username
    error = refusal.error
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    level = logging.ERROR if status >= 500 else logging.WARNING
    log.log(level, "push refused (%s): %s", refusal.ota_code, refusal.reason, extra=extra, exc_info=exc_info)
