"""How the folio REST API runs a change: one transaction with its outbox rows and its idempotency
key, the PMS core's refusals as problem documents, delivery woken after the commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

from fastapi import Request, Response
from pydantic import BaseModel, ValidationError

from canonical.errors import PermanentError, TransientError
from canonical.folio import FolioStatement
from hub.core_changes import core_change
from hub.http_folio_bodies import folio_problem
from hub.http_idempotency import REPLAYED_HEADER, key_scope, replayed_booking_id
from hub.problems import Problem, field_errors, invalid_problem
from pms_core import folio_queries
from pms_core.unit_of_work import PmsUnitOfWork
from routes.idempotency import attach

T = TypeVar("T")
Use = Callable[[PmsUnitOfWork], Awaitable[T]]


class Asked(BaseModel):
    """What an idempotency key's fingerprint covers: the operation, its path and its body."""

    operation: str
    body: dict[str, Any]


def operator_only(caller: str) -> None:
    """403 unless the operator calls."""
    if caller != "operator":
        raise Problem(403, "forbidden", "Operator only", "folios are read and changed by the operator only")


def command(make: Callable[[], T]) -> T:
    """The canonical command `make` builds, or a 422 problem naming each field it refused."""
    try:
        return make()
    except ValidationError as err:
        raise invalid_problem("invalid-folio-request", "Invalid request", field_errors(err.errors())) from err


async def write(
    request: Request,
    response: Response,
    code: str,
    key: str | None,
    asked: Asked,
    use: Use[T],
    folio_of: Callable[[T], UUID],
    replay: Callable[[UUID], Awaitable[T]],
) -> T:
    """Run a use case in one transaction with its outbox rows and idempotency key; wake delivery."""
    hub = request.app.state.hub
    scope = key_scope("operator", code, key)
    try:
        async with core_change(hub, code, correlation_id=request.headers.get("x-correlation-id")) as uow:
            held = (
                None
                if scope is None
                else await replayed_booking_id(uow.conn, scope, asked, hub.settings.idempotency_ttl_hours)
            )
            if held is None:
                result = await use(uow)
                if scope is not None:
                    await attach(uow.conn, scope, folio_of(result))
    except (PermanentError, TransientError) as err:
        raise folio_problem(err) from err
    if held is not None:
        response.headers[REPLAYED_HEADER] = "true"
        return await replay(held)
    return result


async def statement(request: Request, code: str, folio_id: UUID) -> FolioStatement:
    """A folio as it is now, read on the hub's reader; a problem document if there is none."""
    async with request.app.state.hub.reader.connect() as conn:
        try:
            return await folio_queries.folio_statement(conn, code, folio_id)
        except PermanentError as err:
            raise folio_problem(err) from err


async def on_folio(
    request: Request,
    response: Response,
    code: str,
    key: str | None,
    operation: str,
    body: BaseModel,
    use: Use[FolioStatement],
) -> FolioStatement:
    """`write` for a use case answering one folio (the key remembers that folio)."""
    asked = Asked(operation=operation, body=body.model_dump(mode="json"))
    return await write(
        request,
        response,
        code,
        key,
        asked,
        use,
        lambda s: s.folio_id,
        lambda folio: statement(request, code, folio),
    )
