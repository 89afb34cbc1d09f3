"""Reading and writing guest and company profiles, and which profiles a booking is linked to."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import Money
from canonical.profile import CompanyDetails, CompanyProfile, GuestDetails, GuestProfile
from pms_core.adapters.stay_tables import booking_profiles, company_profiles, guest_profiles

GUEST_COLUMNS = tuple(GuestDetails.model_fields)


class TaxIdTaken(Exception):
    """Another company profile has this tax id."""


def _guest(row: Any) -> GuestProfile:
    return GuestProfile(
        id=row.id,
        merged_into=row.merged_into,
        created_at=row.created_at,
        updated_at=row.updated_at,
        **{name: getattr(row, name) for name in GUEST_COLUMNS},
    )


def _guest_values(details: GuestDetails) -> dict[str, Any]:
    values = {name: getattr(details, name) for name in GUEST_COLUMNS}
    if values["email"]:
        values["email"] = values["email"].strip().lower()
    return values


async def add_guest(
    conn: AsyncConnection, profile_id: UUID, details: GuestDetails, at: datetime
) -> GuestProfile:
    """Insert a guest profile."""
    values = {"id": profile_id, "created_at": at, "updated_at": at, **_guest_values(details)}
    await conn.execute(insert(guest_profiles).values(**values))
    found = await guest(conn, profile_id)
    assert found is not None
    return found


async def guest(conn: AsyncConnection, profile_id: UUID) -> GuestProfile | None:
    """The guest profile with this id, merged or not."""
    row = (await conn.execute(select(guest_profiles).where(guest_profiles.c.id == profile_id))).one_or_none()
    return None if row is None else _guest(row)


async def guest_by_email(conn: AsyncConnection, email: str) -> GuestProfile | None:
    """The oldest live (not merged) guest profile with this email."""
    statement = (
        select(guest_profiles)
        .where(guest_profiles.c.email == email.strip().lower(), guest_profiles.c.merged_into.is_(None))
        .order_by(guest_profiles.c.created_at, guest_profiles.c.id)
        .limit(1)
    )
    row = (await conn.execute(statement)).one_or_none()
    return None if row is None else _guest(row)


async def guests(conn: AsyncConnection, *, search: str | None, limit: int, offset: int) -> list[GuestProfile]:
    """Live guest profiles, by surname, optionally those whose name or email contains `search`."""
    statement = select(guest_profiles).where(guest_profiles.c.merged_into.is_(None))
    if search:
        pattern = f"%{search.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(guest_profiles.c.surname).like(pattern),
                func.lower(guest_profiles.c.given_name).like(pattern),
                guest_profiles.c.email.like(pattern),
            )
        )
    statement = statement.order_by(guest_profiles.c.surname, guest_profiles.c.id).limit(limit).offset(offset)
    return [_guest(row) for row in await conn.execute(statement)]


async def merge_guest(conn: AsyncConnection, keep: GuestProfile, other: GuestProfile, at: datetime) -> None:
    """Fold `other` into `keep`: fill keep's empty fields, move other's bookings, mark other merged."""
    filled = {name: getattr(other, name) for name in GUEST_COLUMNS if getattr(keep, name) is None}
    filled = {name: value for name, value in filled.items() if value is not None}
    await conn.execute(
        update(guest_profiles).where(guest_profiles.c.id == keep.id).values(updated_at=at, **filled)
    )
    await conn.execute(
        update(guest_profiles)
        .where(guest_profiles.c.id == other.id)
        .values(merged_into=keep.id, updated_at=at)
    )
    # profiles merged into `other` before now point at the survivor too
    await conn.execute(
        update(guest_profiles).where(guest_profiles.c.merged_into == other.id).values(merged_into=keep.id)
    )
    await conn.execute(
        update(booking_profiles)
        .where(booking_profiles.c.guest_profile_id == other.id)
        .values(guest_profile_id=keep.id)
    )


def _company(row: Any) -> CompanyProfile:
    limit = None
    if row.credit_limit is not None:
        limit = Money(amount=Decimal(row.credit_limit), currency=row.credit_currency)
    return CompanyProfile(
        id=row.id,
        name=row.name,
        tax_id=row.tax_id,
        billing_address_line=row.billing_address_line,
        billing_city=row.billing_city,
        billing_postal_code=row.billing_postal_code,
        billing_country_code=row.billing_country_code,
        credit_limit=limit,
        expense_account=row.expense_account,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _company_values(details: CompanyDetails) -> dict[str, Any]:
    values = details.model_dump(exclude={"credit_limit"})
    limit = details.credit_limit
    values["credit_limit"] = None if limit is None else limit.amount
    values["credit_currency"] = None if limit is None else limit.currency
    return values


async def save_company(
    conn: AsyncConnection, company_id: UUID, details: CompanyDetails, at: datetime, *, new: bool
) -> None:
    """Insert (`new`) or overwrite a company profile; raises TaxIdTaken for another's tax id."""
    values = _company_values(details)
    try:
        if new:
            await conn.execute(
                insert(company_profiles).values(id=company_id, created_at=at, updated_at=at, **values)
            )
        else:
            await conn.execute(
                update(company_profiles)
                .where(company_profiles.c.id == company_id)
                .values(updated_at=at, **values)
            )
    except IntegrityError as err:
        raise TaxIdTaken(f"tax id {details.tax_id!r} belongs to another company profile") from err


async def company(conn: AsyncConnection, company_id: UUID) -> CompanyProfile | None:
    """The company profile with this id."""
    statement = select(company_profiles).where(company_profiles.c.id == company_id)
    row = (await conn.execute(statement)).one_or_none()
    return None if row is None else _company(row)


async def companies(
    conn: AsyncConnection, *, search: str | None, limit: int, offset: int
) -> list[CompanyProfile]:
    """Company profiles by name, optionally those whose name or tax id contains `search`."""
    statement = select(company_profiles)
    if search:
        pattern = f"%{search.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(company_profiles.c.name).like(pattern),
                func.lower(company_profiles.c.tax_id).like(pattern),
            )
        )
    statement = statement.order_by(company_profiles.c.name, company_profiles.c.id).limit(limit).offset(offset)
    return [_company(row) for row in await conn.execute(statement)]


async def link(conn: AsyncConnection, booking_id: UUID, **profile_ids: UUID | None) -> None:
    """Set the booking's guest_profile_id and/or company_profile_id (the booking row is locked)."""
    exists = (
        await conn.execute(
            select(booking_profiles.c.booking_id).where(booking_profiles.c.booking_id == booking_id)
        )
    ).first()
    if exists is None:
        await conn.execute(insert(booking_profiles).values(booking_id=booking_id, **profile_ids))
    else:
        await conn.execute(
            update(booking_profiles).where(booking_profiles.c.booking_id == booking_id).values(**profile_ids)
        )
