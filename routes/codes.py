"""CodeBook: a partner's stored mapping turned into the lookups its connector translates with."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.ota.translate import PartnerCodes, PropertyCodes
from mappings.model import PartnerMapping
from pms_core.adapters.tables import properties
from routes.partners import PartnerRecord


@dataclass(frozen=True)
class PartnerCodeBook:
    """One partner's codes: hotel code -> property, and the connector's PartnerCodes."""

    partner_codes: PartnerCodes
    hotels: dict[str, str]

    def property_for(self, hotel_code: str) -> str | None:
        """The hub property a partner hotel code stands for, or None."""
        return self.hotels.get(hotel_code)


class CodeBook:
    """Builds and caches PartnerCodeBooks; rebuilt whenever a partner's stored mapping changes."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._cache: dict[str, tuple[dict[str, Any], PartnerCodeBook]] = {}
        self._currencies: dict[str, str] = {}
        # one build at a time: a burst of pushes after a start or a mapping change builds once
        self._building = asyncio.Lock()

    async def _currency(self, property_code: str) -> str:
        if property_code not in self._currencies:
            async with self.engine.connect() as conn:
                result = await conn.execute(select(properties.c.code, properties.c.currency))
                self._currencies = {code: currency for code, currency in result}
        return self._currencies.get(property_code, "EUR")

    async def for_partner(self, partner: PartnerRecord) -> PartnerCodeBook:
        """The code book of a partner (from cache while its mapping is unchanged)."""
        cached = self._cache.get(partner.id)
        if cached is not None and cached[0] is partner.mapping:
            return cached[1]
        async with self._building:
            cached = self._cache.get(partner.id)
            if cached is not None and cached[0] is partner.mapping:
                return cached[1]
            book = await self._build(partner)
            self._cache[partner.id] = (partner.mapping, book)
            return book

    async def _build(self, partner: PartnerRecord) -> PartnerCodeBook:
        if not partner.mapping:
            return PartnerCodeBook(PartnerCodes(hotels={}), {})
        mapping = PartnerMapping.model_validate(partner.mapping)
        hotels: dict[str, PropertyCodes] = {}
        for entry in mapping.properties:
            hotels[entry.hotel_code] = PropertyCodes(
                hub_property=entry.property,
                currency=await self._currency(entry.property),
                room_types=dict(entry.room_types),
                rate_plans=dict(entry.rate_plans),
            )
        return PartnerCodeBook(
            PartnerCodes(hotels=hotels),
            {hotel: codes.hub_property for hotel, codes in hotels.items()},
        )
