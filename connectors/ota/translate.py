"""OTA_HotelResNotifRQ / OTA_CancelRQ (parsed, cards tokenised) -> canonical BookingReceived, pure."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from lxml import etree
from pydantic import TypeAdapter, ValidationError

from canonical.base import Code, Money
from canonical.booking import BookingAction, BookingReceived, RoomStay
from connectors.ota.codec import OtaRequest
from connectors.ota.codes import PartnerCodes, PropertyCodes
from connectors.ota.elements import Children
from connectors.ota.errors import (
    InvalidField,
    MissingField,
    NotCommitted,
    UnsupportedAction,
    UnsupportedMessage,
)
from connectors.ota.fields import read_timestamp, text_of
from connectors.ota.intents import (
    CANCEL_NO_CHANGE,
    IGNORED_STATUSES,
    NOT_COMMITTED_STATUSES,
    reservation_status,
)
from connectors.ota.profiles import comments, guests
from connectors.ota.reservation import guarantee, room_stays, taxed_money
from connectors.ota.settings import CANCEL_RQ, HOTEL_RES_NOTIF_RQ, HOTEL_TRAVEL_SECTOR
from connectors.ota.stay_rules import checked

__all__ = ["PartnerCodes", "PropertyCodes", "hotel_codes", "translate_booking"]

# ResStatus values seen in channel traffic (OTA TransactionActionType, PMS_ResStatusType, AlpineBits).
# Only reservations final on the partner's side are booked: a quote, hold or enquiry (Initiate,
# Requested, Quote, Hold) is refused unkept, an Ignore is skipped (connectors/ota/intents.py).
_ACTIONS = {
    "commit": BookingAction.COMMIT,
    "book": BookingAction.COMMIT,
    "booked": BookingAction.COMMIT,
    "reserved": BookingAction.COMMIT,
    "confirmed": BookingAction.COMMIT,
    "modify": BookingAction.MODIFY,
    "modified": BookingAction.MODIFY,
    "cancel": BookingAction.CANCEL,
    "cancelled": BookingAction.CANCEL,
    "canceled": BookingAction.CANCEL,
}
# OTA_CancelRQ@CancelType values that cancel: the hub cancels in one phase, at the commit. Initiate
# (phase one), Quote, VerifyPrice and Ignore change nothing (intents.CANCEL_NO_CHANGE).
_CANCEL_TYPES = frozenset({"cancel", "commit", "commitoverrideedits"})
_RESERVATION_ID = "14"
_CANCELLATION_ID = "15"
_CONFIRMATION: TypeAdapter[str] = TypeAdapter(Code)
_MAX_ID = 32  # the OTA UniqueID@ID limit (StringLength1to32); answers echo it


def hotel_codes(req: OtaRequest, codes: PartnerCodes | None = None) -> list[str]:
    """The partner HotelCodes a request touches, in document order (for the grant check first).

    When the message names none and `codes` holds exactly one hotel, that hotel is the one
    translation will use, so it is returned; an empty list means translation will refuse.
    """
    found: list[str] = []
    for element in req.root.iter("{*}BasicPropertyInfo", "{*}HotelRef"):
        code = text_of(element.get("HotelCode"))
        if code and code not in found:
            found.append(code)
    if not found and codes is not None and (only := codes.only_hotel()) is not None:
        found.append(only)
    return found


def translate_booking(
    req: OtaRequest,
    codes: PartnerCodes,
    *,
    partner_id: str,
    confirmation_for: Callable[[str], str],
    now: datetime,
    known: frozenset[str] = frozenset(),
) -> list[BookingReceived]:
    """One BookingReceived per HotelReservation (or the one OTA_CancelRQ names).

    `now` is when the partner sent it: a new booking whose stay is over by then at the property is
    refused (stay_rules.py), unless it is one of the `known` reservation ids. Raises an OtaRejected
    subclass for anything wrong on the wire (see
    errors.py), UntokenisedCard when a card still holds a PAN or CVV, and ValueError when
    `confirmation_for` returns no hub code.
    """
    try:
        if req.message_name == HOTEL_RES_NOTIF_RQ:
            received = _res_notif(req, codes, partner_id)
        elif req.message_name == CANCEL_RQ:
            received = [_cancel(req, codes, partner_id)]
        else:
            raise UnsupportedMessage(f"{req.message_name} is not taken here")
        # warnings after the content digest (_with_content_revision): they are not what was sent
        received = checked(received, codes, now=now, known=known)
    except ValidationError as err:
        # the readers above check every wire value; this is the net under them
        # field and reason only: pydantic's text echoes the input (guest data) and links its docs
        reasons = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or 'booking'}: {e['msg']}"
            for e in err.errors(include_url=False, include_input=False)
        )
        raise InvalidField(f"the booking does not form a valid canonical message: {reasons}") from err
    # confirmations last: a message refused half-way must not consume any
    return [
        booking.model_copy(
            update={
                "confirmation": _CONFIRMATION.validate_python(
                    confirmation_for(booking.partner_reservation_id)
                )
            }
        )
        for booking in received
    ]


def _action(status: str | None) -> BookingAction:
    if status is None:
        return BookingAction.COMMIT
    try:
        return _ACTIONS[status.lower()]
    except KeyError:
        if status.lower() in NOT_COMMITTED_STATUSES:
            raise NotCommitted(
                f"ResStatus {status!r} asks for a quote, a hold or an enquiry: the hub books only "
                "committed reservations, nothing was booked",
                tag="ResStatus",
            ) from None
        raise UnsupportedAction(f"ResStatus {status!r} is not supported", tag="ResStatus") from None


def _checked_id(value: str) -> str:
    if len(value) > _MAX_ID:
        raise InvalidField(f"reservation id longer than {_MAX_ID} characters", tag="ID")
    return value


def _partner_reservation_id(reservation: Children, requestor_type: str | None, action: BookingAction) -> str:
    """UniqueID Type 14 (15 for a cancellation), else the HotelReservationID of the sender's type."""
    for unique in reservation.all("UniqueID"):
        uid, kind = text_of(unique.get("ID")), unique.get("Type")
        if uid and (kind == _RESERVATION_ID or (kind == _CANCELLATION_ID and action is BookingAction.CANCEL)):
            return _checked_id(uid)
    ids = reservation.under("ResGlobalInfo", "HotelReservationIDs", "HotelReservationID")
    for wanted in (requestor_type, _RESERVATION_ID):
        for hotel_id in ids:
            value = text_of(hotel_id.get("ResID_Value"))
            if wanted and value and hotel_id.get("ResID_Type") == wanted:
                return _checked_id(value)
    raise MissingField(
        "no partner reservation id (UniqueID Type 14, or HotelReservationID of the sender's type)",
        tag="UniqueID",
    )


