"""`hotelhub ari`: set and show rates, restrictions and availability; rooms out of order."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from canonical.ari import AriPatch, RatesPatch, RestrictionsPatch, SetAri, Weekday
from canonical.errors import PermanentError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from pms_core.unit_of_work import PmsUnitOfWork
    from routes.table import RoutingTable

# The core and the routes are imported by the commands that use them: every other `hotelhub`
# command would otherwise pay for importing them at start.

ari_app = typer.Typer(help="Rates, restrictions and availability; rooms out of order.", no_args_is_help=True)
out_of_order_app = typer.Typer(help="Take rooms out of inventory and put them back.", no_args_is_help=True)
ari_app.add_typer(out_of_order_app, name="out-of-order")

console = Console()
err_console = Console(stderr=True)
PLAIN: dict[str, Any] = {"markup": False, "highlight": False, "soft_wrap": True}
DAYS = {day.name.lower(): day for day in Weekday}
T = TypeVar("T")

From = Annotated[date, typer.Option("--from", help="first night (YYYY-MM-DD)", formats=["%Y-%m-%d"])]
To = Annotated[date, typer.Option("--to", help="last night, included (YYYY-MM-DD)", formats=["%Y-%m-%d"])]


def _fail(line: str, status: int = 1) -> typer.Exit:
    err_console.print(line, **PLAIN)
    return typer.Exit(status)


def _run(action: Callable[[AsyncConnection, RoutingTable], Awaitable[T]]) -> T:
    """Run `action` in one transaction on the configured database; a refusal is one line, exit 1."""
    from hub.ari_outbox import offline_table
    from hub.cli import _database_ready, _settings
    from hub.db import create_engine

    settings = _settings()
    _database_ready(settings)

    async def main() -> T:
        engine = create_engine(settings.database_url)
        try:
            table = offline_table(engine)
            async with engine.begin() as conn:
                return await action(conn, table)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except (PermanentError, ValueError) as err:
        raise _fail(str(err)) from None


def _change(property_code: str, action: Callable[[PmsUnitOfWork], Awaitable[T]]) -> T:
    """Run one change of the core in one transaction, its routed events written to the outbox with it."""

    async def change(conn: AsyncConnection, table: RoutingTable) -> T:
        from hub.core_changes import changing_in

        async with changing_in(conn, table, property_code) as uow:
            return await action(uow)

    return _run(change)


def _days(text: str | None) -> frozenset[Weekday]:
    if text is None:
        return frozenset(Weekday)
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in DAYS]
    if unknown or not names:
        raise _fail(
            f"--days: {', '.join(unknown) or text!r} not a weekday; use mon,tue,wed,thu,fri,sat,sun", 2
        )
    return frozenset(DAYS[name] for name in names)


def _occupancy(values: list[str]) -> tuple[tuple[int, Decimal], ...] | None:
    if not values:
        return None
    pairs = []
    for value in values:
        guests, _, amount = value.partition("=")
        try:
            pairs.append((int(guests), Decimal(amount)))
        except (ValueError, InvalidOperation):
            raise _fail(f"--occupancy {value!r}: write GUESTS=AMOUNT, e.g. 2=120", 2) from None
    return tuple(sorted(pairs))


def _cutoff(text: str | None) -> time | None:
    if text is None:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise _fail(f"--cutoff {text!r}: write HH:MM", 2) from None


@ari_app.command("set")
def ari_set(
    property_code: Annotated[str, typer.Argument(metavar="PROPERTY")],
    room_type: Annotated[str, typer.Option("--room-type", help="room type code")],
    first: From,
    last: To,
    rate_plan: Annotated[
        str | None, typer.Option("--rate-plan", help="rate plan (default: every plan)")
    ] = None,
    days: Annotated[str | None, typer.Option(help="only these weekdays, e.g. mon,fri")] = None,
    amount: Annotated[Decimal | None, typer.Option(help="nightly amount")] = None,
    occupancy: Annotated[list[str], typer.Option(help="GUESTS=AMOUNT, repeatable")] = [],  # noqa: B006
    extra_adult: Annotated[Decimal | None, typer.Option()] = None,
    extra_child: Annotated[Decimal | None, typer.Option()] = None,
    min_los: Annotated[int | None, typer.Option()] = None,
    max_los: Annotated[int | None, typer.Option()] = None,
    min_los_through: Annotated[int | None, typer.Option()] = None,
    max_los_through: Annotated[int | None, typer.Option()] = None,
    min_advance: Annotated[int | None, typer.Option(help="min days between booking and arrival")] = None,
    max_advance: Annotated[int | None, typer.Option(help="max days between booking and arrival")] = None,
    cutoff: Annotated[str | None, typer.Option(help="same-day cut-off, HH:MM local time")] = None,
    closed: Annotated[bool | None, typer.Option("--closed/--open", help="stop-sell")] = None,
    cta: Annotated[bool | None, typer.Option("--cta/--no-cta", help="closed to arrival")] = None,
    ctd: Annotated[bool | None, typer.Option("--ctd/--no-ctd", help="closed to departure")] = None,
    clear: Annotated[list[str], typer.Option(help="unset a field, e.g. min_los; repeatable")] = [],  # noqa: B006
) -> None:
    """Set rates and restrictions over a range of nights (on the weekdays given)."""
    try:
        rates = RatesPatch(
            amount=amount,
            by_occupancy=_occupancy(occupancy),
            extra_adult=extra_adult,
            extra_child=extra_child,
        )
        restrictions = RestrictionsPatch(
            closed=closed,
            closed_to_arrival=cta,
            closed_to_departure=ctd,
            min_los=min_los,
            max_los=max_los,
            min_los_through=min_los_through,
            max_los_through=max_los_through,
            min_advance_days=min_advance,
            max_advance_days=max_advance,
            same_day_cutoff=_cutoff(cutoff),
        )
        patch = AriPatch(
            room_type=room_type,
            rate_plan=rate_plan,
            first_night=first,
            last_night=last,
            weekdays=_days(days),
            rates=rates if rates != RatesPatch() else None,
            restrictions=restrictions if restrictions != RestrictionsPatch() else None,
            clear=frozenset(clear),
        )
    except ValidationError as err:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'patch'}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in err.errors()
        )
        raise _fail(reasons, 2) from None

    async def apply(uow: PmsUnitOfWork) -> Any:
        from pms_core.ari import handle_set_ari

        return await handle_set_ari(SetAri(property=property_code, patches=(patch,)), uow)

    outcome = _change(property_code, apply)
    console.print(f"{outcome.cells} cell(s) on {outcome.nights} night(s) changed", **PLAIN)
    for event in outcome.events:
        kinds = ",".join(sorted(event.kinds))
        span = f"{event.first_night}..{event.last_night}"
        console.print(f"  {event.room_type} {event.rate_plan} {span} {kinds}", **PLAIN)


def _flags(restrictions: Any) -> str:
    flags = [
        name
        for name, on in (
            ("closed", restrictions.closed),
            ("CTA", restrictions.closed_to_arrival),
            ("CTD", restrictions.closed_to_departure),
        )
        if on
    ]
    return " ".join(flags)


def _los(low: int | None, high: int | None) -> str:
    return "" if low is None and high is None else f"{low or ''}-{high or ''}"


@ari_app.command("show")
def ari_show(
    property_code: Annotated[str, typer.Argument(metavar="PROPERTY")],
    first: From,
    last: To,
    room_type: Annotated[list[str], typer.Option("--room-type", help="only these, repeatable")] = [],  # noqa: B006
    rate_plan: Annotated[list[str], typer.Option("--rate-plan", help="only these, repeatable")] = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Resolved rates and restrictions with rooms left, one line per room type, rate plan and night."""

    async def read(conn: AsyncConnection, table: RoutingTable) -> Any:
        from pms_core.ari import availability_cells, rate_cells

        types = room_type or None
        rates = await rate_cells(
            conn, property_code, first, last, room_types=types, rate_plans=rate_plan or None
        )
        rooms = await availability_cells(conn, property_code, first, last, room_types=types)
        return rates, rooms

    rates, rooms = _run(read)
    left = {(cell.room_type, cell.night): cell.available for cell in rooms}
    if as_json:
        body = {
            "rates": [c.model_dump(mode="json") for c in rates],
            "availability": [c.model_dump(mode="json") for c in rooms],
        }
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
        return
    table = Table(box=None, pad_edge=False)
    for name, justify in (("night", "left"), ("type", "left"), ("plan", "left"), ("left", "right")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for name in ("amount", "by guests", "LOS", "LOS thr", "flags"):
        table.add_column(name, no_wrap=True, overflow="ellipsis")
    for cell in rates:
        r, s = cell.rates, cell.restrictions
        guests = " ".join(f"{count}:{value}" for count, value in r.by_occupancy)
        table.add_row(
            f"{cell.night:%a %Y-%m-%d}",
            cell.room_type,
            cell.rate_plan,
            str(left.get((cell.room_type, cell.night), "")),
            "" if r.amount is None else str(r.amount),
            guests,
            _los(s.min_los, s.max_los),
            _los(s.min_los_through, s.max_los_through),
            _flags(s),
        )
    console.print(table)


@out_of_order_app.command("add")
def out_of_order_add(
    property_code: Annotated[str, typer.Argument(metavar="PROPERTY")],
    room: Annotated[str, typer.Option(help="room number")],
    first: From,
    last: To,
    reason: Annotated[str, typer.Option(help="why the room is out of order")],
) -> None:
    """Take one room out of inventory for a range of nights."""

    async def add(uow: PmsUnitOfWork) -> Any:
        from pms_core.out_of_order import take_out_of_order

        return await take_out_of_order(uow, property_code, room, first, last, reason)

    view = _change(property_code, add)
    console.print(
        f"out of order {view.id}: room {view.room} ({view.room_type_code}) {first}..{last}", **PLAIN
    )


@out_of_order_app.command("remove")
def out_of_order_remove(
    property_code: Annotated[str, typer.Argument(metavar="PROPERTY")],
    range_id: Annotated[int, typer.Argument(metavar="ID")],
) -> None:
    """Put the room of one out-of-order range back into inventory."""

    async def remove(uow: PmsUnitOfWork) -> Any:
        from pms_core.out_of_order import put_back

        return await put_back(uow, property_code, range_id)

    view = _change(property_code, remove)
    console.print(f"room {view.room} back in inventory for {view.first_night}..{view.last_night}", **PLAIN)


@out_of_order_app.command("list")
def out_of_order_list(property_code: Annotated[str, typer.Argument(metavar="PROPERTY")]) -> None:
    """Every out-of-order range of the property."""

    async def listing(conn: AsyncConnection, table: RoutingTable) -> Any:
        from pms_core.out_of_order import list_out_of_order

        return await list_out_of_order(conn, property_code)

    table = Table(box=None, pad_edge=False)
    for name in ("id", "room", "type", "from", "to", "reason"):
        table.add_column(name, no_wrap=name != "reason")
    for view in _run(listing):
        table.add_row(
            str(view.id),
            view.room,
            view.room_type_code,
            str(view.first_night),
            str(view.last_night),
            view.reason,
        )
    console.print(table)
