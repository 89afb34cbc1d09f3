"""Night audit of a property of N rooms at 90 % occupancy on PostgreSQL: seconds to close the day.

    python bench/stays.py [--rooms 100 1000 5000] [--occupancy 0.9] [--url postgresql+asyncpg://...]

For each size: a fresh database migrated to the hub's schema, one property (10 room types, the
demo's transaction codes: ROOM with VAT 10 % inclusive and a city tax per person-night), and
in-house stays in 90 % of its rooms, each with its guest folio, seeded by bulk inserts (arrived
the day before, leaving in two days). Then the real close (hub/audit_close.close_day: the handler
and its outbox rows, one transaction) is timed, commit included. One JSON line per size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.folio_codes import CodeKind, FolioCodeBook, TransactionCode
from canonical.property import DefineProperty, RatePlanDefinition, RoomTypeDefinition
from hub.ari_outbox import offline_table
from hub.audit_close import close_day
from hub.db import create_engine
from hub.schema import upgrade
from pms_core.adapters.bulk import UnnestInsert
from pms_core.adapters.folio_tables import folio_lines, folios
from pms_core.adapters.stay_tables import room_nights, stays
from pms_core.adapters.tables import booking_nights, bookings, properties, rate_plans, room_types, rooms
from pms_core.folio_handlers import apply_folio_codes
from pms_core.setup import apply_property
from pms_core.unit_of_work import PmsUnitOfWork

HOTEL = "BENCH"
DAY = date(2031, 6, 1)
AT = datetime(2031, 6, 1, 20, 0, tzinfo=UTC)
TYPES = 10
PRICE = Decimal("120.00")
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def _codes() -> FolioCodeBook:
    def tax(code: str, **rate: Any) -> TransactionCode:
        return TransactionCode(
            code=code, kind=CodeKind.TAX, name=code, department="TAX", gl_account="2200", **rate
        )

    return FolioCodeBook(
        property_code=HOTEL,
        currency="EUR",
        codes=(
            tax("VAT10", percent=Decimal(10), inclusive=True),
            tax("CITYTAX", per_person_night=Decimal("2.50")),
            TransactionCode(
                code="ROOM",
                kind=CodeKind.CHARGE,
                name="Accommodation",
                department="ROOMS",
                gl_account="4000",
                taxes=("VAT10", "CITYTAX"),
            ),
            TransactionCode(code="CARD", kind=CodeKind.PAYMENT, name="Card", gl_account="1100"),
        ),
    )


def _property(size: int) -> DefineProperty:
    per_type = [size // TYPES + (1 if i < size % TYPES else 0) for i in range(TYPES)]
    types = tuple(
        RoomTypeDefinition(
            code=f"T{i}", name=f"Type {i}", max_occupancy=2, rooms=tuple(f"{i}{n:04d}" for n in range(count))
        )
        for i, count in enumerate(per_type)
    )
    plan = RatePlanDefinition(
        code="BAR", name="Best available", room_types=tuple(t.code for t in types),
        default_rates={t.code: PRICE for t in types},
    )  # fmt: skip
    return DefineProperty(
        code=HOTEL, name="Bench", timezone="UTC", currency="EUR", room_types=types, rate_plans=(plan,)
    )


async def _fresh_database(base: str, name: str) -> str:
    url = make_url(base)
    admin = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database=url.database
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def seed_property(conn: AsyncConnection, size: int) -> tuple[UUID, UUID, list[tuple[UUID, UUID]]]:
    """The bench property of `size` rooms with its transaction codes, its business date DAY; answers
    its id, its rate plan's id and every (room id, room type id), by room id."""
    await apply_property(conn, _property(size))
    await apply_folio_codes(PmsUnitOfWork(conn, clock=lambda: AT), _codes())
    await conn.execute(update(properties).values(business_date=DAY))
    prop_id = (await conn.execute(select(properties.c.id))).scalar_one()
    plan_id = (await conn.execute(select(rate_plans.c.id))).scalar_one()
    all_rooms = (await conn.execute(select(rooms.c.id, rooms.c.room_type_id).order_by(rooms.c.id))).all()
    return prop_id, plan_id, [(room_id, type_id) for room_id, type_id in all_rooms]


def booking_row(
    prop_id: UUID,
    plan_id: UUID,
    type_id: UUID,
    confirmation: str,
    arrival: date,
    departure: date,
    status: str,
) -> dict[str, Any]:
    """One direct booking of the bench's rate plan, two adults, at PRICE a night."""
    return dict(
        id=uuid4(),
        property_id=prop_id,
        confirmation=confirmation,
        stay_index=0,
        partner_id=None,
        partner_reservation_id=None,
        room_type_id=type_id,
        rate_plan_id=plan_id,
        arrival=arrival,
        departure=departure,
        adults=2,
        children=0,
        child_ages=[],
        status=status,
        overbooked=False,
        warnings=[],
        total_amount=PRICE * (departure - arrival).days,
        tax_basis="after_tax",
        currency="EUR",
        guarantee=None,
        comments=[],
        revision=2,
        partner_revision=None,
        created_at=AT,
        updated_at=AT,
    )


