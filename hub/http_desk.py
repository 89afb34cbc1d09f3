"""What the front-desk and profile APIs share: request bodies, operator check, refusals as problems,
and a change run in one transaction with its events written to the outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from canonical.errors import PermanentError
from canonical.stay import Housekeeping
from hub.core_changes import core_change
from hub.problems import Problem
from pms_core import errors as pms_errors
from pms_core import stay_errors
from pms_core.unit_of_work import PmsUnitOfWork

T = TypeVar("T")
RoomNumber = Annotated[str, Field(min_length=1, max_length=32)]


class RoomBody(BaseModel):
    """The room to check in to or move to."""

    model_config = ConfigDict(extra="forbid")

    room: RoomNumber


class ExtendBody(BaseModel):
    """The new, later departure date."""

    model_config = ConfigDict(extra="forbid")

    departure: date


class HousekeepingBody(BaseModel):
    """A room's new housekeeping status."""

    model_config = ConfigDict(extra="forbid")

    status: Housekeeping


class CompanyBody(BaseModel):
    """The company profile a booking is billed to (null: none)."""

    model_config = ConfigDict(extra="forbid")

    company_id: UUID | None


def operator_only(caller: str) -> None:
    """Refuse partners: the front desk is the operator's."""
    if caller != "operator":
        raise Problem(403, "forbidden", "Operator only", "stays, rooms and profiles are the operator's")


def problem_of(err: Exception) -> Problem:
    """The problem document of a refusal of the core."""
    if isinstance(err, pms_errors.UnknownProperty):
        return Problem(404, "unknown-property", "Unknown property", str(err))
    if isinstance(err, stay_errors.StayNotFound):
        return Problem(404, "not-found", "Not found", str(err))
    if isinstance(err, stay_errors.RoomOccupied):
        return Problem(409, "room-occupied", "Room occupied", str(err))
    if isinstance(err, stay_errors.RoomNotReady):
        return Problem(409, "room-not-ready", "Room not ready", str(err))
    if isinstance(err, pms_errors.SoldOut):
        return Problem(409, "sold-out", "Sold out", str(err))
    if isinstance(err, stay_errors.StayConflict):
        return Problem(409, "stay-conflict", "Not allowed now", str(err))
    return Problem(422, "stay-refused", "Refused", str(err))


async def change(request: Request, code: str | None, action: Callable[[PmsUnitOfWork], Awaitable[T]]) -> T:
    """Run a use case in one transaction with its events to the outbox; wake the transport after commit."""
    try:
        correlation = request.headers.get("x-correlation-id")
        async with core_change(request.app.state.hub, code, correlation_id=correlation) as uow:
            return await action(uow)
    except PermanentError as err:
        raise problem_of(err) from err


async def _read(request: Request, action: Callable[[Any], Awaitable[T]]) -> T:
    async with request.app.state.hub.reader.connect() as conn:
        try:
            return await action(conn)
        except PermanentError as err:
            raise problem_of(err) from err


async def read(request: Request, action: Callable[[Any], Awaitable[T]]) -> T:
    """Run a read on the hub's reader, its refusals as problems."""
    async with request.app.state.hub.reader.connect() as conn:
        try:
            return await action(conn)
        except PermanentError as err:
            raise problem_of(err) from err
