"""The front-desk REST API: check-in, room move, extension, departures, no-shows; rooms and housekeeping.

Operator only. Every refusal is a problem document: 404 for an unknown property, booking, stay or
room, 409 for a room occupied or not ready, a night sold out or a stay in the wrong state, 422 for
a request that cannot be right. Events go to the outbox in the change's own transaction.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from canonical.profile import BookingProfiles
from canonical.stay import (
    CancelStay,
    CheckIn,
    CheckOut,
    DepartEarly,
    ExtendStay,
    MarkNoShow,
    MoveRoom,
    SetHousekeeping,
    StayStatus,
)
from hub import http_profiles
from hub.http_desk import (
    CompanyBody,
    ExtendBody,
    HousekeepingBody,
    RoomBody,
    change,
    operator_only,
    read,
)
from hub.http_pms import SECURED, Caller, PropertyCode
from hub.openapi import problem_responses
from pms_core import stay_errors
from pms_core.adapters import catalog
from pms_core.adapters import stays as stay_store
from pms_core.housekeeping import handle_set_housekeeping, room_statuses
from pms_core.profiles import link_company
from pms_core.stay_handlers import (
    handle_cancel_stay,
    handle_check_in,
    handle_check_out,
    handle_depart_early,
    handle_extend_stay,
    handle_mark_no_show,
    handle_move_room,
    stay_view,
)
from pms_core.stay_views import RoomStatusView, StayView
from pms_core.views import BookingView

router = APIRouter(prefix="/api/v1", tags=["stays"])
router.include_router(http_profiles.router)
STAY_PROBLEMS = problem_responses(400, 401, 403, 404, 409, 422)


@router.post(
    "/properties/{code}/bookings/{booking_id}/check-in",
    status_code=201,
    response_model=StayView,
    responses=STAY_PROBLEMS,
    openapi_extra=SECURED,
)
async def post_check_in(
    request: Request, code: PropertyCode, booking_id: UUID, body: RoomBody, caller: Caller
) -> StayView:
    """Check the booking's guest in to a vacant, clean or inspected room (409 when occupied or dirty)."""
    operator_only(caller)
    cmd = CheckIn(property_code=code, booking_id=booking_id, room=body.room)
    return await change(request, code, lambda uow: handle_check_in(cmd, uow))


@router.post(
    "/properties/{code}/stays/{stay_id}/move",
    response_model=StayView,
    responses=STAY_PROBLEMS,
    openapi_extra=SECURED,
)
async def post_move(
    request: Request, code: PropertyCode, stay_id: UUID, body: RoomBody, caller: Caller
) -> StayView:
    """Move an in-house stay to another ready room from tonight on; the room left turns dirty."""
    operator_only(caller)
    cmd = MoveRoom(property_code=code, stay_id=stay_id, room=body.room)
    return await change(request, code, lambda uow: handle_move_room(cmd, uow))


@router.post(
    "/properties/{code}/stays/{stay_id}/extend",
    response_model=StayView,
    responses=STAY_PROBLEMS,
    openapi_extra=SECURED,
)
async def post_extend(
    request: Request, code: PropertyCode, stay_id: UUID, body: ExtendBody, caller: Caller
) -> StayView:
    """Keep the guest until a later departure (409 when a night is sold out)."""
    operator_only(caller)
    cmd = ExtendStay(property_code=code, stay_id=stay_id, departure=body.departure)
    return await change(request, code, lambda uow: handle_extend_stay(cmd, uow))


@router.post(
    "/properties/{code}/stays/{stay_id}/check-out",
    response_model=StayView,
    responses=STAY_PROBLEMS,
    openapi_extra=SECURED,
)
async def post_check_out(request: Request, code: PropertyCode, stay_id: UUID, caller: Caller) -> StayView:
    """Check the guest out on (or after) the departure date; the room turns vacant and dirty."""
    operator_only(caller)
    cmd = CheckOut(property_code=code, stay_id=stay_id)
    return await change(request, code, lambda uow: handle_check_out(cmd, uow))


@router.post(
    "/properties/{code}/stays/{stay_id}/early-departure",
    response_model=StayView,
    responses=STAY_PROBLEMS,
    openapi_extra=SECURED,
)
async def post_early_departure(
    request: Request, code: PropertyCode, stay_id: UUID, caller: Caller
) -> StayView:
    """Check the guest out before the booked departure; the nights left go back on sale."""
    operator_only(caller)
    cmd = DepartEarly(property_code=code, stay_id=stay_id)
    return await change(request, code, lambda uow: handle_depart_early(cmd, uow))


