"""The ARI REST API: set and read rates and restrictions, read availability, rooms out of order."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from canonical.ari import (
    MAX_SPAN_DAYS,
    AriChanged,
    AriPatch,
    AvailabilityCell,
    RateCell,
    RatesPatch,
    RestrictionsPatch,
    SetAri,
    Weekday,
)
from canonical.errors import PermanentError
from hub.core_changes import core_change
from hub.http_pms import SECURED, Caller, PropertyCode
from hub.openapi import problem_responses
from hub.problems import Problem
from pms_core import errors as pms_errors
from pms_core.ari import availability_cells, handle_set_ari, rate_cells
from pms_core.out_of_order import list_out_of_order, put_back, take_out_of_order
from pms_core.queries import MAX_AVAILABILITY_DAYS
from pms_core.views import OutOfOrderView

router = APIRouter(prefix="/api/v1", tags=["ari"])

DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: dict[str, Weekday] = {day.name.lower(): day for day in Weekday}


class AriPatchBody(BaseModel):
    """Set rates and restrictions of one room type (and rate plan) over a range of nights."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    room_type: str = Field(min_length=1, max_length=64)
    rate_plan: str | None = Field(default=None, min_length=1, max_length=64, description="none: every plan")
    first: date = Field(alias="from", description="first night")
    last: date = Field(alias="to", description="last night (included)")
    days: tuple[DayName, ...] | None = Field(default=None, description="weekdays only (none: every day)")
    rates: RatesPatch | None = None
    restrictions: RestrictionsPatch | None = None
    clear: tuple[str, ...] = Field(default=(), description="fields to unset")

    def to_patch(self) -> AriPatch:
        """The canonical patch (pydantic ValidationError when it does not hold together)."""
        return AriPatch(
            room_type=self.room_type,
            rate_plan=self.rate_plan,
            first_night=self.first,
            last_night=self.last,
            weekdays=frozenset(DAYS[day] for day in self.days)
            if self.days is not None
            else frozenset(Weekday),
            rates=self.rates,
            restrictions=self.restrictions,
            clear=frozenset(self.clear),
        )

    @model_validator(mode="after")
    def _holds_together(self) -> AriPatchBody:
        try:
            self.to_patch()
        except ValidationError as err:
            # the reason only: pydantic's own text would echo the input
            reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in err.errors())
            raise ValueError(reasons) from None
        return self


class SetAriBody(BaseModel):
    """Many patches, applied in order in one transaction."""

    model_config = ConfigDict(extra="forbid")

    patches: list[AriPatchBody] = Field(min_length=1, max_length=10_000)


class AriChangeAnswer(BaseModel):
    """What a PUT changed: cells and distinct nights, and the ranges announced to channels."""

    cells: int
    nights: int
    changes: list[AriChanged]


class AriView(BaseModel):
    """Resolved rates and restrictions per (room type, rate plan, night), rooms left per type and night."""

    property: str
    rates: list[RateCell]
    availability: list[AvailabilityCell]


