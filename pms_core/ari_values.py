"""Resolved rates and restrictions of exactly the cells asked for (the ARI senders' read).

`rate_cells` reads every night of a span for every (room type, rate plan) it names; a sender
holding a few scattered pending cells needs those cells only. Here the stored rows are read by
their keys (a derived plan's by its ancestors' keys too), a chunk of keys a statement, and each
distinct stored value becomes one `Rates` / `Restrictions` (a calendar holds few distinct
values), so the cost grows with the cells asked for, not with the span they are spread over.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import RateCell, Rates, Restrictions
from pms_core.adapters import ari as store
from pms_core.adapters.catalog import PropertyCatalog, load_catalog
from pms_core.adapters.tables import ari_rates, ari_restrictions
from pms_core.derived import Derivation, parents_first

_NO_RATES = Rates()
_NO_RESTRICTIONS = Restrictions()
CellKey = tuple[str, str, date]  # (room type code, rate plan code, night)
_IdKey = tuple[int, int, date]  # (rate plan id, room type id, night)


_RESTRICTION_COLUMNS = tuple(c.name for c in ari_restrictions.columns if c.name not in store.KEY_COLUMNS)
_RATE_COLUMNS = tuple(c.name for c in ari_rates.columns if c.name not in store.KEY_COLUMNS)


class _Values:
    """One canonical value per distinct stored row and per distinct derivation of a value."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self._rates: dict[tuple[Any, ...], Rates] = {}
        self._restrictions: dict[tuple[Any, ...], Restrictions] = {}
        self._derived: dict[tuple[Any, ...], Any] = {}

    def rates(self, row: Any) -> Rates:
        raw = tuple(_frozen(getattr(row, name)) for name in _RATE_COLUMNS)
        found = self._rates.get(raw)
        if found is None:
            found = self._rates[raw] = store.rates_from_row(row)
        return found

    def restrictions(self, row: Any) -> Restrictions:
        raw = tuple(getattr(row, name) for name in _RESTRICTION_COLUMNS)
        found = self._restrictions.get(raw)
        if found is None:
            found = self._restrictions[raw] = store.restrictions_from_row(row)
        return found

    def with_default(self, rates: Rates, default: Decimal | None) -> Rates:
        if rates.amount is not None or default is None:
            return rates
        key = ("default", rates, default)
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = rates.model_copy(update={"amount": default})
        return found

    def derived(self, derivation: Derivation, parent: tuple[Rates, Restrictions], own: Restrictions) -> Any:
        key = (derivation, parent, own)
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = (
                derivation.rates(parent[0], self.currency),
                derivation.restrictions(own, parent[1]),
            )
        return found


def _frozen(value: Any) -> Any:
    """A stored JSON value made hashable (by_occupancy comes back as a list of lists)."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


async def rate_cells_at(
    conn: AsyncConnection,
    property_code: str,
    keys: Iterable[CellKey],
    *,
    setup: PropertyCatalog | None = None,
) -> list[RateCell]:
    """The resolved cells of these keys: default rates where none is set, derived plans resolved.

    Ordered by room type, rate plan and night. A key of a room type or rate plan that is unknown,
    withdrawn or not sold together has no cell. `setup`: the property's catalog when the caller
    has just read it. Raises UnknownProperty.
    """
    if setup is None:
        setup = await load_catalog(conn, property_code)
    plans = await store.plan_setups(conn, setup.prop.id)
    types = {ref.code: ref.id for ref in setup.room_types.values() if ref.active}
    derivations = {code: plan.derivation for code, plan in plans.items()}
    wanted: set[tuple[str, int, date]] = set()
    for room_type, rate_plan, night in keys:
        plan, type_id = plans.get(rate_plan), types.get(room_type)
        if plan is not None and type_id is not None and type_id in plan.sells:
            wanted.add((rate_plan, type_id, night))
    needed = set(wanted)
    for code, type_id, night in wanted:  # a derived plan reads its ancestors' cells
        while (derivation := derivations.get(code)) is not None and derivation.parent in plans:
            code = derivation.parent
            needed.add((code, type_id, night))
    id_keys = sorted((plans[code].id, type_id, night) for code, type_id, night in needed)
    values = _Values(setup.prop.currency)
    stored_rates: dict[_IdKey, Rates] = {}
    stored_restrictions: dict[_IdKey, Restrictions] = {}
    rate_rows, restriction_rows = await store.rows_at(conn, id_keys)
    for row in rate_rows:
        stored_rates[(row.rate_plan_id, row.room_type_id, row.night)] = values.rates(row)
    for row in restriction_rows:
        stored_restrictions[(row.rate_plan_id, row.room_type_id, row.night)] = values.restrictions(row)
    resolved: dict[tuple[str, int, date], tuple[Rates, Restrictions]] = {}
    by_plan: dict[str, list[tuple[int, date]]] = {}
    for code, type_id, night in needed:
        by_plan.setdefault(code, []).append((type_id, night))
    for code in parents_first(derivations):
        plan, derivation = plans[code], derivations[code]
        for type_id, night in by_plan.get(code, ()):
            own = stored_restrictions.get((plan.id, type_id, night), _NO_RESTRICTIONS)
            if derivation is None:
                rates = stored_rates.get((plan.id, type_id, night), _NO_RATES)
                resolved[(code, type_id, night)] = (values.with_default(rates, plan.sells[type_id]), own)
                continue
            parent = resolved.get((derivation.parent, type_id, night), (_NO_RATES, _NO_RESTRICTIONS))
            resolved[(code, type_id, night)] = values.derived(derivation, parent, own)
    codes = {type_id: code for code, type_id in types.items()}
    cells = [
        # built without validation: every part was validated (or built) once above
        RateCell.model_construct(
            room_type=codes[type_id], rate_plan=code, night=night, rates=rates, restrictions=restrictions
        )
        for (code, type_id, night), (rates, restrictions) in resolved.items()
        if (code, type_id, night) in wanted
    ]
    cells.sort(key=lambda cell: (cell.room_type, cell.rate_plan, cell.night))
    return cells
