"""Booking pull on the wire: OTA_ReadRQ and OTA_NotifReportRQ valid 2015A; a pulled reservation
translates exactly as the same reservation pushed; retrieved answers classed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from ota_conformance import load, translate

from connectors.ota.ari_answers import AnswerStatus
from connectors.ota.ari_codec import Header
from connectors.ota.cards import tokenise_cards
from connectors.ota.codec import write
from connectors.ota.errors import NotCommitted
from connectors.ota.pull import Ack, notif_report, read_retrieved, read_rq
from connectors.payments.vault import LocalCardVault

AB = "alpinebits-noi-opendatahub/alpinebits-xml/impl/src/test/resources/examples"
OTA = "opentravel-specs/OTA1.0/OTA2011B/OpenTravel2011B_XML"
HEADER = Header("pull-1", datetime(2031, 2, 1, 6, 0, tzinfo=UTC))
PUSHED = [
    f"{AB}/v_2024_10/GuestRequests-Push-OTA_HotelResNotifRQ.xml",
    f"{AB}/v_2018_10/GuestRequests-OTA_HotelResNotifRQ-reservation-push.xml",
]


def _as_retrieved(push: etree._Element) -> bytes:
    """The push message's reservations as a channel's OTA_ResRetrieveRS would list them."""
    ns = etree.QName(push).namespace
    answer = etree.Element(f"{{{ns}}}OTA_ResRetrieveRS", nsmap={None: ns})  # type: ignore[dict-item]
    for name in ("TimeStamp", "Version", "EchoToken"):
        if push.get(name) is not None:
            answer.set(name, push.get(name) or "")
    etree.SubElement(answer, f"{{{ns}}}Success")
    listed = etree.SubElement(answer, f"{{{ns}}}ReservationsList")
    for reservation in push.iterfind("{*}HotelReservations/{*}HotelReservation"):
        listed.append(reservation)
    return write(answer)


def _untokened(value: object) -> object:
    if isinstance(value, dict):
        return {k: "<token>" if k == "token" else _untokened(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_untokened(v) for v in value]
    return value


@pytest.mark.parametrize("relative", PUSHED)
async def test_given_a_reservation_when_pulled_then_it_translates_exactly_as_pushed(
    conformance: Path, vault: LocalCardVault, relative: str
) -> None:
    pushed = await load(relative, vault)
    raw = read_retrieved(_as_retrieved(etree.fromstring((conformance / relative).read_bytes())))
    assert raw.answer.status is AnswerStatus.SUCCESS
    pulled = []
    for item in raw.reservations:
        await tokenise_cards(item.request.root, vault, "hotelhub")
        pulled.extend(translate(item.request, now=None))
    as_pushed = translate(pushed)
    # a card token differs per tokenisation (a fresh nonce); everything else must be equal
    assert [_untokened(b.model_dump()) for b in pulled] == [_untokened(b.model_dump()) for b in as_pushed]
    assert [item.partner_reservation_id for item in raw.reservations] == [
        b.partner_reservation_id for b in pulled
    ]


@pytest.mark.parametrize(
    ("sample", "status", "ids"),
    [
        (
            "GuestRequests-OTA_ResRetrieveRS-reservation.xml",
            AnswerStatus.SUCCESS,
            [("6b34fe24ac2ff810", "14")],
        ),
        (
            "GuestRequests-OTA_ResRetrieveRS-cancellation.xml",
            AnswerStatus.SUCCESS,
            [("c24e8b15ca469388", "15")],
        ),
        ("GuestRequests-OTA_ResRetrieveRS-empty.xml", AnswerStatus.SUCCESS, []),
        ("GuestRequests-OTA_ResRetrieveRS-error.xml", AnswerStatus.FAILED, []),
    ],
)
def test_given_an_alpinebits_retrieve_answer_when_read_then_classed_with_its_reservations(
    conformance: Path, sample: str, status: AnswerStatus, ids: list[tuple[str, str]]
) -> None:
    retrieved = read_retrieved((conformance / AB / "v_2024_10" / sample).read_bytes())
    assert retrieved.answer.status is status
    assert [(p.partner_reservation_id, p.id_type) for p in retrieved.reservations] == ids


async def test_given_a_pulled_quote_request_when_translated_then_refused_not_booked(
    conformance: Path, vault: LocalCardVault
) -> None:
    body = (conformance / AB / "v_2024_10" / "GuestRequests-OTA_ResRetrieveRS-quote-request.xml").read_bytes()
    (item,) = read_retrieved(body).reservations
    await tokenise_cards(item.request.root, vault, "hotelhub")
    with pytest.raises(NotCommitted):
        translate(item.request)


def test_given_a_hotel_when_polled_then_read_rq_validates(
    ota_2015a_schema: Callable[[str], etree.XMLSchema],
) -> None:
    for since in (None, datetime(2031, 1, 31, 23, 45, tzinfo=UTC)):
        message = read_rq("123", HEADER, since=since)
        assert ota_2015a_schema("OTA_ReadRQ").validate(etree.ElementTree(message))
        criteria = message.find("{*}ReadRequests/{*}HotelReadRequest/{*}SelectionCriteria")
        assert criteria is not None and criteria.get("SelectionType") == "Undelivered"


@pytest.mark.parametrize(
    "acks",
    [
        [Ack("R1", hotel_code="123", confirmation="HH-1")],
        [Ack("R1", hotel_code="123", confirmation="HH-1"), Ack("C1", "15", confirmation="HH-2")],
        [Ack("R1", confirmation="HH-1"), Ack("R2", refusal=(3, 402, "room type 'XX' is not mapped"))],
        [Ack("R2", refusal=(3, 436, "rate plan 'YY' is not mapped"))],
    ],
    ids=["one", "booking and cancellation", "one refused", "all refused"],
)
def test_given_acknowledgements_when_reported_then_notif_report_validates_and_names_each(
    ota_2015a_schema: Callable[[str], etree.XMLSchema], acks: list[Ack]
) -> None:
    message = notif_report(acks, HEADER)
    assert ota_2015a_schema("OTA_NotifReportRQ").validate(etree.ElementTree(message))
    accepted = [u.get("ID") for u in message.iterfind(".//{*}HotelReservation/{*}UniqueID")]
    refused = [w.get("RecordID") for w in message.iterfind("{*}Warnings/{*}Warning")]
    assert accepted == [a.partner_reservation_id for a in acks if a.refusal is None]
    assert refused == [a.partner_reservation_id for a in acks if a.refusal is not None]
    confirmations = [i.get("ResID_Value") for i in message.iterfind(".//{*}HotelReservationID")]
    assert confirmations == [a.confirmation for a in acks if a.refusal is None and a.confirmation]
