"""The folio REST API: open folios, post charges and payments, reverse, transfer, split, route, close.

Operator only. Every write runs the PMS core in one transaction with its outbox rows; with an
`Idempotency-Key` a retry answers the folio as it is now (`Idempotent-Replayed: true`) and posts
nothing more. Bodies and answers: hub/http_folio_bodies.py; the transaction: hub/http_folio_writes.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from canonical.errors import PermanentError
from canonical.folio import CloseFolio, FolioKind, FolioStatement
from hub.http_folio_bodies import (
    ChargeBody,
    OpenFolioBody,
    PaymentBody,
    ReverseBody,
    RouteBody,
    SplitBody,
    TransferAnswer,
    TransferBody,
    folio_problem,
    responses,
)
from hub.http_folio_writes import Asked, command, on_folio, operator_only, statement, write
from hub.http_idempotency import IdempotencyKey
from hub.http_pms import SECURED, Caller, PropertyCode
from pms_core import folio_handlers as handlers
from pms_core import folio_queries
from pms_core.unit_of_work import PmsUnitOfWork

router = APIRouter(prefix="/api/v1/properties/{code}/folios", tags=["folios"])


def _folio_write(operation: str, status: int = 201) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return router.post(
        operation,
        status_code=status,
        response_model=FolioStatement,
        responses=responses(400, 401, 403, 404, 409, 422),
        openapi_extra=SECURED,
    )


@router.get(
    "", response_model=list[FolioStatement], responses=responses(401, 403, 404, 422), openapi_extra=SECURED
)
async def list_folios(
    request: Request,
    code: PropertyCode,
    caller: Caller,
    booking: UUID | None = None,
    kind: FolioKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[FolioStatement]:
    """The property's folios, oldest first: of one booking, of one kind, or all, a page at a time."""
    operator_only(caller)
    async with request.app.state.hub.reader.connect() as conn:
        try:
            return await folio_queries.folio_statements(
                conn, code, booking_id=booking, kind=kind, limit=limit, offset=offset
            )
        except PermanentError as err:
            raise folio_problem(err) from err


@router.get(
    "/{folio_id}", response_model=FolioStatement, responses=responses(401, 403, 404), openapi_extra=SECURED
)
async def get_folio(request: Request, code: PropertyCode, folio_id: UUID, caller: Caller) -> FolioStatement:
    """One folio: its lines in posting order, balance, totals and routing instructions."""
    operator_only(caller)
    return await statement(request, code, folio_id)