def _one_hotel(candidates: list[str], codes: PartnerCodes) -> str:
    distinct = list(dict.fromkeys(candidates))
    if len(distinct) > 1:
        raise InvalidField(f"one reservation names several hotels {distinct}", tag="HotelCode")
    if distinct:
        return distinct[0]
    only = codes.only_hotel()
    if only is None:
        raise MissingField("no HotelCode, and the partner has several hotels", tag="HotelCode")
    return only


def _stamped(status: str, stamp: datetime) -> str:
    return f"{status}@{stamp.astimezone(UTC).isoformat()}"


def _with_content_revision(booking: BookingReceived, status: str) -> BookingReceived:
    content = booking.model_dump_json(exclude={"partner_revision", "confirmation"})
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return booking.model_copy(update={"partner_revision": f"{status}#sha256:{digest[:32]}"})


def _res_notif(req: OtaRequest, codes: PartnerCodes, partner_id: str) -> list[BookingReceived]:
    root, ns = req.root, req.namespace
    message = Children(root, ns)
    requestor = message.first_under("POS", "Source", "RequestorID")
    requestor_type = text_of(requestor.get("Type")) if requestor is not None else None
    reservations = message.under("HotelReservations", "HotelReservation")
    if not reservations:
        raise MissingField("no HotelReservation", tag="HotelReservation")
    return [
        _reservation(element, req, codes, partner_id, requestor_type)
        for element in reservations
        # an ignored reservation drops a transaction the partner never committed: nothing to book
        if (reservation_status(req, element) or "").lower() not in IGNORED_STATUSES
    ]


