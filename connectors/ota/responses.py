"""OTA answers, pure: OTA_HotelResNotifRS / OTA_CancelRS with Success or Errors (2015A-valid), SOAP-wrapped
when the request was."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree

from canonical.booking import BookingWarning, WarningKind
from connectors.ota.codec import OtaRequest, SoapVersion, wrap_soap, write
from connectors.ota.errors import OtaError
from connectors.ota.settings import CANCEL_RQ, DEFAULT_VERSION, HOTEL_RES_NOTIF_RQ, OTA_NS, SOAP_NAMESPACES

_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_RQ_NAME = re.compile(r"OTA_[A-Za-z]+RQ")
_MAX_ECHO_TOKEN = 128
_MAX_ID = 32  # UniqueID@ID is StringLength1to32
_MAX_ERRORS = 99  # ErrorsType allows 99 Error elements
_RESERVATION_ID = "14"
_CANCELLATION_ID = "15"
# OTA_ErrorRS@ErrorCode has its own enumeration (any other string of up to 32 characters is allowed)
# What lxml writes for a document and escapes in an attribute value (libxml2's serialiser).
_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_PLAIN = re.compile(r"[\w.:+/-]*", re.ASCII)
_OTA_CODE = re.compile(r"[0-9A-Z]{1,3}")  # UniqueID@Type, an OTA_CodeType
_NOT_XML_TEXT = "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ERROR_RS_CODES = {
    "MalformedMessage": "Malformed",
    "MessageTooLarge": "Malformed",
    "NotXmlMediaType": "Malformed",
    "UnsupportedMessage": "UnrecognizedRoot",
}


def _element(parent: etree._Element | None, name: str, **attributes: str) -> etree._Element:
    tag = f"{{{OTA_NS}}}{name}"
    element = (
        etree.Element(tag, nsmap={None: OTA_NS})  # type: ignore[dict-item]
        if parent is None
        else etree.SubElement(parent, tag)
    )
    for key, value in attributes.items():
        element.set(key, value)
    return element


def _root(name: str, req: OtaRequest | None) -> etree._Element:
    root = _element(None, name)
    echo = req.echo_token if req is not None else None
    if echo and len(echo) <= _MAX_ECHO_TOKEN:
        root.set("EchoToken", echo)
    root.set("TimeStamp", datetime.now(UTC).isoformat(timespec="seconds"))
    version = (req.version or "").strip() if req is not None else ""
    # Version is a required xs:decimal: echo the partner's only when it is one
    root.set("Version", version if _DECIMAL.fullmatch(version) else DEFAULT_VERSION)
    return root


def _checked(value: str, what: str) -> str:
    if not 1 <= len(value) <= _MAX_ID:
        raise ValueError(f"{what} {value!r} must be 1-{_MAX_ID} characters for an OTA UniqueID")
    return value


def _finish(root: etree._Element, soap_version: SoapVersion | None) -> bytes:
    return wrap_soap(root, soap_version) if soap_version else write(root)


def _attribute(value: str) -> str:
    """An attribute value escaped as lxml writes it; a string lxml would refuse is refused alike."""
    if _PLAIN.fullmatch(value):  # ids, codes and timestamps: nothing to escape
        return value
    if _NOT_XML.search(value):
        raise ValueError(_NOT_XML_TEXT)
    return value.translate(_ATTRIBUTE_ESCAPES)


def _id(value: str, what: str) -> str:
    return _attribute(_checked(value, what))


def _open_root(name: str, req: OtaRequest, extra: str = "") -> str:
    """The RS start tag with EchoToken, TimeStamp and Version as `_root` sets them."""
    echo = req.echo_token
    echoed = f' EchoToken="{_attribute(echo)}"' if echo and len(echo) <= _MAX_ECHO_TOKEN else ""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    version = (req.version or "").strip()
    version = version if _DECIMAL.fullmatch(version) else DEFAULT_VERSION
    return f'<{name} xmlns="{OTA_NS}"{echoed} TimeStamp="{stamp}" Version="{_attribute(version)}"{extra}>'


def _document(body: str, soap_version: SoapVersion | None) -> bytes:
    """The answer as `_finish` writes it: an XML declaration, the RS, in a SOAP envelope if asked."""
    if soap_version:
        ns = SOAP_NAMESPACES[soap_version]
        body = f'<soap:Envelope xmlns:soap="{ns}"><soap:Header/><soap:Body>{body}</soap:Body></soap:Envelope>'
    return (_DECLARATION + body).encode("utf-8")


class _SentAs:
    """Where the request's reservations name their ids and hotels: read once for all answers."""

    def __init__(self, req: OtaRequest) -> None:
        self.hotels = [
            code for info in req.root.iter("{*}BasicPropertyInfo") if (code := info.get("HotelCode"))
        ]
        self.reservations = list(req.root.iter("{*}HotelReservation"))

    def of(self, partner_id: str) -> tuple[str, str | None]:
        """The UniqueID Type a reservation was sent with (14, or 15 for a cancellation), and its hotel."""
        for reservation in self.reservations:
            kinds = [
                kind
                for unique in reservation.iterchildren("{*}UniqueID")
                if unique.get("ID") == partner_id
                and (kind := unique.get("Type", "")) in (_RESERVATION_ID, _CANCELLATION_ID)
            ]
            if kinds:
                # the first BasicPropertyInfo below it that has a HotelCode, as ".//...[@HotelCode]"
                info = next(
                    (i for i in reservation.iter("{*}BasicPropertyInfo") if i.get("HotelCode") is not None),
                    None,
                )
                hotel = info.get("HotelCode") if info is not None else None
                return kinds[0], hotel or _only(self.hotels)
        return _RESERVATION_ID, _only(self.hotels)


