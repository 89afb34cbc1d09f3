"""The folio REST API: open folios, post charges and payments, reverse, transfer, split, route, close.

Operator only. Every write runs the PMS core in one transaction with its outbox rows; with an
`Idempotency-Key` a retry answers the folio as it is now (`Idempotent-Replayed: true`) and posts
nothing more. Bodies and answers are in hub/http_folio_bodies.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ValidationError

from canonical.errors import PermanentError, TransientError
from canonical.folio import CloseFolio, FolioKind, FolioStatement
from hub.ari_outbox import write_routed
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
from hub.http_idempotency import REPLAYED_HEADER, IdempotencyKey, key_scope, replayed_booking_id
from hub.http_pms import SECURED, Caller, PropertyCode
from hub.problems import Problem, field_errors, invalid_problem
from pms_core import folio_handlers as handlers
from pms_core import folio_queries
from pms_core.unit_of_work import PmsUnitOfWork
from routes.idempotency import attach

router = APIRouter(prefix="/api/v1/properties/{code}/folios", tags=["folios"])
T = TypeVar("T")
Use = Callable[[PmsUnitOfWork], Awaitable[T]]


class _Asked(BaseModel):
    """What an idempotency key's fingerprint covers: the operation, its path and its body."""

    operation: str
    body: dict[str, Any]


def _operator_only(caller: str) -> None:
    if caller != "operator":
        raise Problem(403, "forbidden", "Operator only", "folios are read and changed by the operator only")


def _command(make: Callable[[], T]) -> T:
    try:
        return make()
    except ValidationError as err:
        raise invalid_problem("invalid-folio-request", "Invalid request", field_errors(err.errors())) from err


async def _write(
    request: Request,
    response: Response,
    code: str,
    key: str | None,
    asked: _Asked,
    use: Use[T],
    folio_of: Callable[[T], UUID],
    replay: Callable[[UUID], Awaitable[T]],
) -> T:
    """Run a use case in one transaction with its outbox rows and idempotency key; wake delivery."""
    hub = request.app.state.hub
    scope = key_scope("operator", code, key)
    try:
        async with hub.engine.begin() as conn:
            held = (
                None
                if scope is None
                else await replayed_booking_id(conn, scope, asked, hub.settings.idempotency_ttl_hours)
            )
            if held is None:
                uow = PmsUnitOfWork(conn)
                result = await use(uow)
                correlation = request.headers.get("x-correlation-id")
                await write_routed(
                    conn, hub.table, uow.events, property_code=code, correlation_id=correlation
                )
                if scope is not None:
                    await attach(conn, scope, folio_of(result))
    except (PermanentError, TransientError) as err:
        raise folio_problem(err) from err
    if held is not None:
        response.headers[REPLAYED_HEADER] = "true"
        return await replay(held)
    hub.notify()
    return result


async def _statement(request: Request, code: str, folio_id: UUID) -> FolioStatement:
    async with request.app.state.hub.reader.connect() as conn:
        try:
            return await folio_queries.folio_statement(conn, code, folio_id)
        except PermanentError as err:
            raise folio_problem(err) from err


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
    _operator_only(caller)
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
    _operator_only(caller)
    return await _statement(request, code, folio_id)


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
    _operator_only(caller)
    cmd = _command(lambda: body.command(code))
    asked = _Asked(operation="open", body=body.model_dump(mode="json"))
    return await _write(
        request,
        response,
        code,
        idempotency_key,
        asked,
        lambda uow: handlers.handle_open_folio(cmd, uow),
        lambda s: s.folio_id,
        lambda folio: _statement(request, code, folio),
    )


async def _on_folio(
    request: Request,
    response: Response,
    code: str,
    key: str | None,
    operation: str,
    body: BaseModel,
    use: Use[FolioStatement],
) -> FolioStatement:
    asked = _Asked(operation=operation, body=body.model_dump(mode="json"))
    return await _write(
        request,
        response,
        code,
        key,
        asked,
        use,
        lambda s: s.folio_id,
        lambda folio: _statement(request, code, folio),
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
    _operator_only(caller)
    cmd = _command(lambda: body.command(code, folio_id))
    return await _on_folio(
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
    _operator_only(caller)
    cmd = _command(lambda: body.command(code, folio_id))
    return await _on_folio(
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
    _operator_only(caller)
    cmd = _command(lambda: body.command(code, folio_id, line_id))
    return await _on_folio(
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
    _operator_only(caller)
    cmd = _command(lambda: body.command(code, folio_id, line_id))
    return await _on_folio(
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
    _operator_only(caller)
    cmd = _command(lambda: body.command(code, folio_id))
    return await _on_folio(
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
    _operator_only(caller)
    cmd = CloseFolio(property_code=code, folio_id=folio_id)
    return await _on_folio(
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
    _operator_only(caller)
    cmd = _command(lambda: body.command(code, folio_id))

    async def use(uow: PmsUnitOfWork) -> TransferAnswer:
        source, target = await handlers.handle_transfer_lines(cmd, uow)
        return TransferAnswer(source=source, target=target)

    async def replay(_: UUID) -> TransferAnswer:
        return TransferAnswer(
            source=await _statement(request, code, folio_id),
            target=await _statement(request, code, body.to_folio),
        )

    asked = _Asked(operation=f"transfer {folio_id}", body=body.model_dump(mode="json"))
    return await _write(
        request, response, code, idempotency_key, asked, use, lambda a: a.source.folio_id, replay
    )
