"""ARI in at POST /ota (a revenue system or an external PMS) and availability requests, in the request.

Notifications are applied synchronously: translated with the partner's code map, applied to the
core in ONE transaction with the raw message's journal row and the `ari.changed.v1` events some
route consumes, then answered. The answer therefore says whether the values were applied; nothing
waits in a queue where a later notification could overtake it. A notification refused for its
content (an unmapped code, a value the core refuses) is kept in the journal as refused and
answered with its error, but never dead-lettered: replaying old ARI later would overwrite newer
values, and the sender sends its values again anyway. Availability requests are read-only, on the
read engine. docs/channels.md ("ARI from a revenue system or PMS", "Availability requests").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.ari import AvailabilityCell, SetRoomCounts
from canonical.base import utcnow
from canonical.envelope import Envelope
from canonical.errors import PermanentError
from connectors.ota import codec, errors
from connectors.ota.ari_inbound import translate_ari
from connectors.ota.ari_notif_answers import echo_header, finish, notif_success
from connectors.ota.ari_patches import InboundAri
from connectors.ota.avail import avail_response, offers, read_avail_query
from connectors.ota.codec import OtaRequest
from connectors.ota.codes import PropertyCodes
from pms_core.ari import availability_cells, handle_set_ari, rate_cells
from pms_core.room_counts import handle_set_room_counts
from pms_core.unit_of_work import PmsUnitOfWork
from routes.codes import PartnerCodeBook
from routes.door_answers import Answer
from routes.outbox import add_to_outbox, outbox_values
from routes.partner_messages import check_room_counts
from routes.partners import PartnerRecord
from routes.table import RoutingTable
from routes.tables import inbound_messages


class AriDoor:
    """Applies ARI notifications and answers availability requests for the OTA door."""

    def __init__(
        self,
        engine: AsyncEngine,
        reader: AsyncEngine,
        table: RoutingTable,
        *,
        on_commit: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.reader = reader
        self.table = table
        self.on_commit = on_commit  # wakes the embedded dispatcher for the events written
        self.clock = clock

    async def notification(
        self, request: OtaRequest, partner: PartnerRecord, book: PartnerCodeBook, correlation_id: str
    ) -> Answer:
        """Apply one ARI notification (granted hotel already checked); raise the OtaError refusing it."""
        received_at = self.clock()
        body = codec.write(request.root).decode()  # the OTA element alone: no SOAP header, no password
        try:
            inbound = translate_ari(request, book.partner_codes, source=partner.id)
            if inbound.availability:
                check_room_counts(partner.id, partner.kind)
            counts = _complete(inbound, book.partner_codes.property_for(inbound.hotel_code))
            async with self.engine.begin() as conn:
                changed = await self._apply(conn, inbound, counts, partner, correlation_id)
                outcome = "applied" if changed is not None else "no-change"
                await _journal(conn, request, partner, correlation_id, received_at, body, outcome, None)
        except errors.UnknownHotel:
            raise  # no property to file it under, and possibly another tenant's: keep nothing
        except errors.OtaAuthFailed:
            raise
        except (errors.OtaRejected, PermanentError) as err:
            refused = err if isinstance(err, errors.OtaError) else _core_refusal(err)
            async with self.engine.begin() as conn:
                await _journal(conn, request, partner, correlation_id, received_at, body, "refused", str(err))
            raise refused from err
        if self.on_commit is not None and changed:
            self.on_commit()
        notes = list(inbound.notes)
        if changed is None:
            notes.append("the message names no night: nothing was changed")
        return Answer(200, notif_success(request, notes), "ari-applied", partner.id)

    async def _apply(
        self,
        conn: AsyncConnection,
        inbound: InboundAri,
        counts: tuple[AvailabilityCell, ...],
        partner: PartnerRecord,
        correlation_id: str,
    ) -> int | None:
        """Apply in the caller's transaction; the events written (None: nothing to apply)."""
        if inbound.set_ari is None and not counts:
            return None
        uow = PmsUnitOfWork(conn, clock=self.clock)
        if inbound.set_ari is not None:
            await handle_set_ari(inbound.set_ari, uow)
        if counts:
            await handle_set_room_counts(
                SetRoomCounts(property=inbound.property, counts=counts, source=partner.id), uow
            )
        rows = [
            outbox_values(
                Envelope[Any](
                    message_type=key,
                    correlation_id=correlation_id,
                    property_code=inbound.property,
                    payload=payload,
                )
            )
            for key, payload in uow.events
            if self.table.for_type(key)
        ]
        await add_to_outbox(conn, rows)
        return len(rows)

    async def availability(
        self, request: OtaRequest, partner: PartnerRecord, book: PartnerCodeBook
    ) -> Answer:
        """Answer an OTA_HotelAvailRQ from the core's live cells (granted hotel already checked)."""
        query = read_avail_query(request, book.partner_codes)
        prop = book.partner_codes.property_for(query.hotel_code)
        local_now = self.clock().astimezone(ZoneInfo(prop.timezone))
        try:
            async with self.reader.connect() as conn:
                cells = await rate_cells(
                    conn,
                    query.property,
                    query.arrival,
                    query.departure,  # the departure day's cells say whether it is closed to departure
                    room_types=sorted(query.room_types) or None,
                    rate_plans=sorted(query.rate_plans) or None,
                )
                rooms = await availability_cells(
                    conn,
                    query.property,
                    query.arrival,
                    query.departure - timedelta(days=1),
                    room_types=sorted(query.room_types) or None,
                )
        except PermanentError as err:
            raise _core_refusal(err) from err
        found = offers(query, cells, rooms, local_now=local_now)
        rooms_named, plans_named = _named_codes(request)
        answer = avail_response(
            query,
            found,
            currency=prop.currency,
            header=echo_header(request),
            partner_room=_partner_code(prop.room_types, rooms_named),
            partner_plan=_partner_code(prop.rate_plans, plans_named),
        )
        return Answer(200, finish(request, answer), "availability", partner.id)


