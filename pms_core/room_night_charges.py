"""The night audit's room charges: each in-house stay's night at the booking's price, with its taxes.

Posted as the folio handlers post a charge (the stay's open guest folio, opened when it has none;
routing followed; taxes by the code's rules), but for every stay at once: one read per step and
one write per table, so a 5,000-room property closes in seconds. A (stay, night) is charged once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import Money
from canonical.folio import FOLIO_LINE_POSTED_V1, FOLIO_OPENED_V1, FolioKind, FolioLinesPosted, FolioOpened
from canonical.folio_codes import CodeKind, FolioCodeBook
from canonical.money import allocate, quantise
from pms_core import folios
from pms_core.adapters import audit_store
from pms_core.adapters.day_sums import ROOM_NIGHT_REFERENCE
from pms_core.adapters.folio_store import PropertyRef
from pms_core.folio_errors import FolioRefused, UnknownTransactionCode
from pms_core.folio_routing import route
from pms_core.folios import Folio, Posting
from pms_core.stay_views import InHouseNight
from pms_core.unit_of_work import PmsUnitOfWork

ROOM_CODE = "ROOM"


@dataclass(frozen=True, slots=True)
class RoomCharges:
    """What the audit charged: room nights posted now, and those found charged already."""

    posted: int
    already: int


def room_night_reference(stay_id: UUID, night: date) -> str:
    """The reference a room-night charge carries (its reversals keep it): room revenue is summed by it."""
    return f"{ROOM_NIGHT_REFERENCE}{stay_id}:{night.isoformat()}"


def _opened(uow: PmsUnitOfWork, prop: PropertyRef, night: InHouseNight) -> Folio:
    folio = Folio(
        id=uuid4(), property_code=prop.code, kind=FolioKind.GUEST, currency=prop.currency,
        opened_at=uow.now(), booking_id=night.booking_id, stay_id=night.stay_id,
    )  # fmt: skip
    uow.collect(FOLIO_OPENED_V1, FolioOpened(**dict(folio.header), opened_at=folio.opened_at))
    return folio


async def _priced(
    conn: AsyncConnection, prop: PropertyRef, nights: list[InHouseNight], night: date
) -> list[InHouseNight]:
    """The nights with their price: a night the booking gives none takes its share of the booking's
    total (shared out over its nights to the minor unit); FolioRefused when there is no total either."""
    unpriced = [entry for entry in nights if entry.amount is None]
    if not unpriced:
        return nights
    totals = await audit_store.totals(conn, prop.id, [entry.booking_id for entry in unpriced])
    missing = sorted(entry.confirmation for entry in unpriced if entry.booking_id not in totals)
    if missing:
        raise FolioRefused(f"no price for the night of {night} on booking(s) {', '.join(missing)}")
    priced = []
    for entry in nights:
        if entry.amount is None:
            total, arrival, departure = totals[entry.booking_id]
            shares = allocate(
                quantise(total, prop.currency), [Decimal(1)] * (departure - arrival).days, prop.currency
            )
            if not 0 <= (night - arrival).days < len(shares):
                raise FolioRefused(f"no price for the night of {night} on booking {entry.confirmation}")
            entry = entry.model_copy(update={"amount": shares[(night - arrival).days]})
        priced.append(entry)
    return priced


async def post_room_nights(
    uow: PmsUnitOfWork, prop: PropertyRef, book: FolioCodeBook, nights: list[InHouseNight], night: date
) -> RoomCharges:
    """Charge every night not charged yet; FolioRefused (nothing written) when one cannot be."""
    conn = uow.conn
    done = await audit_store.charged_stays(conn, prop.id, night) if nights else set()
    todo = [entry for entry in nights if entry.stay_id not in done]
    if not todo:
        return RoomCharges(posted=0, already=len(nights))
    code = book.find(ROOM_CODE)
    if code is None or code.kind is not CodeKind.CHARGE:
        raise UnknownTransactionCode(prop.code, ROOM_CODE, CodeKind.CHARGE.value)
    taxes = book.taxes_of(code)
    todo = await _priced(conn, prop, todo, night)
    booking_ids = [entry.booking_id for entry in todo]
    guests = await audit_store.persons(conn, prop.id, booking_ids)
    sources = await audit_store.open_guest_folios(conn, prop, booking_ids)
    opened = [_opened(uow, prop, entry) for entry in todo if entry.booking_id not in sources]
    await audit_store.insert_folios(conn, prop, opened)
    sources.update({folio.booking_id: folio.id for folio in opened if folio.booking_id is not None})
    routes = await audit_store.instructions_of(conn, list(sources.values()))
    targets = {
        entry.stay_id: route(sources[entry.booking_id], routes.get(sources[entry.booking_id], []), code)
        for entry in todo
    }
    heads = await audit_store.lock_heads(conn, prop, sorted(set(targets.values())))
    charges = []
    at = uow.now()
    for entry in todo:
        folio, _ = heads[targets[entry.stay_id]]
        assert entry.amount is not None
        reference = room_night_reference(entry.stay_id, night)
        when = Posting(night, at, f"Room {entry.room} night {night.isoformat()}", reference)
        lines = folios.charge(
            folio,
            code,
            taxes,
            quantise(entry.amount, prop.currency),
            1,
            guests.get(entry.booking_id, 1),
            when,
        )
        charges.append(
            {"stay_id": entry.stay_id, "night": night, "folio_id": folio.id, "line_id": lines[0].id}
        )
    changed = [(folio, count) for folio, count in heads.values() if folio.posted]
    for folio, count in changed:
        # Loaded without its lines: the new ones are numbered after the stored count.
        folio.posted[:] = [line.model_copy(update={"seq": count + line.seq}) for line in folio.posted]
        balance = Money(amount=folio.balance, currency=folio.currency)
        uow.collect(
            FOLIO_LINE_POSTED_V1,
            FolioLinesPosted(**dict(folio.header), lines=tuple(folio.posted), balance=balance),
        )
    await audit_store.write_posted(conn, prop, changed, charges)
    return RoomCharges(posted=len(charges), already=len(nights) - len(todo))
