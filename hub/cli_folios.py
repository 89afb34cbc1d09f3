"""`hotelhub folio`: show, list, open, post (a charge or a payment, by its code), reverse, close."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from uuid import UUID

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from canonical.errors import PermanentError, TransientError
from canonical.folio import FolioKind, FolioStatement

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from pms_core.unit_of_work import PmsUnitOfWork

# The core is imported by the commands that use it: other `hotelhub` commands start faster.

folio_app = typer.Typer(
    help="Folios: show, list, open, post charges and payments, reverse, close.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)
PLAIN: dict[str, Any] = {"markup": False, "highlight": False, "soft_wrap": True}
T = TypeVar("T")

AsJson = Annotated[bool, typer.Option("--json", help="print the folio as JSON")]
FolioId = Annotated[UUID, typer.Argument(metavar="FOLIO", help="the folio's id")]


def _fail(line: str, status: int = 1) -> typer.Exit:
    err_console.print(line, **PLAIN)
    return typer.Exit(status)


def _run(action: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """Run `action` in one transaction on the configured database; a refusal is one line, exit 1."""
    from hub.cli import _database_ready, _settings
    from hub.db import create_engine

    settings = _settings()
    _database_ready(settings)

    async def main() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                return await action(conn)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except (PermanentError, TransientError) as err:
        raise _fail(str(err)) from None
    except ValidationError as err:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise _fail(reasons, 2) from None


def _change(
    folio_id: UUID | None, property_code: str | None, use: Callable[[PmsUnitOfWork, str], Awaitable[T]]
) -> T:
    """Run a use case on the folio's property with its events written to the outbox, if routed."""

    async def change(conn: AsyncConnection) -> T:
        from hub.ari_outbox import offline_table
        from hub.core_changes import changing_in
        from pms_core.folio_queries import property_of

        code = property_code or (await property_of(conn, folio_id) if folio_id else None)
        if code is None:
            raise _fail(f"no folio {folio_id}")
        async with changing_in(conn, offline_table(conn.engine), code) as uow:
            return await use(uow, code)

    return _run(change)


def _print(statement: FolioStatement, as_json: bool) -> None:
    if as_json:
        console.print_json(statement.model_dump_json())
        return
    table = Table(box=None, pad_edge=False)
    for column in ("#", "date", "kind", "code", "description", "qty", "amount"):
        table.add_column(column, justify="right" if column in ("#", "qty", "amount") else "left")
    for line in statement.lines:
        table.add_row(
            str(line.seq),
            line.business_date.isoformat(),
            line.kind.value,
            line.transaction_code,
            line.description,
            str(line.quantity),
            f"{line.amount}",
        )
    number = f", invoice {statement.invoice_number}" if statement.invoice_number else ""
    console.print(
        f"folio {statement.folio_id} ({statement.kind.value}, {statement.status.value}{number})", **PLAIN
    )
    console.print(table)
    console.print(f"balance {statement.balance} {statement.currency}", **PLAIN)


@folio_app.command("show")
def folio_show(folio_id: FolioId, as_json: AsJson = False) -> None:
    """A folio's lines, balance and status."""
    from pms_core.folio_queries import folio_statement, property_of

    async def show(conn: AsyncConnection) -> FolioStatement:
        code = await property_of(conn, folio_id)
        if code is None:
            raise _fail(f"no folio {folio_id}")
        return await folio_statement(conn, code, folio_id)

    _print(_run(show), as_json)


@folio_app.command("list")
def folio_list(
    property_code: Annotated[str, typer.Argument(metavar="PROPERTY")],
    booking: Annotated[UUID | None, typer.Option(help="the booking's folios only")] = None,
) -> None:
    """The property's folios (of one booking): id, kind, status, balance."""
    from pms_core.folio_queries import folio_statements

    found = _run(lambda conn: folio_statements(conn, property_code, booking_id=booking, limit=500))
    for folio in found:
        console.print(
            f"{folio.folio_id} {folio.kind.value} {folio.status.value} {folio.balance} {folio.currency}",
            **PLAIN,
        )