def _only(hotels: list[str]) -> str | None:
    # a message naming one hotel (maybe many times) answers with it; several hotels, none
    return hotels[0] if len(set(hotels)) == 1 else None


# What a booking kept with a warning is answered with: OTA WarningType Type (EWT) / Code (ERR) / ShortText
WARNING_CODES: dict[WarningKind, tuple[int, int, str]] = {
    WarningKind.OCCUPANCY_EXCEEDED: (3, 119, "Too many people in room/unit"),
    WarningKind.CURRENCY_MISMATCH: (3, 558, "Rate currency differs from the settlement currency"),
}


def _warnings(warnings: Sequence[tuple[str, BookingWarning]]) -> str:
    """OTA Warnings, one per (partner reservation id, warning); RecordID names the reservation."""
    items = []
    for partner_id, warning in warnings[:_MAX_ERRORS]:
        kind, code, short = WARNING_CODES[warning.kind]
        record = f' RecordID="{_attribute(partner_id)}"' if 1 <= len(partner_id) <= _MAX_ID else ""
        items.append(
            f'<Warning Type="{kind}" Code="{code}" ShortText="{_attribute(short)}"{record}>'
            f"{_text(warning.detail)}</Warning>"
        )
    return f"<Warnings>{''.join(items)}</Warnings>" if items else ""


def _text(value: str) -> str:
    if _NOT_XML.search(value):
        raise ValueError(_NOT_XML_TEXT)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def success_response(
    req: OtaRequest,
    results: Sequence[tuple[str, str]],
    warnings: Sequence[tuple[str, BookingWarning]] = (),
) -> bytes:
    """Success for each (partner reservation id, hub confirmation): OTA_HotelResNotifRS or OTA_CancelRS.

    A reservation is acknowledged with the UniqueID Type it came with (15 for an AlpineBits
    cancellation, else 14). `warnings` (partner reservation id, what was kept anyway) follow
    Success as OTA Warnings. Raises ValueError for a message other than those two, or an id that
    does not fit a UniqueID.
    """
    # Written as text, not built as an lxml tree: this answers every accepted push, and the tree
    # cost five times as much. The XSD contract tests check the shape of what is written here.
    if req.message_name == HOTEL_RES_NOTIF_RQ:
        sent_as = _SentAs(req)
        parts = [_open_root("OTA_HotelResNotifRS", req), "<Success/>", _warnings(warnings)]
        reservations = []
        for partner_id, confirmation in results:
            kind, hotel = sent_as.of(partner_id)
            unique_id = _id(partner_id, "partner id")
            property_info = (
                f'<BasicPropertyInfo HotelCode="{_attribute(hotel)}"/>' if hotel else "<BasicPropertyInfo/>"
            )
            reservations.append(
                f'<HotelReservation><UniqueID Type="{kind}" ID="{unique_id}"/>'
                "<ResGlobalInfo><HotelReservationIDs>"
                f'<HotelReservationID ResID_Type="{_RESERVATION_ID}" '
                f'ResID_Value="{_id(confirmation, "confirmation")}"/>'
                # 2015A requires BasicPropertyInfo in a HotelReservation's ResGlobalInfo
                f"</HotelReservationIDs>{property_info}</ResGlobalInfo></HotelReservation>"
            )
        if reservations:  # an empty HotelReservations is not valid 2015A: the element is left out
            parts.append(f"<HotelReservations>{''.join(reservations)}</HotelReservations>")
        parts.append("</OTA_HotelResNotifRS>")
    elif req.message_name == CANCEL_RQ:
        parts = [_open_root("OTA_CancelRS", req, ' Status="Cancelled"'), "<Success/>"]
        for partner_id, _ in results:
            parts.append(f'<UniqueID Type="{_RESERVATION_ID}" ID="{_id(partner_id, "partner id")}"/>')
        for _, confirmation in results[:1]:
            parts.append(
                f'<CancelInfoRS><UniqueID Type="{_CANCELLATION_ID}" '
                f'ID="{_id(confirmation, "confirmation")}"/></CancelInfoRS>'
            )
        parts.append("</OTA_CancelRS>")
    else:
        raise ValueError(f"no success answer for {req.message_name}")
    return _document("".join(parts), req.soap_version)


