"""Use cases of guest and company profiles: create, find, merge, link to bookings."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid4

from pydantic import ValidationError

from canonical.booking import Guest
from canonical.profile import BookingProfiles, CompanyDetails, CompanyProfile, GuestDetails, GuestProfile
from pms_core.adapters import profiles as store
from pms_core.adapters import stays as stay_store
from pms_core.stay_errors import StayConflict, StayNotFound
from pms_core.unit_of_work import PmsUnitOfWork


def guest_details(guests: Sequence[Guest]) -> GuestDetails | None:
    """The profile details of a booking's primary guest (else its first), None when nobody is named."""
    ordered = sorted(guests, key=lambda guest: not guest.primary)
    for guest in ordered:
        try:
            return GuestDetails(
                **guest.model_dump(include=set(GuestDetails.model_fields) & set(Guest.model_fields))
            )
        except ValidationError:
            continue  # no name and no email: nothing to make a profile of
    return None


async def create_guest(uow: PmsUnitOfWork, details: GuestDetails) -> GuestProfile:
    """Create a guest profile as the operator entered it."""
    return await store.add_guest(uow.conn, uuid4(), details, uow.now())


async def profile_from_booking(uow: PmsUnitOfWork, property_code: str, booking_id: UUID) -> GuestProfile:
    """The booking's guest profile: the one linked, else the live one with the guest's email, else a new
    one from the booking's primary guest; linked to the booking. Raises StayNotFound, StayConflict."""
    setup = await uow.catalog.property(uow.conn, property_code)
    stored = await stay_store.booking(uow.conn, setup.prop.id, booking_id)
    if stored is None:
        raise StayNotFound(f"no booking {booking_id} in property {property_code!r}")
    found = await ensure_guest_profile(uow, booking_id)
    if found is None:
        raise StayConflict("the booking names no guest to make a profile of")
    return found


async def ensure_guest_profile(uow: PmsUnitOfWork, booking_id: UUID) -> GuestProfile | None:
    """The booking's guest profile, found or made from its guests and linked (None: nobody named)."""
    linked, _ = await stay_store.profiles_of(uow.conn, booking_id)
    if linked is not None:
        return await store.guest(uow.conn, linked)
    guests, _ = await stay_store.guests_and_nights(uow.conn, booking_id)
    details = guest_details(guests)
    if details is None:
        return None
    found = await store.guest_by_email(uow.conn, details.email) if details.email else None
    if found is None:
        found = await store.add_guest(uow.conn, uuid4(), details, uow.now())
    await store.link(uow.conn, booking_id, guest_profile_id=found.id)
    return found


async def merge_guests(uow: PmsUnitOfWork, keep_id: UUID, other_id: UUID) -> GuestProfile:
    """Merge profile `other_id` into `keep_id`: its bookings move over, it answers `merged_into`."""
    if keep_id == other_id:
        raise StayConflict("a profile cannot be merged into itself")
    keep = await store.guest(uow.conn, keep_id)
    other = await store.guest(uow.conn, other_id)
    for profile_id, profile in ((keep_id, keep), (other_id, other)):
        if profile is None:
            raise StayNotFound(f"no guest profile {profile_id}")
        if profile.merged_into is not None:
            raise StayConflict(f"guest profile {profile_id} was merged into {profile.merged_into}")
    assert keep is not None and other is not None
    await store.merge_guest(uow.conn, keep, other, uow.now())
    merged = await store.guest(uow.conn, keep_id)
    assert merged is not None
    return merged


async def save_company(
    uow: PmsUnitOfWork, details: CompanyDetails, company_id: UUID | None = None
) -> CompanyProfile:
    """Create a company profile (no id) or replace one's details; raises StayNotFound, StayConflict."""
    new = company_id is None
    target = uuid4() if company_id is None else company_id
    if not new and await store.company(uow.conn, target) is None:
        raise StayNotFound(f"no company profile {target}")
    try:
        await store.save_company(uow.conn, target, details, uow.now(), new=new)
    except store.TaxIdTaken as err:
        raise StayConflict(str(err)) from err
    saved = await store.company(uow.conn, target)
    assert saved is not None
    return saved


async def link_company(
    uow: PmsUnitOfWork, property_code: str, booking_id: UUID, company_id: UUID | None
) -> BookingProfiles:
    """Link a booking to a company profile (None: unlink); raises StayNotFound."""
    setup = await uow.catalog.property(uow.conn, property_code)
    if await stay_store.booking(uow.conn, setup.prop.id, booking_id) is None:
        raise StayNotFound(f"no booking {booking_id} in property {property_code!r}")
    if company_id is not None and await store.company(uow.conn, company_id) is None:
        raise StayNotFound(f"no company profile {company_id}")
    await store.link(uow.conn, booking_id, company_profile_id=company_id)
    guest_id, linked = await stay_store.profiles_of(uow.conn, booking_id)
    return BookingProfiles(booking_id=booking_id, guest_profile_id=guest_id, company_profile_id=linked)
