"""The PMS REST API: direct bookings, booking search and detail, availability."""

from __future__ import annotations

import hmac
from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from canonical.ari import ARI_CHANGED_V1
from canonical.booking import BookingStatus, CreateBooking, Guarantee, Guest, GuestCount
from canonical.errors import PermanentError
from hub.http_idempotency import (
    REPLAYED_HEADER,
    IdempotencyKey,
    key_scope,
    replayed_booking_id,
    stored_booking,
)
from hub.http_ota import basic_credentials
from hub.loopback import is_local_request
from hub.openapi import REST_SECURITY, problem_responses
from hub.problems import Problem, field_errors, invalid_problem
from pms_core import errors as pms_errors
from pms_core import queries
from pms_core.handlers import create_direct_booking
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import AvailabilityRow, BookingDetail, BookingView
from routes.idempotency import attach
from routes.outbox import add_to_outbox, outbox_values

router = APIRouter(prefix="/api/v1", tags=["pms"])
# documented only: authorize() below decides who gets in
SECURED: dict[str, Any] = {"security": REST_SECURITY}

PropertyCode = Annotated[str, Path(min_length=1, max_length=64)]
MAX_AVAILABILITY_DAYS = 400


async def authorize(request: Request, code: PropertyCode) -> str:
    """Who calls: the operator (bearer token), or a partner scoped to its granted properties.

    Partner credentials are always checked and scoped (401 wrong, 403 not granted). Without
    them the caller is the operator when the bearer token matches or, with no token configured
    (a hub on localhost, e.g. the demo), when it calls from loopback and no proxy forwarded it.
    """
    hub = request.app.state.hub
    token = hub.settings.api_token
    header = request.headers.get("authorization") or ""
    credentials = basic_credentials(header)
    if credentials is not None:
        partner = await hub.directory.authenticate(*credentials)
        if partner is None:
            raise Problem(401, "unauthenticated", "Wrong credentials", "unknown partner or wrong password")
        if code not in partner.grants:
            raise Problem(
                403,
                "forbidden",
                "Property not granted",
                f"partner {partner.id} is not granted property {code}",
            )
        return f"partner:{partner.id}"
    if token is None:
        if is_local_request(request.client.host if request.client else None, request.headers.items()):
            return "operator"
        raise Problem(
            401,
            "unauthenticated",
            "Authentication required",
            "send partner credentials; without an operator token the operator calls from this host only",
        )
    if header.lower().startswith("bearer ") and hmac.compare_digest(
        header[7:].strip().encode(), token.get_secret_value().encode()
    ):
        return "operator"
    raise Problem(
        401,
        "unauthenticated",
        "Authentication required",
        "send the operator bearer token or partner credentials",
    )


Caller = Annotated[str, Depends(authorize)]


class DirectBookingRequest(BaseModel):
    """A direct booking of one room."""

    model_config = ConfigDict(extra="forbid")

    room_type_code: str
    rate_plan_code: str
    arrival: date
    departure: date
    adults: int = Field(default=1, ge=1, le=20)
    children: int = Field(default=0, ge=0, le=20)
    child_ages: tuple[int, ...] = ()
    guests: tuple[Guest, ...] = ()
    guarantee: Guarantee | None = None
    comments: tuple[str, ...] = ()


def _problem_from(err: Exception) -> Problem:
    if isinstance(err, pms_errors.UnknownProperty):
        return Problem(404, "unknown-property", "Unknown property", str(err))
    if isinstance(err, pms_errors.SoldOut):
        return Problem(409, "sold-out", "Sold out", str(err))
    if isinstance(err, pms_errors.StayRestricted):
        return Problem(409, "stay-restricted", "Not sellable for this stay", str(err))
    return Problem(422, "booking-refused", "Booking refused", str(err))


