"""`hotelhub stay` and `hotelhub room`: check guests in, move and check them out; rooms' status."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from canonical.errors import PermanentError
from canonical.stay import Housekeeping, StayStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from pms_core.stay_views import StayView
    from pms_core.unit_of_work import PmsUnitOfWork

# The core is imported by the commands that use it: every other `hotelhub` command would pay for it.

stay_app = typer.Typer(help="Check guests in, move them, check them out; list stays.", no_args_is_help=True)
room_app = typer.Typer(help="Rooms: occupancy and housekeeping status.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)
PLAIN: dict[str, Any] = {"markup": False, "highlight": False, "soft_wrap": True}
T = TypeVar("T")

Property = Annotated[str, typer.Option("--property", help="property code")]
Room = Annotated[str, typer.Option("--room", help="room number")]


def register(app: typer.Typer) -> None:
    """Add `stay` and `room` to the hotelhub command."""
    app.add_typer(stay_app, name="stay")
    app.add_typer(room_app, name="room")


def _run(property_code: str, action: Callable[[PmsUnitOfWork], Awaitable[T]]) -> T:
    """Run a change in one transaction with its events to the outbox; a refusal is one line, exit 1."""
    from hub.ari_outbox import offline_table
    from hub.cli import _database_ready, _settings
    from hub.core_changes import changing
    from hub.db import create_engine

    settings = _settings()
    _database_ready(settings)

    async def main() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with changing(engine, offline_table(engine), property_code or None) as uow:
                return await action(uow)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except PermanentError as err:
        err_console.print(str(err), **PLAIN)
        raise typer.Exit(1) from None


def _read(action: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    async def reading(uow: PmsUnitOfWork) -> T:
        return await action(uow.conn)

    return _run("", reading)


async def _stay_id(uow: PmsUnitOfWork, property_code: str, stay: UUID | None, booking: UUID | None) -> UUID:
    """The stay named, or the one of the booking named."""
    from pms_core.adapters import stays as store
    from pms_core.stay_errors import StayInvalid, StayNotFound

    if stay is not None:
        return stay
    if booking is None:
        raise StayInvalid("name the stay (--stay) or its booking (--booking)")
    found = await store.stay_of_booking(uow.conn, booking)
    if found is None:
        raise StayNotFound(f"booking {booking} in property {property_code!r} is not checked in")
    return found.id


def _show(view: StayView) -> None:
    console.print(
        f"stay {view.id} {view.status.value} room {view.room} ({view.room_type_code})"
        f" {view.arrival.isoformat()} to {view.departure.isoformat()} booking {view.confirmation}",
        **PLAIN,
    )


@stay_app.command("check-in")
def check_in(
    property_code: Property,
    booking: Annotated[UUID, typer.Option("--booking", help="booking id")],
    room: Room,
) -> None:
    """Check a booking's guest in to a vacant, clean or inspected room."""
    from canonical.stay import CheckIn
    from pms_core.stay_handlers import handle_check_in

    cmd = CheckIn(property_code=property_code, booking_id=booking, room=room)
    _show(_run(property_code, lambda uow: handle_check_in(cmd, uow)))


@stay_app.command("move")
def move(
    property_code: Property,
    room: Room,
    stay: Annotated[UUID | None, typer.Option("--stay", help="stay id")] = None,
    booking: Annotated[UUID | None, typer.Option("--booking", help="or the booking id")] = None,
) -> None:
    """Move an in-house stay to another ready room; the room left turns dirty."""
    from canonical.stay import MoveRoom
    from pms_core.stay_handlers import handle_move_room

    async def action(uow: PmsUnitOfWork) -> StayView:
        cmd = MoveRoom(
            property_code=property_code, stay_id=await _stay_id(uow, property_code, stay, booking), room=room
        )
        return await handle_move_room(cmd, uow)

    _show(_run(property_code, action))


@stay_app.command("check-out")
def check_out(
    property_code: Property,
    stay: Annotated[UUID | None, typer.Option("--stay", help="stay id")] = None,
    booking: Annotated[UUID | None, typer.Option("--booking", help="or the booking id")] = None,
    early: Annotated[bool, typer.Option("--early", help="before the booked departure")] = False,
) -> None:
    """Check a guest out (on the departure date, or --early before it); the room turns dirty."""
    from canonical.stay import CheckOut, DepartEarly
    from pms_core.stay_handlers import handle_check_out, handle_depart_early

    async def action(uow: PmsUnitOfWork) -> StayView:
        stay_id = await _stay_id(uow, property_code, stay, booking)
        if early:
            return await handle_depart_early(DepartEarly(property_code=property_code, stay_id=stay_id), uow)
        return await handle_check_out(CheckOut(property_code=property_code, stay_id=stay_id), uow)

    _show(_run(property_code, action))


@stay_app.command("list")
def list_stays(
    property_code: Property,
    status: Annotated[StayStatus | None, typer.Option(help="in_house or checked_out")] = StayStatus.IN_HOUSE,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
) -> None:
    """The property's stays, in house by default."""
    from pms_core.adapters import catalog
    from pms_core.adapters import stays as store
    from pms_core.stay_handlers import stay_view

    async def reading(conn: AsyncConnection) -> list[StayView]:
        prop = await catalog.property_by_code(conn, property_code)
        return [
            stay_view(prop.code, s)
            for s in await store.stays_of(conn, prop.id, status, limit=limit, offset=0)
        ]

    table = Table("stay", "room", "type", "arrival", "departure", "booking", "status")
    for view in _read(reading):
        table.add_row(
            str(view.id),
            view.room,
            view.room_type_code,
            view.arrival.isoformat(),
            view.departure.isoformat(),
            view.confirmation,
            view.status.value,
        )
    console.print(table)


@room_app.command("status")
def room_status(
    property_code: Property,
    room: Annotated[str | None, typer.Option("--room", help="one room only")] = None,
) -> None:
    """Every room (or one) with occupancy, housekeeping and out-of-order status."""
    from pms_core.housekeeping import room_statuses

    table = Table("room", "type", "occupancy", "housekeeping", "out of order", "stay")
    for view in _read(lambda conn: room_statuses(conn, property_code, number=room)):
        table.add_row(
            view.number,
            view.room_type_code,
            view.occupancy.value,
            view.housekeeping.value,
            "yes" if view.out_of_order else "",
            "" if view.stay_id is None else str(view.stay_id),
        )
    console.print(table)


@room_app.command("housekeeping")
def room_housekeeping(
    property_code: Property,
    room: Room,
    status: Annotated[Housekeeping, typer.Option("--status", help="dirty, clean or inspected")],
) -> None:
    """Set a room dirty, clean or inspected."""
    from canonical.stay import SetHousekeeping
    from pms_core.housekeeping import handle_set_housekeeping

    cmd = SetHousekeeping(property_code=property_code, room=room, status=status)
    view = _run(property_code, lambda uow: handle_set_housekeeping(cmd, uow))
    console.print(f"room {view.number} {view.occupancy.value} {view.housekeeping.value}", **PLAIN)
