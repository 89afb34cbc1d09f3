"""Property set-ups read once per transaction, not once per message, and kept for its batch.

The delivery layer runs a batch of booking messages in one transaction; each message would
otherwise read the same property, room types, rate plans and room counts again. A CatalogCache
lives as long as the transaction it was made for: a new transaction starts with an empty one.
"""

from __future__ import annotations

from collections.abc import Iterable
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Transaction
from sqlalchemy.ext.asyncio import AsyncConnection

from pms_core.adapters.catalog import PropertyCatalog, RatePlanRef, RoomTypeRef, load_catalog
from pms_core.errors import UnknownRatePlan, UnknownRoomType


class CatalogCache:
    """Property set-ups by property code, read at first use.

    A code the cached set-up does not know is looked up again before it is refused, so a room
    type or rate plan added by a concurrent configuration change is found within the batch.
    """

    def __init__(self) -> None:
        self._by_code: dict[str, PropertyCatalog] = {}

    async def property(self, conn: AsyncConnection, code: str) -> PropertyCatalog:
        """The property's set-up; raises UnknownProperty."""
        found = self._by_code.get(code)
        if found is None:
            found = self._by_code[code] = await load_catalog(conn, code)
        return found

    async def room_type(self, conn: AsyncConnection, catalog: PropertyCatalog, code: str) -> RoomTypeRef:
        """The property's active room type with this code; raises UnknownRoomType."""
        found = catalog.room_type(code) or (await self._reload(conn, catalog)).room_type(code)
        if found is None:
            raise UnknownRoomType(catalog.prop.code, code)
        return found

    async def rate_plan(self, conn: AsyncConnection, catalog: PropertyCatalog, code: str) -> RatePlanRef:
        """The property's active rate plan with this code; raises UnknownRatePlan."""
        found = catalog.rate_plan(code) or (await self._reload(conn, catalog)).rate_plan(code)
        if found is None:
            raise UnknownRatePlan(catalog.prop.code, code)
        return found

    async def stock(
        self, conn: AsyncConnection, catalog: PropertyCatalog, room_type_ids: Iterable[int]
    ) -> dict[int, tuple[int, int]]:
        """(property id, rooms in service) of these room types, as new inventory rows need them."""
        wanted = set(room_type_ids)
        if not wanted <= catalog.physical.keys():
            catalog = await self._reload(conn, catalog)
        # A room type the property does not have (any more) has no rooms to sell.
        prop_id, physical = catalog.prop.id, catalog.physical
        return {room_type_id: (prop_id, physical.get(room_type_id, 0)) for room_type_id in wanted}

    def forget(self) -> None:
        """Drop every cached set-up (after the set-up itself was changed in this transaction)."""
        self._by_code.clear()

    async def _reload(self, conn: AsyncConnection, catalog: PropertyCatalog) -> PropertyCatalog:
        self._by_code.pop(catalog.prop.code, None)
        return await self.property(conn, catalog.prop.code)


# Keyed weakly by the transaction, so a cache goes when its transaction object goes.
_BY_TRANSACTION: WeakKeyDictionary[Transaction, CatalogCache] = WeakKeyDictionary()


def _root_transaction(conn: AsyncConnection) -> Transaction | None:
    transaction = conn.sync_connection.get_transaction() if conn.sync_connection is not None else None
    return transaction if transaction is not None and transaction.is_active else None


def for_transaction(conn: AsyncConnection) -> CatalogCache:
    """The cache of the connection's open transaction (a fresh, unshared one outside a transaction)."""
    transaction = _root_transaction(conn)
    if transaction is None:
        return CatalogCache()
    cache = _BY_TRANSACTION.get(transaction)
    if cache is None:
        cache = _BY_TRANSACTION[transaction] = CatalogCache()
    return cache


def forget_transaction(conn: AsyncConnection) -> None:
    """Drop the cache of the connection's open transaction, if it has one."""
    transaction = _root_transaction(conn)
    if transaction is not None:
        _BY_TRANSACTION.pop(transaction, None)