@router.post(
    "/properties/{code}/bookings",
    status_code=201,
    response_model=BookingView,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    openapi_extra=SECURED,
)
async def post_booking(
    request: Request,
    response: Response,
    code: PropertyCode,
    body: DirectBookingRequest,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> BookingView:
    """Book one room now, priced from the live rates; 409 when any night is sold out (never
    oversells) or a restriction of the rate plan refuses the stay (closed, length of stay, window).

    With an `Idempotency-Key`, a retry answers with the booking the key made (`Idempotent-Replayed:
    true`) instead of booking again; the key and the booking commit together.
    """
    hub = request.app.state.hub
    scope = key_scope(caller, code, idempotency_key)
    cmd = _command(code, body)
    replay: UUID | None = None
    try:
        async with hub.engine.begin() as conn:
            if scope is not None:
                replay = await replayed_booking_id(conn, scope, body, hub.settings.idempotency_ttl_hours)
            if replay is None:
                uow = PmsUnitOfWork(conn, ari_events=bool(hub.table.for_type(ARI_CHANGED_V1)))
                view = await create_direct_booking(cmd, uow)
                routed = [(k, p) for k, p in uow.events if hub.table.for_type(k)]
                await add_to_outbox(conn, [outbox_values(_event(k, p, request)) for k, p in routed])
                if scope is not None:
                    await attach(conn, scope, view.id)
    except PermanentError as err:
        raise _problem_from(err) from err
    if replay is not None:
        response.headers[REPLAYED_HEADER] = "true"
        return await stored_booking(hub.reader, code, replay)
    hub.notify()
    return view


def _command(code: str, body: DirectBookingRequest) -> CreateBooking:
    try:
        return CreateBooking(
            property_code=code,
            room_type_code=body.room_type_code,
            rate_plan_code=body.rate_plan_code,
            arrival=body.arrival,
            departure=body.departure,
            occupancy=GuestCount(adults=body.adults, children=body.children, child_ages=body.child_ages),
            guests=body.guests,
            guarantee=body.guarantee,
            comments=body.comments,
        )
    except ValidationError as err:
        # pydantic's own text echoes the input (guests, card reference): name the fields only
        raise invalid_problem("invalid-booking", "Invalid booking", field_errors(err.errors())) from err


def _event(routing_key: str, payload: BaseModel, request: Request):  # type: ignore[no-untyped-def]
    from canonical.envelope import Envelope

    return Envelope[Any](
        message_type=routing_key,
        correlation_id=request.headers.get("x-correlation-id") or str(UUID(int=0)),
        payload=payload,
    )


@router.get(
    "/properties/{code}/bookings",
    response_model=list[BookingView],
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def get_bookings(
    request: Request,
    code: PropertyCode,
    caller: Caller,
    partner: str | None = None,
    partner_reservation_id: str | None = None,
    status: BookingStatus | None = None,
    stay_from: date | None = None,
    stay_to: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=queries.MAX_OFFSET)] = 0,
) -> list[BookingView]:
    """Bookings of a property, filtered by partner, partner reservation id, status and stay dates."""
    if caller.startswith("partner:") and partner not in (None, caller[8:]):
        raise Problem(403, "forbidden", "Other partner", "a partner sees only its own bookings")
    if caller.startswith("partner:"):
        partner = caller[8:]
    async with request.app.state.hub.reader.connect() as conn:
        try:
            return await queries.list_bookings(
                conn,
                code,
                partner_id=partner,
                partner_reservation_id=partner_reservation_id,
                status=status,
                stay_from=stay_from,
                stay_to=stay_to,
                limit=limit,
                offset=offset,
            )
        except pms_errors.UnknownProperty as err:
            raise _problem_from(err) from err


@router.get(
    "/properties/{code}/bookings/{booking_id}",
    response_model=BookingDetail,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def get_booking(
    request: Request, code: PropertyCode, booking_id: UUID, caller: Caller
) -> BookingDetail:
    """One booking with guests, nights and every revision."""
    async with request.app.state.hub.reader.connect() as conn:
        try:
            detail = await queries.get_booking(conn, code, booking_id)
        except pms_errors.UnknownProperty as err:
            raise _problem_from(err) from err
    if detail is None or (caller.startswith("partner:") and detail.partner_id != caller[8:]):
        raise Problem(404, "unknown-booking", "Unknown booking", f"no booking {booking_id} in {code}")
    return detail


@router.get(
    "/properties/{code}/availability",
    response_model=list[AvailabilityRow],
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def get_availability(
    request: Request,
    code: PropertyCode,
    caller: Caller,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
) -> list[AvailabilityRow]:
    """Per room type and date from `from` to `to` (inclusive): physical, out of order, sold, available."""
    if end < start:
        raise Problem(422, "invalid-range", "Invalid range", "`to` is before `from`")
    if (end - start) > timedelta(days=MAX_AVAILABILITY_DAYS):
        raise Problem(422, "invalid-range", "Range too long", f"at most {MAX_AVAILABILITY_DAYS} days")
    async with request.app.state.hub.reader.connect() as conn:
        try:
            # The core takes a half-open range; the API's `to` is the last night shown.
            return await queries.availability(conn, code, start, end + timedelta(days=1))
        except pms_errors.UnknownProperty as err:
            raise _problem_from(err) from err
