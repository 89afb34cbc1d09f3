"""The profile REST API: guest profiles (made from bookings, merged) and company profiles; operator only."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from canonical.profile import CompanyDetails, CompanyProfile, GuestDetails, GuestProfile
from hub.http_desk import change, read
from hub.http_ota import basic_credentials
from hub.http_pms import SECURED, authorize
from hub.openapi import problem_responses
from hub.problems import Problem
from pms_core import profiles
from pms_core.adapters import profiles as store
from pms_core.stay_errors import StayNotFound

router = APIRouter(prefix="/profiles", tags=["profiles"])
PROBLEMS = problem_responses(400, 401, 403, 404, 409, 422)
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]


async def operator(request: Request) -> str:
    """The operator (bearer token, or loopback with no token set); partners are refused."""
    if basic_credentials(request.headers.get("authorization") or "") is not None:
        raise Problem(403, "forbidden", "Operator only", "profiles are the operator's")
    return await authorize(request, "")


Operator = Annotated[str, Depends(operator)]


class FromBooking(BaseModel):
    """Make (or find) the guest profile of a booking's primary guest and link it."""

    model_config = ConfigDict(extra="forbid")

    property: str = Field(min_length=1, max_length=64)
    booking_id: UUID


class MergeBody(BaseModel):
    """The profile to fold into this one."""

    model_config = ConfigDict(extra="forbid")

    other: UUID


@router.get("/guests", response_model=list[GuestProfile], responses=PROBLEMS, openapi_extra=SECURED)
async def get_guests(
    request: Request, caller: Operator, q: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> list[GuestProfile]:
    """Live (not merged) guest profiles by surname; `q` matches name or email."""
    return await read(request, lambda conn: store.guests(conn, search=q, limit=limit, offset=offset))


@router.post(
    "/guests", status_code=201, response_model=GuestProfile, responses=PROBLEMS, openapi_extra=SECURED
)
async def post_guest(request: Request, body: GuestDetails | FromBooking, caller: Operator) -> GuestProfile:
    """Create a guest profile from its details, or from a booking (`property`, `booking_id`)."""
    if isinstance(body, FromBooking):
        source = body
        return await change(
            request, None, lambda uow: profiles.profile_from_booking(uow, source.property, source.booking_id)
        )
    details = body
    return await change(request, None, lambda uow: profiles.create_guest(uow, details))


@router.get("/guests/{profile_id}", response_model=GuestProfile, responses=PROBLEMS, openapi_extra=SECURED)
async def get_guest(request: Request, profile_id: UUID, caller: Operator) -> GuestProfile:
    """One guest profile (a merged one names the profile it went into)."""

    async def reading(conn: Any) -> GuestProfile:
        found = await store.guest(conn, profile_id)
        if found is None:
            raise StayNotFound(f"no guest profile {profile_id}")
        return found

    return await read(request, reading)


@router.post(
    "/guests/{profile_id}/merge", response_model=GuestProfile, responses=PROBLEMS, openapi_extra=SECURED
)
async def post_merge(request: Request, profile_id: UUID, body: MergeBody, caller: Operator) -> GuestProfile:
    """Merge profile `other` into this one: its bookings move here, its empty fields are filled in."""
    return await change(request, None, lambda uow: profiles.merge_guests(uow, profile_id, body.other))


@router.get("/companies", response_model=list[CompanyProfile], responses=PROBLEMS, openapi_extra=SECURED)
async def get_companies(
    request: Request, caller: Operator, q: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> list[CompanyProfile]:
    """Company profiles by name; `q` matches name or tax id."""
    return await read(request, lambda conn: store.companies(conn, search=q, limit=limit, offset=offset))


@router.post(
    "/companies", status_code=201, response_model=CompanyProfile, responses=PROBLEMS, openapi_extra=SECURED
)
async def post_company(request: Request, body: CompanyDetails, caller: Operator) -> CompanyProfile:
    """Create a company profile (409 when another has the tax id)."""
    return await change(request, None, lambda uow: profiles.save_company(uow, body))


@router.get(
    "/companies/{company_id}", response_model=CompanyProfile, responses=PROBLEMS, openapi_extra=SECURED
)
async def get_company(request: Request, company_id: UUID, caller: Operator) -> CompanyProfile:
    """One company profile."""

    async def reading(conn: Any) -> CompanyProfile:
        found = await store.company(conn, company_id)
        if found is None:
            raise StayNotFound(f"no company profile {company_id}")
        return found

    return await read(request, reading)


@router.put(
    "/companies/{company_id}", response_model=CompanyProfile, responses=PROBLEMS, openapi_extra=SECURED
)
async def put_company(
    request: Request, company_id: UUID, body: CompanyDetails, caller: Operator
) -> CompanyProfile:
    """Replace a company profile's details."""
    return await change(request, None, lambda uow: profiles.save_company(uow, body, company_id))