def nights_of(booking: dict[str, Any]) -> list[dict[str, Any]]:
    """The booking's nights at PRICE each."""
    count = (booking["departure"] - booking["arrival"]).days
    return [
        {"booking_id": booking["id"], "night": booking["arrival"] + timedelta(days=n), "amount": PRICE}
        for n in range(count)
    ]


async def seed_in_house(
    conn: AsyncConnection,
    prop_id: UUID,
    plan_id: UUID,
    taken: list[tuple[UUID, UUID]],
    arrival: date,
    departure: date,
    prefix: str = "B",
) -> list[tuple[UUID, UUID]]:
    """A stay in house in each of the `taken` rooms (arrived `arrival`, leaving `departure`), each
    with its booking and open guest folio, by bulk inserts; answers each (stay id, folio id)."""
    booking_rows, night_rows, stay_rows, held, folio_rows = [], [], [], [], []
    for index, (room_id, type_id) in enumerate(taken):
        stay = uuid4()
        booking_row_ = booking_row(
            prop_id, plan_id, type_id, f"{prefix}{index:06d}", arrival, departure, "in_house"
        )
        booking = booking_row_["id"]
        booking_rows.append(booking_row_)
        night_rows += nights_of(booking_row_)
        stay_rows.append(
            dict(
                id=stay,
                property_id=prop_id,
                booking_id=booking,
                room_id=room_id,
                status="in_house",
                checked_in_on=arrival,
                checked_in_at=AT,
                checked_out_at=None,
                updated_at=AT,
            )
        )
        held += [{"room_id": room_id, "night": n["night"], "stay_id": stay} for n in nights_of(booking_row_)]
        folio_rows.append(
            dict(
                id=uuid4(),
                property_id=prop_id,
                kind="guest",
                status="open",
                booking_id=booking,
                stay_id=stay,
                company_profile_id=None,
                name=None,
                currency="EUR",
                balance_minor=0,
                line_count=0,
                opened_at=AT,
                invoice_number=None,
                closed_at=None,
                closed_business_date=None,
            )
        )
    for table, rows in (
        (bookings, booking_rows), (booking_nights, night_rows), (stays, stay_rows),
        (room_nights, held), (folios, folio_rows),
    ):  # fmt: skip
        await UnnestInsert(table).execute(conn, rows)
    await conn.execute(
        update(rooms).where(rooms.c.id.in_([r for r, _ in taken])).values(occupancy="occupied")
    )
    return [(s["id"], f["id"]) for s, f in zip(stay_rows, folio_rows, strict=True)]


async def _seed(url: str, size: int, occupancy: float) -> int:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            prop_id, plan_id, all_rooms = await seed_property(conn, size)
            taken = all_rooms[: round(len(all_rooms) * occupancy)]
            await seed_in_house(
                conn, prop_id, plan_id, taken, DAY - timedelta(days=1), DAY + timedelta(days=2)
            )
        return len(taken)
    finally:
        await engine.dispose()


async def _measure(base: str, size: int, occupancy: float) -> dict[str, Any]:
    url = await _fresh_database(base, f"bench_stays_{size}")
    await asyncio.to_thread(upgrade, url)
    in_house = await _seed(url, size, occupancy)
    engine = create_engine(url)
    try:
        table = offline_table(engine)
        async with engine.connect() as conn:  # a warm pool, as a running hub has
            await conn.execute(select(func.count()).select_from(room_types))
        started = time.perf_counter()
        outcome, outbox_rows = await close_day(
            engine, table, HOTEL, DAY, clock=lambda: AT + timedelta(hours=7)
        )
        seconds = time.perf_counter() - started
        async with engine.connect() as conn:
            lines = (await conn.execute(select(func.count()).select_from(folio_lines))).scalar_one()
        return {
            "rooms": size,
            "in_house": in_house,
            "seconds": round(seconds, 3),
            "charges_posted": outcome.charges_posted,
            "folio_lines": int(lines),
            "outbox_rows": outbox_rows,
            "occupancy": str(outcome.day.statistics.occupancy),
        }
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--occupancy", type=float, default=0.9)
    parser.add_argument(
        "--url", default=DEFAULT_URL, help="a PostgreSQL server (its databases bench_stays_N are replaced)"
    )
    args = parser.parse_args()
    for size in args.rooms:
        print(json.dumps(await _measure(args.url, size, args.occupancy)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
