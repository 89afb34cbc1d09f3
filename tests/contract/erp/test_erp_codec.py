"""The ERP pull's wire formats: deterministic bytes, the CSV layout, amounts at the currency's exponent."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from erp_builders import BUSINESS_DATE, a_closed_day, closed_days

from canonical.revenue import DayClosed
from connectors.erp.codec import COLUMNS, encode_csv, encode_json
from connectors.erp.errors import DayNotEncodable


def _reordered(day: DayClosed) -> DayClosed:
    """The same day with every list in reverse order: the same facts, another order."""
    return day.model_copy(
        update={
            "revenue": day.revenue[::-1],
            "taxes": day.taxes[::-1],
            "payments": day.payments[::-1],
            "ledgers": day.ledgers[::-1],
        }
    )


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_given_the_same_day_in_any_list_order_when_encoded_then_the_bytes_are_identical() -> None:
    day = a_closed_day()
    other = _reordered(day)
    assert other.revenue != day.revenue  # the lists really are in another order

    assert encode_json("ALPINA", BUSINESS_DATE, BUSINESS_DATE, [day]) == encode_json(
        "ALPINA", BUSINESS_DATE, BUSINESS_DATE, [other]
    )
    assert encode_csv("ALPINA", [day]) == encode_csv("ALPINA", [other])


def test_given_a_day_when_encoded_as_json_then_keys_come_in_the_documented_order() -> None:
    document = json.loads(encode_json("ALPINA", BUSINESS_DATE, BUSINESS_DATE, [a_closed_day()]))

    assert list(document) == ["format", "property", "from", "to", "days"]
    day = document["days"][0]
    assert list(day) == [
        "business_date", "currency", "closed_at", "revenue", "taxes", "payments", "ledgers",
        "statistics", "totals",
    ]  # fmt: skip
    assert [(line["department"], line["gl_account"]) for line in day["revenue"]] == [
        ("FNB", "4100"),
        ("FNB", "4110"),
        ("ROOMS", "4000"),
    ]
    assert [move["ledger"] for move in day["ledgers"]] == ["guest", "city", "advance_deposits"]
    assert day["closed_at"] == "2031-06-02T02:30:00Z"


def test_given_a_day_when_encoded_as_csv_then_crlf_lines_a_header_and_one_row_per_line() -> None:
    data = encode_csv("ALPINA", [a_closed_day()])

    lines = data.split(b"\r\n")
    assert lines[0].decode() == ",".join(COLUMNS) and lines[-1] == b""
    assert b"\n" not in data.replace(b"\r\n", b"")
    rows = _rows(data)
    kinds = [row["record_type"] for row in rows]
    assert (
        kinds
        == ["revenue"] * 3
        + ["tax"] * 2
        + ["payment"] * 2
        + ["ledger"] * 3
        + ["statistic"] * 6
        + ["total"] * 3
    )
    guest = next(row for row in rows if row["record_type"] == "ledger" and row["code"] == "guest")
    assert (guest["opening"], guest["debits"], guest["credits"], guest["closing"]) == (
        "500.00", "1600.00", "-1200.00", "900.00",
    )  # fmt: skip
    occupancy = next(row for row in rows if row["code"] == "occupancy")
    assert occupancy["quantity"] == "0.8000" and occupancy["amount"] == ""


@pytest.mark.parametrize(
    ("currency", "room_revenue", "card"),
    [("JPY", "130909", "-100000"), ("EUR", "1309.09", "-1000.00"), ("KWD", "130.909", "-100.000")],
)
def test_given_a_currency_when_encoded_then_every_amount_has_its_exponent(
    currency: str, room_revenue: str, card: str
) -> None:
    day = a_closed_day(currency)

    document = json.loads(encode_json("ALPINA", BUSINESS_DATE, BUSINESS_DATE, [day]))
    rows = _rows(encode_csv("ALPINA", [day]))

    assert document["days"][0]["revenue"][2]["amount"] == room_revenue
    assert document["days"][0]["payments"][0] == {"method": "CARD", "gl_account": "1100", "amount": card}
    assert [row["amount"] for row in rows if row["record_type"] == "revenue"][2] == room_revenue
    places = {"JPY": 0, "EUR": 2, "KWD": 3}[currency]
    for row in rows:
        for column in ("amount", "opening", "debits", "credits", "closing"):
            value = row[column]
            if value:
                assert len(value.partition(".")[2]) == places, (column, value)


def test_given_amounts_without_trailing_zeros_or_a_negative_zero_when_encoded_then_written_in_full() -> None:
    day = a_closed_day("EUR")
    city = day.ledgers[2].model_copy(update={"opening": Decimal("-0"), "debits": Decimal("12.5")})
    day = day.model_copy(update={"ledgers": (*day.ledgers[:2], city)})

    move = json.loads(encode_json("ALPINA", BUSINESS_DATE, BUSINESS_DATE, [day]))["days"][0]["ledgers"][1]

    assert move["ledger"] == "city" and move["opening"] == "0.00" and move["debits"] == "12.50"


def test_given_an_amount_finer_than_the_currency_when_encoded_then_refused_naming_the_day() -> None:
    day = a_closed_day("JPY")
    day = day.model_copy(update={"revenue": (day.revenue[0].model_copy(update={"amount": Decimal("10.5")}),)})

    with pytest.raises(DayNotEncodable, match="ALPINA 2031-06-01"):
        encode_csv("ALPINA", [day])


def test_given_a_range_when_encoded_then_days_come_oldest_first_whatever_order_they_are_given() -> None:
    days = closed_days(BUSINESS_DATE, 3)
    last = BUSINESS_DATE + timedelta(days=2)

    document = json.loads(encode_json("ALPINA", BUSINESS_DATE, last, days[::-1]))
    rows = _rows(encode_csv("ALPINA", days[::-1]))

    assert [day["business_date"] for day in document["days"]] == ["2031-06-01", "2031-06-02", "2031-06-03"]
    dates = [row["business_date"] for row in rows]
    assert dates == sorted(dates) and len(set(dates)) == 3
    assert encode_json("ALPINA", BUSINESS_DATE, last, days) == encode_json(
        "ALPINA", BUSINESS_DATE, last, days[::-1]
    )


def test_given_a_day_of_another_property_when_encoded_then_refused() -> None:
    with pytest.raises(DayNotEncodable, match="belongs to property OTHER"):
        encode_json("ALPINA", BUSINESS_DATE, BUSINESS_DATE, [a_closed_day(property_code="OTHER")])


def test_given_amounts_when_encoded_as_json_then_they_are_strings_and_totals_add_up() -> None:
    day = json.loads(encode_json("ALPINA", BUSINESS_DATE, BUSINESS_DATE, [a_closed_day()]))["days"][0]

    assert all(isinstance(line["amount"], str) for line in day["revenue"] + day["taxes"] + day["payments"])
    assert Decimal(day["totals"]["revenue"]) == sum(Decimal(line["amount"]) for line in day["revenue"])
    assert day["totals"] == {"revenue": "1418.18", "taxes": "181.82", "payments": "-1200.00"}