@_folio_write("")
async def post_folio(
    request: Request,
    response: Response,
    code: PropertyCode,
    body: OpenFolioBody,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> FolioStatement:
    """Open a folio: a guest folio of a booking, a master folio, or a company folio."""
    operator_only(caller)
    cmd = command(lambda: body.command(code))
    asked = Asked(operation="open", body=body.model_dump(mode="json"))
    return await write(
        request,
        response,
        code,
        idempotency_key,
        asked,
        lambda uow: handlers.handle_open_folio(cmd, uow),
        lambda s: s.folio_id,
        lambda folio: statement(request, code, folio),
    )


@_folio_write("/{folio_id}/charges")
async def post_charge(
    request: Request,
    response: Response,
    code: PropertyCode,
    folio_id: UUID,
    body: ChargeBody,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> FolioStatement:
    """Post a charge with its taxes; answers the folio that took it (another one, when routed)."""
    operator_only(caller)
    cmd = command(lambda: body.command(code, folio_id))
    return await on_folio(
        request,
        response,
        code,
        idempotency_key,
        f"charge {folio_id}",
        body,
        lambda uow: handlers.handle_post_charge(cmd, uow),
    )


@_folio_write("/{folio_id}/payments")
async def post_payment(
    request: Request,
    response: Response,
    code: PropertyCode,
    folio_id: UUID,
    body: PaymentBody,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> FolioStatement:
    """Post a payment received (a negative amount: a refund) with its method's transaction code."""
    operator_only(caller)
    cmd = command(lambda: body.command(code, folio_id))
    return await on_folio(
        request,
        response,
        code,
        idempotency_key,
        f"payment {folio_id}",
        body,
        lambda uow: handlers.handle_post_payment(cmd, uow),
    )


@_folio_write("/{folio_id}/lines/{line_id}/reverse")
async def post_reversal(
    request: Request,
    response: Response,
    code: PropertyCode,
    folio_id: UUID,
    line_id: UUID,
    body: ReverseBody,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> FolioStatement:
    """Reverse a charge (with its taxes) or a payment: lines negating it, the original kept."""
    operator_only(caller)
    cmd = command(lambda: body.command(code, folio_id, line_id))
    return await on_folio(
        request,
        response,
        code,
        idempotency_key,
        f"reverse {folio_id} {line_id}",
        body,
        lambda uow: handlers.handle_reverse_line(cmd, uow),
    )


@_folio_write("/{folio_id}/lines/{line_id}/split")
async def post_split(
    request: Request,
    response: Response,
    code: PropertyCode,
    folio_id: UUID,
    line_id: UUID,
    body: SplitBody,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> FolioStatement:
    """Split a line into parts adding up to it, or `into` equal parts; taxes shared in proportion."""
    operator_only(caller)
    cmd = command(lambda: body.command(code, folio_id, line_id))
    return await on_folio(
        request,
        response,
        code,
        idempotency_key,
        f"split {folio_id} {line_id}",
        body,
        lambda uow: handlers.handle_split_line(cmd, uow),
    )


@_folio_write("/{folio_id}/routes")
async def post_route(
    request: Request,
    response: Response,
    code: PropertyCode,
    folio_id: UUID,
    body: RouteBody,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> FolioStatement:
    """Route charges of these codes or departments, posted to this folio, to another folio."""
    operator_only(caller)
    cmd = command(lambda: body.command(code, folio_id))
    return await on_folio(
        request,
        response,
        code,
        idempotency_key,
        f"route {folio_id}",
        body,
        lambda uow: handlers.handle_route_charges(cmd, uow),
    )


@_folio_write("/{folio_id}/close", status=200)
async def post_close(
    request: Request,
    response: Response,
    code: PropertyCode,
    folio_id: UUID,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> FolioStatement:
    """Close a folio at zero balance with the property's next invoice number; 409 otherwise."""
    operator_only(caller)
    cmd = CloseFolio(property_code=code, folio_id=folio_id)
    return await on_folio(
        request,
        response,
        code,
        idempotency_key,
        f"close {folio_id}",
        cmd,
        lambda uow: handlers.handle_close_folio(cmd, uow),
    )


@router.post(
    "/{folio_id}/transfers",
    status_code=201,
    response_model=TransferAnswer,
    responses=responses(400, 401, 403, 404, 409, 422),
    openapi_extra=SECURED,
)
async def post_transfer(
    request: Request,
    response: Response,
    code: PropertyCode,
    folio_id: UUID,
    body: TransferBody,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> TransferAnswer:
    """Move lines (a charge goes with its taxes) to another open folio; answers both folios."""
    operator_only(caller)
    cmd = command(lambda: body.command(code, folio_id))

    async def use(uow: PmsUnitOfWork) -> TransferAnswer:
        source, target = await handlers.handle_transfer_lines(cmd, uow)
        return TransferAnswer(source=source, target=target)

    async def replay(_: UUID) -> TransferAnswer:
        return TransferAnswer(
            source=await statement(request, code, folio_id),
            target=await statement(request, code, body.to_folio),
        )

    asked = Asked(operation=f"transfer {folio_id}", body=body.model_dump(mode="json"))
    return await write(
        request, response, code, idempotency_key, asked, use, lambda a: a.source.folio_id, replay
    )
