"""Which OTA messages each partner kind may send at POST /ota (docs/ota.md, "Who may send what").

A distribution partner (`ota`) pushes bookings and asks for availability; a revenue system (`rms`)
sets rates and restrictions; an external PMS (`pms`), which owns its inventory, sets room counts
too. Every kind may ask for availability. A known message from a kind that may not send it is an
authorisation error (EWT 6), a configuration problem on the sender's side, never a dead letter.
"""

from __future__ import annotations

from connectors.ota.errors import OtaAuthFailed
from connectors.ota.settings import (
    CANCEL_RQ,
    HOTEL_AVAIL_NOTIF_RQ,
    HOTEL_AVAIL_RQ,
    HOTEL_INV_COUNT_NOTIF_RQ,
    HOTEL_RATE_AMOUNT_NOTIF_RQ,
    HOTEL_RES_NOTIF_RQ,
)
from routes.partners import PartnerKind

_BOOKINGS = frozenset({HOTEL_RES_NOTIF_RQ, CANCEL_RQ})
_RATES_AND_RESTRICTIONS = frozenset({HOTEL_AVAIL_NOTIF_RQ, HOTEL_RATE_AMOUNT_NOTIF_RQ})

MESSAGES_BY_KIND: dict[str, frozenset[str]] = {
    PartnerKind.OTA: _BOOKINGS | {HOTEL_AVAIL_RQ},
    PartnerKind.RMS: _RATES_AND_RESTRICTIONS | {HOTEL_AVAIL_RQ},
    PartnerKind.PMS: _RATES_AND_RESTRICTIONS | {HOTEL_INV_COUNT_NOTIF_RQ, HOTEL_AVAIL_RQ},
}
KNOWN_MESSAGES = frozenset().union(*MESSAGES_BY_KIND.values())
# Kinds that may set room counts (OTA_HotelInvCountNotifRQ, or BookingLimit in an AvailStatusMessage)
ROOM_COUNT_KINDS = frozenset({PartnerKind.PMS})


class MessageNotAllowed(OtaAuthFailed):
    """The authenticated partner's kind may not send this message (or set room counts)."""

    ota_type = 6  # Authorization
    ota_code = 497
    short_text = "Authorization error"


def allowed_messages(kind: str) -> frozenset[str] | None:
    """The messages a partner kind may send at /ota; None for a kind that does not speak OTA."""
    return MESSAGES_BY_KIND.get(kind)


def check_allowed(partner_id: str, kind: str, message_name: str) -> None:
    """Raise MessageNotAllowed when a partner of this kind may not send this (known) message."""
    allowed = MESSAGES_BY_KIND.get(kind, frozenset())
    if message_name not in allowed:
        raise MessageNotAllowed(
            f"partner {partner_id} is a partner of kind {kind}: it may not send {message_name} "
            f"(it may send {', '.join(sorted(allowed)) or 'nothing'})"
        )


def check_room_counts(partner_id: str, kind: str) -> None:
    """Raise MessageNotAllowed unless this partner's kind owns inventory and may set room counts."""
    if kind not in ROOM_COUNT_KINDS:
        raise MessageNotAllowed(
            f"partner {partner_id} is a partner of kind {kind}: only an external PMS (kind pms), "
            "which owns its inventory, sets room counts",
            tag="BookingLimit",
        )