@router.post(
    "/properties/{code}/bookings/{booking_id}/no-show",
    response_model=BookingView,
    responses=STAY_PROBLEMS,
    openapi_extra=SECURED,
)
async def post_no_show(request: Request, code: PropertyCode, booking_id: UUID, caller: Caller) -> BookingView:
    """Mark a booking whose guest did not arrive a no-show; its nights go back on sale."""
    operator_only(caller)
    cmd = MarkNoShow(property_code=code, booking_id=booking_id)
    return await change(request, code, lambda uow: handle_mark_no_show(cmd, uow))


@router.post(
    "/properties/{code}/bookings/{booking_id}/cancel-stay",
    response_model=BookingView,
    responses=STAY_PROBLEMS,
    openapi_extra=SECURED,
)
async def post_cancel_stay(
    request: Request, code: PropertyCode, booking_id: UUID, caller: Caller
) -> BookingView:
    """Cancel a booking not yet checked in (409 once the guest is in house)."""
    operator_only(caller)
    cmd = CancelStay(property_code=code, booking_id=booking_id)
    return await change(request, code, lambda uow: handle_cancel_stay(cmd, uow))


@router.put(
    "/properties/{code}/bookings/{booking_id}/company",
    response_model=BookingProfiles,
    responses=STAY_PROBLEMS,
    openapi_extra=SECURED,
)
async def put_booking_company(
    request: Request, code: PropertyCode, booking_id: UUID, body: CompanyBody, caller: Caller
) -> BookingProfiles:
    """Bill a booking to a company profile (`company_id: null` to unlink)."""
    operator_only(caller)
    return await change(request, code, lambda uow: link_company(uow, code, booking_id, body.company_id))


@router.get(
    "/properties/{code}/stays",
    response_model=list[StayView],
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def get_stays(
    request: Request,
    code: PropertyCode,
    caller: Caller,
    status: StayStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[StayView]:
    """The property's stays (`status=in_house` for the guests in house), newest check-in first."""
    operator_only(caller)

    async def reading(conn: Any) -> list[StayView]:
        prop = await catalog.property_by_code(conn, code)
        found = await stay_store.stays_of(conn, prop.id, status, limit=limit, offset=offset)
        return [stay_view(prop.code, stay) for stay in found]

    return await read(request, reading)


@router.get(
    "/properties/{code}/stays/{stay_id}",
    response_model=StayView,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def get_stay(request: Request, code: PropertyCode, stay_id: UUID, caller: Caller) -> StayView:
    """One stay."""
    operator_only(caller)

    async def reading(conn: Any) -> StayView:
        prop = await catalog.property_by_code(conn, code)
        found = await stay_store.stay(conn, prop.id, stay_id, lock=False)
        if found is None:
            raise stay_errors.StayNotFound(f"no stay {stay_id} in property {code!r}")
        return stay_view(prop.code, found)

    return await read(request, reading)


@router.get(
    "/properties/{code}/rooms",
    response_model=list[RoomStatusView],
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def get_rooms(request: Request, code: PropertyCode, caller: Caller) -> list[RoomStatusView]:
    """Every room with its occupancy, housekeeping status and in-house stay."""
    operator_only(caller)
    return await read(request, lambda conn: room_statuses(conn, code))


@router.get(
    "/properties/{code}/rooms/{room}/housekeeping",
    response_model=RoomStatusView,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def get_housekeeping(request: Request, code: PropertyCode, room: str, caller: Caller) -> RoomStatusView:
    """One room's status."""
    operator_only(caller)

    async def reading(conn: Any) -> RoomStatusView:
        return (await room_statuses(conn, code, number=room))[0]

    return await read(request, reading)


@router.put(
    "/properties/{code}/rooms/{room}/housekeeping",
    response_model=RoomStatusView,
    responses=STAY_PROBLEMS,
    openapi_extra=SECURED,
)
async def put_housekeeping(
    request: Request, code: PropertyCode, room: str, body: HousekeepingBody, caller: Caller
) -> RoomStatusView:
    """Set a room dirty, clean or inspected (409: a dirty or occupied room is not inspected)."""
    operator_only(caller)
    cmd = SetHousekeeping(property_code=code, room=room, status=body.status)
    return await change(request, code, lambda uow: handle_set_housekeeping(cmd, uow))
