"""The finance ERP pull on a running hub: closed days as JSON and CSV, ETag and 304, and who may read."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import harness
import httpx
import pytest
from erp_builders import BUSINESS_DATE, OTHER, closed_days, erp_config
from harness import RunningHub, running_hub
from sqlalchemy import select, update

from canonical.night_audit import CloseDay
from canonical.revenue import DayClosed
from pms_core.adapters.tables import properties
from pms_core.day_closes import store_closed_day
from pms_core.night_audit import handle_close_day
from pms_core.unit_of_work import PmsUnitOfWork

PULL = "/api/v1/erp/daily-revenue"
ERP = ("ledgerly", "ledgerly-secret")
OTA = ("otaone", "otaone-secret")
OPERATOR_TOKEN = "operator-token-for-erp-tests"


async def _hub(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RunningHub]:
    monkeypatch.setitem(harness.PASSWORDS, "HUB_PARTNER_LEDGERLY_PASSWORD", ERP[1])
    async with running_hub(
        "embedded", url, None, tmp_path, config=erp_config(tmp_path, ERP[0]), api_token=OPERATOR_TOKEN
    ) as running:
        yield running


@pytest.fixture
async def hub(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RunningHub]:
    """A running hub with the ERP partner, on SQLite and PostgreSQL (conftest's database_url)."""
    async for running in _hub(database_url, tmp_path, monkeypatch):
        yield running


@pytest.fixture
async def sqlite_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RunningHub]:
    """The same hub on SQLite only, for rules that do not touch the database's dialect."""
    async for running in _hub(f"sqlite+aiosqlite:///{tmp_path / 'erp.db'}", tmp_path, monkeypatch):
        yield running


async def store(hub: RunningHub, days: Sequence[DayClosed]) -> None:
    """Store closed days as the night audit does."""
    async with hub.hub.engine.begin() as conn:
        for day in days:
            found = await conn.execute(select(properties.c.id).where(properties.c.code == day.property_code))
            await store_closed_day(conn, found.scalar_one(), day)


async def pull(
    hub: RunningHub, auth: tuple[str, str] | None = ERP, headers: dict[str, str] | None = None, **params: Any
) -> httpx.Response:
    """GET the pull as the ERP partner (or `auth`), with query parameters `params`."""
    query = {"property": "ALPINA"} | {key.removesuffix("_"): str(value) for key, value in params.items()}
    return await hub.http.get(PULL, params=query, auth=auth, headers=headers or {})


async def test_given_a_closed_day_when_pulled_twice_then_byte_identical_with_one_etag_and_304_after(
    hub: RunningHub,
) -> None:
    await store(hub, closed_days(BUSINESS_DATE, 1))

    first = await pull(hub, date=BUSINESS_DATE)
    again = await pull(hub, date=BUSINESS_DATE)
    as_csv = await pull(hub, date=BUSINESS_DATE, headers={"accept": "text/csv"})
    csv_again = await pull(hub, date=BUSINESS_DATE, headers={"accept": "text/csv"})
    unchanged = await pull(hub, date=BUSINESS_DATE, headers={"if-none-match": first.headers["etag"]})
    in_a_list = await pull(
        hub,
        date=BUSINESS_DATE,
        headers={"accept": "text/csv", "if-none-match": f'"x", {as_csv.headers["etag"]}'},
    )
    stale = await pull(hub, date=BUSINESS_DATE, headers={"if-none-match": '"not-the-tag"'})

    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/json"
    assert first.content == again.content and first.headers["etag"] == again.headers["etag"]
    assert first.json()["days"][0]["revenue"][2] == {
        "department": "ROOMS",
        "gl_account": "4000",
        "amount": "1309.09",
    }
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.content == csv_again.content and as_csv.headers["etag"] == csv_again.headers["etag"]
    assert (
        as_csv.content.startswith(b"record_type,property,business_date,currency,")
        and b"\r\n" in as_csv.content
    )
    assert as_csv.headers["etag"] != first.headers["etag"]
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert unchanged.headers["etag"] == first.headers["etag"]
    assert (in_a_list.status_code, in_a_list.headers["etag"]) == (304, as_csv.headers["etag"])
    assert stale.status_code == 200 and stale.content == first.content


async def test_given_a_range_with_an_open_day_when_pulled_then_409_naming_it_and_the_closed_part_reads(
    hub: RunningHub,
) -> None:
    await store(hub, closed_days(BUSINESS_DATE, 3))
    last = BUSINESS_DATE + timedelta(days=2)

    closed = await pull(hub, from_=BUSINESS_DATE, to=last)
    with_open = await pull(hub, from_=BUSINESS_DATE, to=last + timedelta(days=1))
    open_one = await pull(hub, date=last + timedelta(days=5))

    assert closed.status_code == 200, closed.text
    assert [day["business_date"] for day in closed.json()["days"]] == [
        "2031-06-01",
        "2031-06-02",
        "2031-06-03",
    ]
    assert (with_open.status_code, with_open.json()["open_days"]) == (409, ["2031-06-04"])
    assert with_open.headers["content-type"] == "application/problem+json"
    assert "2031-06-04" in with_open.json()["detail"]
    assert (open_one.status_code, open_one.json()["open_days"]) == (409, ["2031-06-08"])


