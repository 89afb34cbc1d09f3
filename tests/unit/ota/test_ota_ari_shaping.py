"""Shaping ARI into messages: max cells, bytes and span never exceeded, no cell lost, codes fanned out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from ota_ari_cells import availability_cells, night, rate_cells

from canonical.ari import AriKind, Restrictions
from connectors.ota.ari_answers import read_answer
from connectors.ota.ari_codec import RestrictionType
from connectors.ota.ari_ranges import availability_ranges, rate_ranges, restriction_ranges
from connectors.ota.ari_shaping import ChannelCodes, Shaping, shape
from connectors.ota.codec import read_request

STAMP = datetime(2031, 2, 1, tzinfo=UTC)
FAN_OUT = ChannelCodes("H1", lambda room: [f"{room}-A", f"{room}-B"], lambda plan: [plan])


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(0, 3), min_size=1, max_size=60),
    rooms=st.lists(st.integers(0, 9), min_size=1, max_size=60),
    max_cells=st.one_of(st.none(), st.integers(1, 40)),
    max_span=st.one_of(st.none(), st.integers(1, 30)),
    max_bytes=st.one_of(st.none(), st.integers(1_500, 20_000)),
    separate=st.booleans(),
    soap=st.booleans(),
)
def test_given_random_ranges_and_limits_when_shaped_then_no_limit_exceeded_and_no_cell_lost(
    values: list[int],
    rooms: list[int],
    max_cells: int | None,
    max_span: int | None,
    max_bytes: int | None,
    separate: bool,
    soap: bool,
) -> None:
    cells = rate_cells(values) + rate_cells(values[::-1], room_type="SGL")
    shaping = Shaping(
        max_cells=max_cells,
        max_span_days=max_span,
        max_bytes=max_bytes,
        separate_requests=separate,
        envelope="soap11" if soap else "plain",
    )
    messages = shape(
        FAN_OUT,
        shaping,
        currency="EUR",
        stamp=STAMP,
        echo_prefix="t",
        restrictions=restriction_ranges(cells),
        rates=rate_ranges(cells),
        availability=availability_ranges(availability_cells(rooms)),
    )
    sent: dict[tuple[AriKind, str, str | None, object], int] = {}
    for message in messages:
        if max_cells:
            assert message.cells <= max_cells
        if max_bytes:
            assert len(message.body) <= max_bytes
        if max_span:
            first = min(item.first for item in message.items)
            last = max(item.last for item in message.items)
            assert (last - first).days + 1 <= max_span
        req = read_request(message.body, max_bytes=10**6)
        assert len(req.root[0]) == len(message.items)  # one element per SentItem, in order
        for item in message.items:
            for i in range(item.cells):
                key = (
                    item.kind,
                    item.target.room_type,
                    item.target.rate_plan,
                    item.first + timedelta(days=i),
                )
                sent[key] = sent.get(key, 0) + 1
    nights = {c.night for c in cells}
    for kind in (AriKind.RATES, AriKind.RESTRICTIONS):
        for room in ("DBL", "SGL"):
            for partner in (f"{room}-A", f"{room}-B"):
                for n in nights:
                    # restrictions are several items per night (status, CTA, CTD); rates exactly one
                    assert sent.get((kind, partner, "BAR", n), 0) >= 1
                    if kind is AriKind.RATES:
                        assert sent[(kind, partner, "BAR", n)] == 1
    for cell in availability_cells(rooms):
        for partner in ("DBL-A", "DBL-B"):
            assert sent[(AriKind.AVAILABILITY, partner, None, cell.night)] == 1


def test_given_separate_requests_off_when_shaped_then_rooms_left_travel_with_restrictions() -> None:
    messages = shape(
        ChannelCodes("H1", lambda room: [room], lambda plan: [plan]),
        Shaping(separate_requests=False),
        currency="EUR",
        stamp=STAMP,
        echo_prefix="t",
        restrictions=restriction_ranges(rate_cells([1, 1])),
        availability=availability_ranges(availability_cells([4, 4])),
    )
    assert [m.message_name for m in messages] == ["OTA_HotelAvailNotifRQ"]
    assert b'BookingLimit="4"' in messages[0].body


def test_given_a_hub_code_unmapped_for_the_channel_when_shaped_then_nothing_is_sent() -> None:
    messages = shape(
        ChannelCodes("H1", lambda room: [], lambda plan: [plan]),
        Shaping(),
        currency="EUR",
        stamp=STAMP,
        echo_prefix="t",
        rates=rate_ranges(rate_cells([1, 2])),
    )
    assert messages == []


def test_given_a_channel_accepting_only_stop_sell_when_shaped_then_no_other_restriction_is_written() -> None:
    cells = [
        c.model_copy(update={"restrictions": Restrictions(closed=True, closed_to_arrival=True, min_los=3)})
        for c in rate_cells([1, 1])
    ]
    (message,) = shape(
        FAN_OUT,
        Shaping(accepted=frozenset({RestrictionType.CLOSED})),
        currency="EUR",
        stamp=STAMP,
        echo_prefix="t",
        restrictions=restriction_ranges(cells),
    )
    assert b'Status="Close"' in message.body
    for absent in (b"LengthsOfStay", b"Restriction=", b"AdvancedBookingOffset"):
        assert absent not in message.body
    assert len(message.items) == 2  # one per partner code, nothing for CTA


def test_given_an_answer_refusing_item_two_when_matched_then_it_names_that_items_cells() -> None:
    cells = rate_cells([1, 1, 2, 2])
    (message,) = shape(
        ChannelCodes("H1", lambda room: [room], lambda plan: [plan]),
        Shaping(),
        currency="EUR",
        stamp=STAMP,
        echo_prefix="t",
        rates=rate_ranges(cells),
    )
    answer = read_answer(
        b'<OTA_HotelRateAmountNotifRS xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0">'
        b'<Errors><Error Type="3" Code="436" RecordID="2">Rate closed</Error></Errors>'
        b"</OTA_HotelRateAmountNotifRS>",
        request_name=message.message_name,
    )
    (index,) = answer.refused_items
    item = message.item(index)
    assert item is not None
    assert (item.room_type, item.rate_plan, item.first, item.last) == ("DBL", "BAR", night(2), night(3))
    assert message.item(3) is None
