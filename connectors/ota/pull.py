"""Booking pull, wire part: OTA_ReadRQ out, OTA_ResRetrieveRS in, OTA_NotifReportRQ acknowledging, pure.

Each HotelReservation of a retrieved answer becomes an OTA_HotelResNotifRQ of its own, holding
that reservation as sent, so the push path's ingress steps (card tokenisation, then
translate.translate_booking) run on it unchanged and one refused reservation never holds back
the others. The acknowledgement names every reservation the hub accepted (UniqueID of the type it
came with, and the hub's confirmation as HotelReservationID Type 14, as the push answer does) and
every one it refused as a Warning whose RecordID is the partner's reservation id (AlpineBits).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from connectors.ota.ari_answers import NotifAnswer, UnreadableAnswer, read_answer
from connectors.ota.ari_codec import Header, root
from connectors.ota.codec import OtaRequest, read_request
from connectors.ota.fields import text_of
from connectors.ota.settings import HOTEL_RES_NOTIF_RQ, NOTIF_REPORT_RQ, OTA_NS, READ_RQ, RES_RETRIEVE_RS

_RESERVATION_ID = "14"
_MAX_ANSWER_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Pulled:
    """One retrieved reservation: the partner's id and id type, and a push request holding it."""

    partner_reservation_id: str | None
    id_type: str
    request: OtaRequest


@dataclass(frozen=True)
class Retrieved:
    """A parsed OTA_ResRetrieveRS: what the answer says, and the reservations it holds."""

    answer: NotifAnswer
    reservations: tuple[Pulled, ...]


@dataclass(frozen=True)
class Ack:
    """The hub's word on one pulled reservation: its confirmation, or why it was refused."""

    partner_reservation_id: str
    id_type: str = _RESERVATION_ID
    hotel_code: str | None = None
    confirmation: str | None = None
    refusal: tuple[int, int, str] | None = None  # (EWT, ERR, text) of the OtaError


def read_rq(hotel_code: str, header: Header, *, since: datetime | None = None) -> etree._Element:
    """OTA_ReadRQ for the reservations of one partner hotel not yet delivered (optionally since then)."""
    message = root(READ_RQ, header)
    requests = etree.SubElement(message, f"{{{OTA_NS}}}ReadRequests")
    hotel = etree.SubElement(requests, f"{{{OTA_NS}}}HotelReadRequest", HotelCode=hotel_code)
    criteria = etree.SubElement(hotel, f"{{{OTA_NS}}}SelectionCriteria", SelectionType="Undelivered")
    if since is not None:
        criteria.set("Start", since.isoformat(timespec="seconds"))
    return message


def read_retrieved(body: bytes) -> Retrieved:
    """Parse an OTA_ResRetrieveRS; UnreadableAnswer when it is not one."""
    answer = read_answer(body, request_name=READ_RQ, answer_name=RES_RETRIEVE_RS, max_bytes=_MAX_ANSWER_BYTES)
    if answer.errors:
        return Retrieved(answer, ())
    parsed = read_request(body, max_bytes=_MAX_ANSWER_BYTES)
    listed = parsed.root.find("{*}ReservationsList")
    if listed is None:
        return Retrieved(answer, ())
    pulled = []
    for reservation in listed.iterfind("{*}HotelReservation"):
        unique = reservation.find("{*}UniqueID")
        partner_id = text_of(unique.get("ID")) if unique is not None else None
        id_type = text_of(unique.get("Type")) if unique is not None else None
        pulled.append(Pulled(partner_id, id_type or _RESERVATION_ID, _as_push(parsed, reservation)))
    return Retrieved(answer, tuple(pulled))


def _as_push(parsed: OtaRequest, reservation: etree._Element) -> OtaRequest:
    ns = parsed.namespace
    tag = f"{{{ns}}}{HOTEL_RES_NOTIF_RQ}" if ns else HOTEL_RES_NOTIF_RQ
    notif = etree.Element(tag, nsmap={None: ns} if ns else None)  # type: ignore[dict-item]
    for name in ("EchoToken", "TimeStamp", "Version"):
        if (value := parsed.root.get(name)) is not None:
            notif.set(name, value)
    pos = parsed.root.find("{*}POS")
    if pos is not None:
        notif.append(copy.deepcopy(pos))
    holder = etree.SubElement(notif, f"{{{ns}}}HotelReservations" if ns else "HotelReservations")
    holder.append(copy.deepcopy(reservation))
    return OtaRequest(
        root=notif,
        message_name=HOTEL_RES_NOTIF_RQ,
        soap_version=None,
        echo_token=parsed.echo_token,
        version=parsed.version,
        username_token=None,
        namespace=ns,
    )


def notif_report(acks: Sequence[Ack], header: Header) -> etree._Element:
    """OTA_NotifReportRQ: Success, a Warning per refused reservation, the accepted ones with confirmations."""
    message = root(NOTIF_REPORT_RQ, header)
    etree.SubElement(message, f"{{{OTA_NS}}}Success")
    refused = [ack for ack in acks if ack.refusal is not None]
    if refused:
        warnings = etree.SubElement(message, f"{{{OTA_NS}}}Warnings")
        for ack in refused:
            assert ack.refusal is not None
            ota_type, code, text = ack.refusal
            warning = etree.SubElement(
                warnings,
                f"{{{OTA_NS}}}Warning",
                Type=str(ota_type),
                Code=str(code),
                RecordID=ack.partner_reservation_id,
            )
            warning.text = text
    accepted = [ack for ack in acks if ack.refusal is None]
    if accepted:
        report = etree.SubElement(
            etree.SubElement(message, f"{{{OTA_NS}}}NotifDetails"), f"{{{OTA_NS}}}HotelNotifReport"
        )
        reservations = etree.SubElement(report, f"{{{OTA_NS}}}HotelReservations")
        for ack in accepted:
            reservation = etree.SubElement(reservations, f"{{{OTA_NS}}}HotelReservation")
            etree.SubElement(
                reservation, f"{{{OTA_NS}}}UniqueID", Type=ack.id_type, ID=ack.partner_reservation_id
            )
            if ack.confirmation is not None:
                info = etree.SubElement(reservation, f"{{{OTA_NS}}}ResGlobalInfo")
                ids = etree.SubElement(info, f"{{{OTA_NS}}}HotelReservationIDs")
                etree.SubElement(
                    ids,
                    f"{{{OTA_NS}}}HotelReservationID",
                    ResID_Type=_RESERVATION_ID,
                    ResID_Value=ack.confirmation,
                )
                property_info = etree.SubElement(info, f"{{{OTA_NS}}}BasicPropertyInfo")
                if ack.hotel_code is not None:
                    property_info.set("HotelCode", ack.hotel_code)
    return message


__all__ = ["Ack", "Pulled", "Retrieved", "UnreadableAnswer", "notif_report", "read_retrieved", "read_rq"]