async def test_given_each_kind_of_caller_when_pulling_then_only_the_granted_erp_partner_and_operator_read(
    sqlite_hub: RunningHub,
) -> None:
    hub = sqlite_hub
    await store(hub, closed_days(BUSINESS_DATE, 1) + closed_days(BUSINESS_DATE, 1, property_code=OTHER))

    other = await hub.http.get(PULL, params={"property": OTHER, "date": "2031-06-01"}, auth=ERP)
    anonymous = await pull(hub, auth=None, date=BUSINESS_DATE)
    wrong = await pull(hub, auth=(ERP[0], "wrong"), date=BUSINESS_DATE)
    ota = await pull(hub, auth=OTA, date=BUSINESS_DATE)
    operator = await hub.http.get(
        PULL,
        params={"property": OTHER, "date": "2031-06-01"},
        headers={"authorization": f"Bearer {OPERATOR_TOKEN}"},
    )
    xml = await pull(hub, date=BUSINESS_DATE, headers={"accept": "application/xml"})
    too_long = await pull(hub, from_=date(2031, 1, 1), to=date(2031, 4, 3))
    unknown = await hub.http.get(
        PULL,
        params={"property": "NOWHERE", "date": "2031-06-01"},
        headers={"authorization": f"Bearer {OPERATOR_TOKEN}"},
    )

    assert (other.status_code, other.json()["type"]) == (403, "urn:hotelhub:problem:forbidden")
    assert OTHER in other.json()["detail"]
    assert anonymous.status_code == 401 and wrong.status_code == 401
    assert ota.status_code == 403 and "ERP" in ota.json()["detail"]
    assert operator.status_code == 200 and operator.json()["property"] == OTHER
    assert unknown.status_code == 404
    assert (xml.status_code, xml.json()["available"]) == (406, ["application/json", "text/csv"])
    assert too_long.status_code == 422 and "at most 92 days" in too_long.json()["detail"]


D0 = date(2031, 3, 1)
OPERATOR = {"authorization": f"Bearer {OPERATOR_TOKEN}"}
FOLIOS = "/api/v1/properties/ALPINA/folios"


async def _operator_post(hub: RunningHub, path: str, body: dict[str, Any]) -> Any:
    response = await hub.http.post(path, json=body, headers=OPERATOR)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def close(hub: RunningHub, day: date) -> None:
    """Close ALPINA's business date `day` with the night audit's handler."""
    async with hub.hub.engine.begin() as conn:
        outcome = await handle_close_day(
            CloseDay(property_code="ALPINA", business_date=day), PmsUnitOfWork(conn)
        )
    assert outcome.closed_now


async def test_given_two_days_closed_by_the_night_audit_when_pulled_then_revenue_is_the_days_charges_and_ledgers_chain(
    hub: RunningHub,
) -> None:
    async with hub.hub.engine.begin() as conn:  # the hotel's business days start on D0
        await conn.execute(update(properties).where(properties.c.code == "ALPINA").values(business_date=D0))
    stay = {
        "room_type_code": "DBL",
        "rate_plan_code": "BAR",
        "arrival": "2031-03-01",
        "departure": "2031-03-04",
    }
    booking = await _operator_post(hub, "/api/v1/properties/ALPINA/bookings", stay)
    await _operator_post(hub, f"/api/v1/properties/ALPINA/bookings/{booking['id']}/check-in", {"room": "101"})
    await close(hub, D0)  # the audit posts the first room night
    [folio] = (await hub.http.get(FOLIOS, headers=OPERATOR)).json()
    await _operator_post(
        hub, f"{FOLIOS}/{folio['folio_id']}/charges", {"transaction_code": "FNB", "unit_amount": "42.00"}
    )
    await _operator_post(
        hub, f"{FOLIOS}/{folio['folio_id']}/payments", {"method": "CARD", "amount": "150.00"}
    )
    await close(hub, D0 + timedelta(days=1))
    lines = (await hub.http.get(f"{FOLIOS}/{folio['folio_id']}", headers=OPERATOR)).json()["lines"]

    pulled = await pull(hub, from_=D0, to=D0 + timedelta(days=1))
    as_csv = await pull(hub, from_=D0, to=D0 + timedelta(days=1), headers={"accept": "text/csv"})

    assert pulled.status_code == 200, pulled.text
    first, second = pulled.json()["days"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text, newline="")))
    for day in (first, second):
        charged = [
            Decimal(x["amount"])
            for x in lines
            if x["code_kind"] == "charge" and x["business_date"] == day["business_date"]
        ]
        taxed = [
            Decimal(x["amount"])
            for x in lines
            if x["code_kind"] == "tax" and x["business_date"] == day["business_date"]
        ]
        in_csv = [
            Decimal(r["amount"])
            for r in rows
            if r["record_type"] == "revenue" and r["business_date"] == day["business_date"]
        ]
        assert charged, day["business_date"]
        assert sum(Decimal(line["amount"]) for line in day["revenue"]) == sum(charged) == sum(in_csv)
        assert sum(Decimal(line["amount"]) for line in day["taxes"]) == sum(taxed)
    assert {line["department"] for line in second["revenue"]} == {"ROOMS", "FNB"}
    assert [(p["method"], p["amount"]) for p in second["payments"]] == [("CARD", "-150.00")]
    assert [move["ledger"] for move in first["ledgers"]] == ["guest", "city", "advance_deposits"]
    for before, after in zip(first["ledgers"], second["ledgers"], strict=True):
        assert (after["ledger"], after["opening"]) == (before["ledger"], before["closing"])
    guest = second["ledgers"][0]
    assert guest["ledger"] == "guest" and Decimal(guest["credits"]) == Decimal("-150.00")
