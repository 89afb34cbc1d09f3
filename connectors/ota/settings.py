"""Constants of the OTA connector: namespaces, default Version, size cap and token provider."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
SOAP_NAMESPACES = {"1.1": SOAP11_NS, "1.2": SOAP12_NS}
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
_WSS_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
WSS_PASSWORD_TEXT = _WSS_PROFILE + "#PasswordText"
WSS_PASSWORD_DIGEST = _WSS_PROFILE + "#PasswordDigest"

HOTEL_RES_NOTIF_RQ = "OTA_HotelResNotifRQ"
CANCEL_RQ = "OTA_CancelRQ"
BOOKING_MESSAGES = frozenset({HOTEL_RES_NOTIF_RQ, CANCEL_RQ})
# ARI notifications (out to channels, and in from a revenue system or an external PMS)
HOTEL_AVAIL_NOTIF_RQ = "OTA_HotelAvailNotifRQ"
HOTEL_RATE_AMOUNT_NOTIF_RQ = "OTA_HotelRateAmountNotifRQ"
HOTEL_INV_COUNT_NOTIF_RQ = "OTA_HotelInvCountNotifRQ"
ARI_MESSAGES = frozenset({HOTEL_AVAIL_NOTIF_RQ, HOTEL_RATE_AMOUNT_NOTIF_RQ, HOTEL_INV_COUNT_NOTIF_RQ})
# availability requests and booking pull
HOTEL_AVAIL_RQ = "OTA_HotelAvailRQ"
HOTEL_AVAIL_RS = "OTA_HotelAvailRS"
READ_RQ = "OTA_ReadRQ"
RES_RETRIEVE_RS = "OTA_ResRetrieveRS"
NOTIF_REPORT_RQ = "OTA_NotifReportRQ"

# OTA_PayloadStdAttributes makes Version a required xs:decimal; used when the request had none.
DEFAULT_VERSION = "1.000"
# The OTA sector code (TVS) for hotels; OTA_CancelRQ is shared by every travel sector.
HOTEL_TRAVEL_SECTOR = "3"
# A stay longer than this is refused: expanding nightly prices must stay bounded.
MAX_STAY_NIGHTS = 366


class OtaConnectorSettings(BaseModel):
    """Tunables the hub passes to the OTA ingress (read once in hub/, never from the environment here)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_body_bytes: Annotated[int, Field(ge=1024, le=50 * 1024 * 1024)] = 1024 * 1024
    token_provider: Annotated[str, Field(min_length=1, max_length=64)] = "hotelhub"  # noqa: S105 - a provider name
    response_version: str = DEFAULT_VERSION
