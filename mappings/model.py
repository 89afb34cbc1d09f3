"""Partner code maps: a partner's hotel, room type and rate plan codes to the hub's, and back."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated

from pydantic import Field, model_validator

from canonical.base import Code, Frozen
from mappings.errors import UnmappedCodeError
from mappings.source import CodeText, Conflicts, Loc

PartnerId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]


def _reverse(codes: dict[str, str]) -> dict[str, tuple[str, ...]]:
    # Several partner codes may name one hub code (inbound); outbound sends under each of them.
    reverse: dict[str, list[str]] = {}
    for partner_code, hub_code in codes.items():
        reverse.setdefault(hub_code, []).append(partner_code)
    return {hub: tuple(partner_codes) for hub, partner_codes in reverse.items()}


class PropertyMapping(Frozen):
    """One hub property as one partner knows it: its hotel code and its room/rate codes."""

    property: Code
    hotel_code: CodeText
    room_types: dict[CodeText, CodeText] = Field(min_length=1)
    rate_plans: dict[CodeText, CodeText] = Field(min_length=1)

    @cached_property
    def hub_to_partner_room_types(self) -> dict[str, tuple[str, ...]]:
        """Hub room type code -> every partner code mapped to it, in file order (outbound)."""
        return _reverse(self.room_types)

    @cached_property
    def hub_to_partner_rate_plans(self) -> dict[str, tuple[str, ...]]:
        """Hub rate plan code -> every partner code mapped to it, in file order (outbound)."""
        return _reverse(self.rate_plans)


class PartnerMapping(Frozen):
    """Every property one partner is mapped for, with lookups in both directions."""

    partner: PartnerId
    properties: tuple[PropertyMapping, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _properties_and_hotels_unique(self) -> PartnerMapping:
        conflicts: list[tuple[Loc, str]] = []
        seen_property: dict[str, int] = {}
        seen_hotel: dict[str, int] = {}
        for index, entry in enumerate(self.properties):
            if entry.property in seen_property:
                conflicts.append(
                    (
                        ("properties", index, "property"),
                        f"property {entry.property} is already mapped in "
                        f"properties[{seen_property[entry.property]}]",
                    )
                )
            seen_property.setdefault(entry.property, index)
            if entry.hotel_code in seen_hotel:
                conflicts.append(
                    (
                        ("properties", index, "hotel_code"),
                        f"hotel code {entry.hotel_code!r} is already used by "
                        f"properties[{seen_hotel[entry.hotel_code]}]",
                    )
                )
            seen_hotel.setdefault(entry.hotel_code, index)
        if conflicts:
            raise Conflicts(conflicts)
        return self

    @cached_property
    def _by_property(self) -> dict[str, PropertyMapping]:
        return {entry.property: entry for entry in self.properties}

    @cached_property
    def _by_hotel(self) -> dict[str, PropertyMapping]:
        return {entry.hotel_code: entry for entry in self.properties}

    def for_property(self, property_code: str) -> PropertyMapping | None:
        """The mapping of one hub property, or None when this partner is not mapped for it."""
        return self._by_property.get(property_code)

    def property_for_hotel(self, hotel_code: str) -> str | None:
        """The hub property code of the partner's hotel code, or None."""
        entry = self._by_hotel.get(hotel_code)
        return entry.property if entry else None

    def hotel_code_for(self, property_code: str) -> str | None:
        """The partner's hotel code of a hub property, or None."""
        entry = self._by_property.get(property_code)
        return entry.hotel_code if entry else None

    def lookup_room_type(self, property_code: str, partner_code: str) -> str | None:
        """The hub room type code of a partner room type code, or None."""
        entry = self._by_property.get(property_code)
        return entry.room_types.get(partner_code) if entry else None

    def lookup_rate_plan(self, property_code: str, partner_code: str) -> str | None:
        """The hub rate plan code of a partner rate plan code, or None."""
        entry = self._by_property.get(property_code)
        return entry.rate_plans.get(partner_code) if entry else None

    def partner_room_types(self, property_code: str, hub_code: str) -> tuple[str, ...]:
        """Every partner room type code mapped to a hub room type (outbound: send under each)."""
        entry = self._by_property.get(property_code)
        return entry.hub_to_partner_room_types.get(hub_code, ()) if entry else ()

    def partner_rate_plans(self, property_code: str, hub_code: str) -> tuple[str, ...]:
        """Every partner rate plan code mapped to a hub rate plan (outbound: send under each)."""
        entry = self._by_property.get(property_code)
        return entry.hub_to_partner_rate_plans.get(hub_code, ()) if entry else ()

    def require_property(self, hotel_code: str) -> str:
        """The hub property of a partner hotel code; raise UnmappedCodeError when unknown."""
        found = self.property_for_hotel(hotel_code)
        if found is None:
            raise UnmappedCodeError(partner=self.partner, property_code=None, what="hotel", code=hotel_code)
        return found

    def require_room_type(self, property_code: str, partner_code: str) -> str:
        """The hub room type of a partner code; raise UnmappedCodeError when unknown."""
        found = self.lookup_room_type(property_code, partner_code)
        if found is None:
            raise UnmappedCodeError(
                partner=self.partner,
                property_code=property_code,
                what="room type",
                code=partner_code,
            )
        return found

    def require_rate_plan(self, property_code: str, partner_code: str) -> str:
        """The hub rate plan of a partner code; raise UnmappedCodeError when unknown."""
        found = self.lookup_rate_plan(property_code, partner_code)
        if found is None:
            raise UnmappedCodeError(
                partner=self.partner,
                property_code=property_code,
                what="rate plan",
                code=partner_code,
            )
        return found