def no_change_response(req: OtaRequest, status: str) -> bytes:
    """Success that changed nothing: OTA_CancelRS with `status` (a TransactionStatusType such as
    Pending, Ignored, Unchanged) echoing the request's UniqueIDs, or OTA_HotelResNotifRS with no
    reservation in it."""
    if req.message_name == CANCEL_RQ:
        parts = [_open_root("OTA_CancelRS", req, f' Status="{_attribute(status)}"'), "<Success/>"]
        for unique in list(req.root.iterchildren("{*}UniqueID"))[:5]:
            kind, uid = unique.get("Type"), unique.get("ID")
            if kind and uid and 1 <= len(uid) <= _MAX_ID and _OTA_CODE.fullmatch(kind):
                parts.append(f'<UniqueID Type="{_attribute(kind)}" ID="{_attribute(uid)}"/>')
        parts.append("</OTA_CancelRS>")
    elif req.message_name == HOTEL_RES_NOTIF_RQ:
        parts = [
            _open_root("OTA_HotelResNotifRS", req),
            "<Success/></OTA_HotelResNotifRS>",
        ]
    else:
        raise ValueError(f"no success answer for {req.message_name}")
    return _document("".join(parts), req.soap_version)


def _response_name(req: OtaRequest | None, hint: str | None) -> str:
    name = req.message_name if req is not None else (hint or "")
    if _RQ_NAME.fullmatch(name):
        return name[:-2] + "RS"
    if name.startswith("OTA_") and name.endswith("RS"):
        return name
    return "OTA_ErrorRS"


def error_response(
    req: OtaRequest | None,
    errors: Sequence[OtaError],
    message_name_hint: str | None = None,
    *,
    soap_version: SoapVersion | None = None,
) -> bytes:
    """Errors/Error Type Code ShortText (message as text) in the RS of the request (or of the hint).

    Without a parsed request the hint names the message (RQ or RS name); with none, OTA_ErrorRS
    (whose schema allows only attributes: ErrorCode and ErrorMessage of the first error).
    The SOAP version is the request's, else `soap_version`.
    """
    if not errors:
        raise ValueError("an error response needs at least one error")
    name = _response_name(req, message_name_hint)
    root = _root(name, req)
    if name == "OTA_ErrorRS":
        # OTA_ErrorRS is attributes only: the first error's kind and message
        first = errors[0]
        root.set("Status", "NotProcessed")
        root.set("ErrorCode", _ERROR_RS_CODES.get(type(first).__name__, f"{first.ota_type}/{first.ota_code}"))
        root.set("ErrorMessage", first.message)
    else:
        if name == "OTA_CancelRS":
            root.set("Status", "Unsuccessful")
        holder = _element(root, "Errors")
        for error in errors[:_MAX_ERRORS]:
            item = _element(
                holder,
                "Error",
                Type=str(error.ota_type),
                Code=str(error.ota_code),
                ShortText=error.short_text[:64],
                Status="NotProcessed",
            )
            if error.tag:
                item.set("Tag", error.tag)
            item.text = error.message
    version = req.soap_version if req is not None else soap_version
    return _finish(root, version)