def _complete(inbound: InboundAri, prop: PropertyCodes) -> tuple[AvailabilityCell, ...]:
    """The room counts to apply: a complete set also sets 0 for every mapped room type and night of
    its span it does not name (AlpineBits: what a complete set leaves out is not free)."""
    counts = inbound.availability
    if not inbound.complete_set or not counts:
        return counts
    first = min(cell.night for cell in counts)
    last = max(cell.night for cell in counts)
    given = {(cell.room_type, cell.night) for cell in counts}
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    missing = [
        AvailabilityCell(room_type=room, night=night, available=0)
        for room in sorted(set(prop.room_types.values()))
        for night in span
        if (room, night) not in given
    ]
    return counts + tuple(missing)


def _core_refusal(err: Exception) -> errors.OtaError:
    """A refusal of the PMS core as the OTA error the partner reads (3/320, the core's reason)."""
    return errors.InvalidField(f"not applied: {err}")


def _named_codes(request: OtaRequest) -> tuple[set[str], set[str]]:
    rooms = {code for e in request.root.iter("{*}RoomStayCandidate") if (code := e.get("RoomTypeCode"))}
    plans = {code for e in request.root.iter("{*}RatePlanCandidate") if (code := e.get("RatePlanCode"))}
    return rooms, plans


def _partner_code(partner_to_hub: Mapping[str, str], named: set[str]) -> Callable[[str], str]:
    """Hub code -> the partner code to answer with: one the request named, else the first mapped."""
    reverse: dict[str, str] = {}
    for partner_code, hub_code in partner_to_hub.items():
        if hub_code not in reverse or (partner_code in named and reverse[hub_code] not in named):
            reverse[hub_code] = partner_code
    return lambda hub_code: reverse.get(hub_code, hub_code)


async def _journal(
    conn: AsyncConnection,
    request: OtaRequest,
    partner: PartnerRecord,
    correlation_id: str,
    received_at: datetime,
    body: str,
    outcome: str,
    error: str | None,
) -> None:
    """The raw message's journal row (routes/journal.py keeps bookings' the same way), in `conn`."""
    await conn.execute(
        insert(inbound_messages).values(
            message_id=str(uuid4()),
            partner_id=partner.id,
            protocol="ota",
            message_name=request.message_name,
            correlation_id=correlation_id,
            received_at=received_at,
            body=body,
            outcome=outcome,
            error=error,
            references=[],
        )
    )
