"""The summary of a kept OTA message support staff read first, and its indented form."""

from __future__ import annotations

from datetime import date

from ota_unit_builders import TOKEN_CARD, cancel_rq, res_notif, reservation, room_stay, soap

from connectors.ota.summary import OtaSummary, pretty, summarise


def test_given_a_booking_with_two_stays_when_summarised_then_name_hotel_reservation_and_whole_stay() -> None:
    body = res_notif(
        reservation(
            res_id="R-2001",
            stays=(
                room_stay(hotel="ALP-4711", start="2030-05-03", end="2030-05-06"),
                room_stay(hotel="ALP-4711", start="2030-05-01", end="2030-05-04"),
            ),
        )
    ).decode()

    assert summarise(body) == OtaSummary(
        message_name="OTA_HotelResNotifRQ",
        hotel_code="ALP-4711",
        reservation_id="R-2001",
        arrival=date(2030, 5, 1),
        departure=date(2030, 5, 6),
    )


def test_given_a_cancel_in_a_soap_envelope_when_summarised_then_its_reservation_and_no_stay() -> None:
    summary = summarise(soap(cancel_rq(unique_ids='<UniqueID Type="15" ID="R-3001"/>')).decode())

    assert (summary.message_name, summary.reservation_id) == ("OTA_CancelRQ", "R-3001")
    assert (summary.arrival, summary.departure) == (None, None)


def test_given_a_body_that_is_not_xml_when_summarised_then_empty_and_shown_as_it_is() -> None:
    assert summarise("{not xml") == OtaSummary()
    assert pretty("{not xml") == "{not xml"


def test_given_a_kept_message_when_indented_then_one_element_a_line_with_its_card_as_kept() -> None:
    body = res_notif(
        reservation(
            global_info=f"<Guarantee><GuaranteesAccepted><GuaranteeAccepted>{TOKEN_CARD}"
            "</GuaranteeAccepted></GuaranteesAccepted></Guarantee>"
        )
    ).decode()

    lines = pretty(body).splitlines()

    assert lines[0].startswith("<OTA_HotelResNotifRQ")
    assert "  <HotelReservations>" in lines
    assert any(
        line.strip().startswith('<CardNumber Token="tok123" Mask="411111XXXXXX1111"') for line in lines
    )