@folio_app.command("open")
def folio_open(
    property_code: Annotated[str, typer.Argument(metavar="PROPERTY")],
    kind: Annotated[FolioKind, typer.Option(help="guest, master or company")],
    booking: Annotated[UUID | None, typer.Option(help="the booking (a guest folio needs one)")] = None,
    name: Annotated[str | None, typer.Option(help="a name to show, e.g. the company's")] = None,
) -> None:
    """Open a folio; prints its id."""
    from canonical.folio import OpenFolio
    from pms_core.folio_handlers import handle_open_folio

    def use(uow: PmsUnitOfWork, code: str) -> Awaitable[FolioStatement]:
        return handle_open_folio(OpenFolio(property_code=code, kind=kind, booking_id=booking, name=name), uow)

    console.print(str(_change(None, property_code, use).folio_id), **PLAIN)


@folio_app.command("post")
def folio_post(
    folio_id: FolioId,
    code: Annotated[
        str, typer.Argument(metavar="CODE", help="a charge code (ROOM) or a payment code (CASH)")
    ],
    amount: Annotated[
        Decimal, typer.Argument(metavar="AMOUNT", help="unit price of a charge, or the sum paid")
    ],
    quantity: Annotated[int, typer.Option(min=1, help="units of a charge")] = 1,
    persons: Annotated[int, typer.Option(min=1, help="persons, for taxes per person-night")] = 1,
    description: Annotated[str | None, typer.Option()] = None,
    reference: Annotated[str | None, typer.Option(help="a POS check, a gateway's reference")] = None,
    as_json: AsJson = False,
) -> None:
    """Post a charge (with its taxes, as routed) or a payment, as the code's kind says."""
    from canonical.folio import PostCharge, PostPayment
    from canonical.folio_codes import CodeKind
    from pms_core import folio_handlers as handlers
    from pms_core.folio_queries import transaction_codes

    async def use(uow: PmsUnitOfWork, prop: str) -> FolioStatement:
        found = (await transaction_codes(uow.conn, prop)).find(code)
        if found is not None and found.kind is CodeKind.PAYMENT:
            pay = PostPayment(
                property_code=prop, folio_id=folio_id, method=code, amount=amount, reference=reference
            )
            return await handlers.handle_post_payment(pay, uow)
        charge = PostCharge(
            property_code=prop,
            folio_id=folio_id,
            transaction_code=code,
            unit_amount=amount,
            quantity=quantity,
            persons=persons,
            description=description,
            reference=reference,
        )
        return await handlers.handle_post_charge(charge, uow)

    _print(_change(folio_id, None, use), as_json)


@folio_app.command("reverse")
def folio_reverse(
    folio_id: FolioId,
    line_id: Annotated[UUID, typer.Argument(metavar="LINE")],
    reason: Annotated[str, typer.Option(help="why (kept on the reversal line)")],
    as_json: AsJson = False,
) -> None:
    """Reverse a charge (with its taxes) or a payment."""
    from canonical.folio import ReverseLine
    from pms_core.folio_handlers import handle_reverse_line

    def use(uow: PmsUnitOfWork, prop: str) -> Awaitable[FolioStatement]:
        cmd = ReverseLine(property_code=prop, folio_id=folio_id, line_id=line_id, reason=reason)
        return handle_reverse_line(cmd, uow)

    _print(_change(folio_id, None, use), as_json)


@folio_app.command("close")
def folio_close(folio_id: FolioId, as_json: AsJson = False) -> None:
    """Close a folio at zero balance with the property's next invoice number."""
    from canonical.folio import CloseFolio
    from pms_core.folio_handlers import handle_close_folio

    def use(uow: PmsUnitOfWork, prop: str) -> Awaitable[FolioStatement]:
        return handle_close_folio(CloseFolio(property_code=prop, folio_id=folio_id), uow)

    _print(_change(folio_id, None, use), as_json)
