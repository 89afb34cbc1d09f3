"""CodeBook: a partner's stored mapping turned into the lookups its connector translates with."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.ota.translate import PartnerCodes, PropertyCodes
from mappings.model import PartnerMapping
from pms_core.adapters.tables import properties, room_types
from routes.partners import PartnerRecord


@dataclass(frozen=True)
class _PropertyFacts:
    """What the door checks a push against: currency, time zone, each room type's most guests."""

    currency: str
    timezone: str
    max_occupancy: dict[str, int]


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
        # one build at a time: a burst of pushes after a start or a mapping change builds once
        self._building = asyncio.Lock()

    async def _facts(self) -> dict[str, _PropertyFacts]:
        # read again with every build: a property's time zone or a room's occupancy may have changed
        facts: dict[str, _PropertyFacts] = {}
        async with self.engine.connect() as conn:
            for code, currency, timezone in await conn.execute(
                select(properties.c.code, properties.c.currency, properties.c.timezone)
            ):
                facts[code] = _PropertyFacts(currency, timezone, {})
            rooms = select(properties.c.code, room_types.c.code, room_types.c.max_occupancy).join(
                properties, properties.c.id == room_types.c.property_id
            )
            for property_code, room_type, max_occupancy in await conn.execute(rooms):
                facts[property_code].max_occupancy[room_type] = max_occupancy
        return facts

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
        facts = await self._facts()
        hotels: dict[str, PropertyCodes] = {}
        for entry in mapping.properties:
            known = facts.get(entry.property, _PropertyFacts("EUR", "UTC", {}))
            hotels[entry.hotel_code] = PropertyCodes(
                hub_property=entry.property,
                currency=known.currency,
                room_types=dict(entry.room_types),
                rate_plans=dict(entry.rate_plans),
                timezone=known.timezone,
                max_occupancy=known.max_occupancy,
            )
        return PartnerCodeBook(
            PartnerCodes(hotels=hotels),
            {hotel: codes.hub_property for hotel, codes in hotels.items()},
        )