class OutOfOrderBody(BaseModel):
    """Take one room out of inventory from `from` to `to` (both nights included)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    room: str = Field(min_length=1, max_length=32)
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    reason: str = Field(min_length=1, max_length=200)


def _operator_only(caller: str) -> None:
    if caller != "operator":
        raise Problem(403, "forbidden", "Read only", "a partner reads ARI; only the operator changes it")


def _problem(err: Exception, field: str | None = None) -> Problem:
    if isinstance(err, pms_errors.UnknownProperty):
        return Problem(404, "unknown-property", "Unknown property", str(err))
    if isinstance(err, pms_errors.UnknownRoom):
        return Problem(404, "unknown-room", "Not found", str(err))
    errors = [] if field is None else [{"field": field, "reason": str(err)}]
    return Problem(422, "ari-refused", "ARI change refused", str(err), errors=errors)


def _patch_field(body: SetAriBody, err: Exception) -> str | None:
    """The first patch field naming the code the core refused (`patches[3].rate_plan`)."""
    if isinstance(err, pms_errors.UnknownRoomType):
        name, code = "room_type", err.room_type_code
    elif isinstance(err, pms_errors.UnknownRatePlan | pms_errors.RatePlanNotSold):
        name, code = "rate_plan", err.rate_plan_code
    else:
        return None
    return next(
        (f"patches[{i}].{name}" for i, p in enumerate(body.patches) if getattr(p, name) == code), None
    )


@router.put(
    "/properties/{code}/ari",
    response_model=AriChangeAnswer,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def put_ari(request: Request, code: PropertyCode, body: SetAriBody, caller: Caller) -> AriChangeAnswer:
    """Apply the patches in order, in one transaction; answer what really changed."""
    _operator_only(caller)
    hub = request.app.state.hub
    cmd = SetAri(property=code, patches=tuple(patch.to_patch() for patch in body.patches))
    try:
        async with core_change(hub, code, correlation_id=request.headers.get("x-correlation-id")) as uow:
            outcome = await handle_set_ari(cmd, uow)
    except PermanentError as err:
        raise _problem(err, _patch_field(body, err)) from err
    return AriChangeAnswer(cells=outcome.cells, nights=outcome.nights, changes=list(outcome.events))


@router.get(
    "/properties/{code}/ari",
    response_model=AriView,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def get_ari(
    request: Request,
    code: PropertyCode,
    caller: Caller,
    first: Annotated[date, Query(alias="from")],
    last: Annotated[date, Query(alias="to")],
    room_type: Annotated[list[str] | None, Query()] = None,
    rate_plan: Annotated[list[str] | None, Query()] = None,
) -> AriView:
    """Resolved cells (default rates filled in, derived plans resolved) and availability, `from` to `to`."""
    if last < first:
        raise Problem(422, "invalid-range", "Invalid range", "`to` is before `from`", errors=[_field("to")])
    if (last - first) >= timedelta(days=min(MAX_SPAN_DAYS, MAX_AVAILABILITY_DAYS)):
        limit = min(MAX_SPAN_DAYS, MAX_AVAILABILITY_DAYS)
        raise Problem(
            422, "invalid-range", "Range too long", f"at most {limit} nights", errors=[_field("to")]
        )
    async with request.app.state.hub.reader.connect() as conn:
        try:
            rates = await rate_cells(conn, code, first, last, room_types=room_type, rate_plans=rate_plan)
            rooms = await availability_cells(conn, code, first, last, room_types=room_type)
        except PermanentError as err:
            raise _problem(err) from err
    return AriView(property=code, rates=rates, availability=rooms)


def _field(name: str) -> dict[str, str]:
    return {"field": name, "reason": "outside the range allowed"}


@router.post(
    "/properties/{code}/out-of-order",
    status_code=201,
    response_model=OutOfOrderView,
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra=SECURED,
)
async def post_out_of_order(
    request: Request, code: PropertyCode, body: OutOfOrderBody, caller: Caller
) -> OutOfOrderView:
    """Take a room out of inventory for a range of nights, with a reason."""
    _operator_only(caller)
    try:
        async with core_change(request.app.state.hub, code) as uow:
            view = await take_out_of_order(uow, code, body.room, body.first, body.last, body.reason)
    except pms_errors.UnknownRoom as err:
        raise Problem(
            422, "unknown-room", "Unknown room", str(err), errors=[{"field": "room", "reason": str(err)}]
        ) from err
    except PermanentError as err:
        raise _problem(err) from err
    return view


@router.get(
    "/properties/{code}/out-of-order",
    response_model=list[OutOfOrderView],
    responses=problem_responses(401, 403, 404),
    openapi_extra=SECURED,
)
async def get_out_of_order(request: Request, code: PropertyCode, caller: Caller) -> list[OutOfOrderView]:
    """Every out-of-order range of the property, by first night and room."""
    async with request.app.state.hub.reader.connect() as conn:
        try:
            return await list_out_of_order(conn, code)
        except PermanentError as err:
            raise _problem(err) from err


@router.delete(
    "/properties/{code}/out-of-order/{range_id}",
    response_model=OutOfOrderView,
    responses=problem_responses(401, 403, 404),
    openapi_extra=SECURED,
)
async def delete_out_of_order(
    request: Request, code: PropertyCode, range_id: int, caller: Caller
) -> OutOfOrderView:
    """Put the room back into inventory for the nights of this range; answers the range removed."""
    _operator_only(caller)
    try:
        async with core_change(request.app.state.hub, code) as uow:
            view = await put_back(uow, code, range_id)
    except PermanentError as err:
        raise _problem(err) from err
    return view