def _reservation(
    element: etree._Element,
    req: OtaRequest,
    codes: PartnerCodes,
    partner_id: str,
    requestor_type: str | None,
) -> BookingReceived:
    ns = req.namespace
    reservation = Children(element, ns)
    status = reservation_status(req, element)
    action = _action(status)
    partner_res_id = _partner_reservation_id(reservation, requestor_type, action)
    stays = [Children(stay, ns) for stay in reservation.under("RoomStays", "RoomStay")]
    global_info = reservation.of("ResGlobalInfo")
    holders = [*stays, *([global_info] if global_info is not None else [])]
    hotel_candidates = [
        code
        for holder in holders
        for info in holder.all("BasicPropertyInfo")
        if (code := text_of(info.get("HotelCode")))
    ]
    hotel_code = _one_hotel(hotel_candidates, codes)
    prop = codes.property_for(hotel_code)
    canonical_stays: list[RoomStay] = []
    if action is not BookingAction.CANCEL:
        # a cancellation needs only its id: it must not fail on a code remapped since the booking
        if not stays:
            raise MissingField(f"ResStatus {status or 'Commit'} without RoomStays", tag="RoomStays")
        span = global_info.first("TimeSpan") if global_info is not None else None
        for stay in stays:
            canonical_stays.extend(room_stays(stay, prop, hotel_code=hotel_code, span_fallback=span))
    # read in the order the fields are declared, so the first bad value is the one reported
    created_at = read_timestamp(element.get("CreateDateTime"), field="CreateDateTime")
    guest_list = guests(reservation)
    held = total = None
    notes: tuple[str, ...] = ()
    if global_info is not None:
        held = guarantee(global_info, currency=prop.currency)
        notes = comments(global_info)
        total, canonical_stays = _global_total(global_info, canonical_stays, prop.currency)
    label = status or "Commit"
    # the revision is the first timestamp present: a content hash only when there is none
    stamp = read_timestamp(element.get("LastModifyDateTime"), field="TimeStamp")
    if stamp is None:
        stamp = created_at
    if stamp is None:
        stamp = read_timestamp(req.root.get("TimeStamp"), field="TimeStamp")
    booking = BookingReceived(
        partner_id=partner_id,
        partner_reservation_id=partner_res_id,
        partner_revision=_stamped(label, stamp) if stamp is not None else "",
        confirmation="pending",
        action=action,
        property_code=prop.hub_property,
        partner_created_at=created_at,
        room_stays=tuple(canonical_stays),
        guests=guest_list,
        guarantee=held,
        comments=notes,
        total=total,
    )
    return booking if stamp is not None else _with_content_revision(booking, label)


def _global_total(
    global_info: Children, stays: list[RoomStay], currency: str
) -> tuple[Money | None, list[RoomStay]]:
    """ResGlobalInfo's Total in the stays' tax basis; a lone stay priced by it alone takes its basis."""
    bases = {stay.tax_basis for stay in stays if stay.tax_basis is not None}
    prefer = bases.pop() if len(bases) == 1 else None
    total, basis = taxed_money(global_info.first("Total"), currency=currency, prefer=prefer)
    if len(stays) == 1 and stays[0].total is None and stays[0].tax_basis is None and basis is not None:
        # the core prices a lone stay without amounts from this Total: it carries the Total's basis
        stays = [stays[0].model_copy(update={"tax_basis": basis})]
    return total, stays


def _cancel(req: OtaRequest, codes: PartnerCodes, partner_id: str) -> BookingReceived:
    root, ns = req.root, req.namespace
    sectors = [root.get("TravelSector")]
    message = Children(root, ns)
    sectors += [name.get("TravelSector") for name in message.under("UniqueID", "CompanyName")]
    for sector in sectors:
        if text_of(sector) not in (None, HOTEL_TRAVEL_SECTOR):
            raise UnsupportedMessage(
                f"OTA_CancelRQ for travel sector {sector}: only hotel reservations (3) are taken",
                tag="TravelSector",
            )
    cancel_type = text_of(root.get("CancelType")) or "Cancel"
    if cancel_type.lower() in CANCEL_NO_CHANGE:
        raise NotCommitted(
            f"CancelType {cancel_type!r} does not cancel: nothing was cancelled", tag="CancelType"
        )
    if cancel_type.lower() not in _CANCEL_TYPES:
        raise UnsupportedAction(f"CancelType {cancel_type!r} is not supported", tag="CancelType")
    uniques = [
        (unique.get("Type"), uid) for unique in message.all("UniqueID") if (uid := text_of(unique.get("ID")))
    ]
    chosen = next((uid for kind, uid in uniques if kind == _RESERVATION_ID), None)
    if chosen is None and uniques:
        # the partner may quote our confirmation (any other UniqueID type): pass it on as sent
        chosen = uniques[0][1]
    if chosen is None:
        raise MissingField("OTA_CancelRQ has no UniqueID", tag="UniqueID")
    hotel_code = _one_hotel(hotel_codes(req), codes)
    prop = codes.property_for(hotel_code)
    stamp = read_timestamp(root.get("TimeStamp"), field="TimeStamp")
    booking = BookingReceived(
        partner_id=partner_id,
        partner_reservation_id=_checked_id(chosen),
        partner_revision=_stamped("Cancel", stamp) if stamp is not None else "",
        confirmation="pending",
        action=BookingAction.CANCEL,
        property_code=prop.hub_property,
    )
    return booking if stamp is not None else _with_content_revision(booking, "Cancel")
