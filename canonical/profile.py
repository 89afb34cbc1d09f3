"""Guest and company profiles: who stays, and who pays for corporate stays."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import Field, model_validator

from canonical.base import AwareDatetime, Frozen, Money

MAX_CREDIT_LIMIT = Decimal("10000000000")  # what a NUMERIC(12, 2) column holds


class GuestDetails(Frozen):
    """What is known of a guest: name and contact."""

    given_name: Annotated[str | None, Field(max_length=200)] = None
    surname: Annotated[str | None, Field(max_length=200)] = None
    email: Annotated[str | None, Field(max_length=320)] = None
    phone: Annotated[str | None, Field(max_length=64)] = None
    address_line: Annotated[str | None, Field(max_length=500)] = None
    city: Annotated[str | None, Field(max_length=200)] = None
    postal_code: Annotated[str | None, Field(max_length=32)] = None
    country_code: Annotated[str | None, Field(max_length=8)] = None
    language: Annotated[str | None, Field(max_length=16)] = None

    @model_validator(mode="after")
    def _named(self) -> GuestDetails:
        if not (self.given_name or self.surname or self.email):
            raise ValueError("a guest needs a name or an email")
        return self


class GuestProfile(GuestDetails):
    """A guest as the hub knows them across bookings; `merged_into` once merged into another."""

    id: UUID
    merged_into: UUID | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class CompanyDetails(Frozen):
    """A company: tax id, billing address, credit limit, travel-expense account reference."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    tax_id: Annotated[str | None, Field(min_length=1, max_length=64)] = None
    billing_address_line: Annotated[str | None, Field(max_length=500)] = None
    billing_city: Annotated[str | None, Field(max_length=200)] = None
    billing_postal_code: Annotated[str | None, Field(max_length=32)] = None
    billing_country_code: Annotated[str | None, Field(max_length=8)] = None
    credit_limit: Money | None = None
    expense_account: Annotated[str | None, Field(max_length=128)] = None

    @model_validator(mode="after")
    def _limit_not_negative(self) -> CompanyDetails:
        limit = self.credit_limit
        if limit is None:
            return self
        if not limit.amount.is_finite() or limit.amount < 0 or limit.amount >= MAX_CREDIT_LIMIT:
            raise ValueError(f"the credit limit is at least 0 and below {MAX_CREDIT_LIMIT}")
        if limit.amount != limit.amount.quantize(Decimal("0.01")):
            raise ValueError("the credit limit has at most two decimal places")
        return self


class CompanyProfile(CompanyDetails):
    """A company profile as stored."""

    id: UUID
    created_at: AwareDatetime
    updated_at: AwareDatetime


class BookingProfiles(Frozen):
    """The profiles a booking is linked to."""

    booking_id: UUID
    guest_profile_id: UUID | None = None
    company_profile_id: UUID | None = None
