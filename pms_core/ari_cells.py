"""ARI cells in plain Python: patches applied to a night, the fields that changed, events of runs.

A cell's stored values are canonical `Rates` and `Restrictions` as the operator set them (None:
not set). Patches are turned into field updates once, then applied night by night; what a
`SetAri` changed is the set of fields that differ afterwards, so a patch that sets a value a
night already has changes nothing, and emits nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from canonical.ari import AriChanged, AriKind, AriPatch, Rates, Restrictions

RATE_FIELDS = frozenset(Rates.model_fields)
RESTRICTION_FIELDS = frozenset(Restrictions.model_fields)
_CLEARED: dict[str, Any] = {"by_occupancy": ()}  # what `clear` sets a field to (else None)


@dataclass(frozen=True, slots=True)
class FieldUpdates:
    """A patch as the values it sets: rate fields and restriction fields by name."""

    rates: Mapping[str, Any]
    restrictions: Mapping[str, Any]

    @property
    def names(self) -> frozenset[str]:
        """Every field the patch sets or clears."""
        return frozenset(self.rates) | frozenset(self.restrictions)

    def only(self, allowed: frozenset[str]) -> FieldUpdates:
        """The same updates limited to the fields `allowed`."""
        return FieldUpdates(
            {k: v for k, v in self.rates.items() if k in allowed},
            {k: v for k, v in self.restrictions.items() if k in allowed},
        )


def updates_of(patch: AriPatch) -> FieldUpdates:
    """The field values a patch sets: given fields, then cleared ones."""
    rates: dict[str, Any] = {}
    restrictions: dict[str, Any] = {}
    if patch.rates is not None:
        rates = {name: value for name, value in patch.rates if value is not None}
    if patch.restrictions is not None:
        restrictions = {name: value for name, value in patch.restrictions if value is not None}
    if isinstance(restrictions.get("same_day_cutoff"), time):
        # stored to the minute: a patch with seconds must compare equal to what is stored
        cutoff: time = restrictions["same_day_cutoff"]
        restrictions["same_day_cutoff"] = time(cutoff.hour, cutoff.minute)
    for name in patch.clear:
        target = rates if name in RATE_FIELDS else restrictions
        target[name] = _CLEARED.get(name)
    return FieldUpdates(rates, restrictions)


@dataclass(slots=True)
class Cell:
    """One night of one (room type, rate plan): stored values and the fields changed so far."""

    rates: Rates = Rates()
    restrictions: Restrictions = Restrictions()
    changed: set[str] = field(default_factory=set)
    start: tuple[Rates, Restrictions] | None = None

    def apply(self, updates: FieldUpdates) -> None:
        """Set the updates' fields on this night, remembering its values before the first change."""
        rates = {k: v for k, v in updates.rates.items() if getattr(self.rates, k) != v}
        restrictions = {k: v for k, v in updates.restrictions.items() if getattr(self.restrictions, k) != v}
        if not rates and not restrictions:
            return
        if self.start is None:
            self.start = (self.rates, self.restrictions)
        if rates:
            self.rates = self.rates.model_copy(update=rates)
        if restrictions:
            self.restrictions = self.restrictions.model_copy(update=restrictions)
        self.changed |= rates.keys() | restrictions.keys()

    def really_changed(self) -> set[str]:
        """The fields that differ from before the first patch (a value set back is no change)."""
        if self.start is None:
            return set()
        rates, restrictions = self.start
        return {
            name
            for name in self.changed
            if getattr(rates if name in RATE_FIELDS else restrictions, name)
            != getattr(self.rates if name in RATE_FIELDS else self.restrictions, name)
        }


def kinds_of(fields: Iterable[str]) -> frozenset[AriKind]:
    """The ARI kinds these changed fields belong to."""
    kinds = set()
    for name in fields:
        kinds.add(AriKind.RATES if name in RATE_FIELDS else AriKind.RESTRICTIONS)
    return frozenset(kinds)


def runs(nights: Mapping[date, frozenset[AriKind]]) -> list[tuple[date, date, frozenset[AriKind]]]:
    """Contiguous nights with the same kinds, as (first, last, kinds), in date order."""
    found: list[tuple[date, date, frozenset[AriKind]]] = []
    for night in sorted(nights):
        kinds = nights[night]
        if not kinds:
            continue
        if found and found[-1][2] == kinds and (night - found[-1][1]).days == 1:
            found[-1] = (found[-1][0], night, kinds)
        else:
            found.append((night, night, kinds))
    return found


def changed_events(
    property_code: str,
    room_type: str,
    rate_plan: str | None,
    nights: Mapping[date, frozenset[AriKind]],
    *,
    urgent: bool = False,
) -> list[AriChanged]:
    """One `ari.changed.v1` per contiguous run of nights with the same changed kinds."""
    return [
        AriChanged(
            property=property_code,
            room_type=room_type,
            rate_plan=rate_plan,
            first_night=first,
            last_night=last,
            kinds=kinds,
            urgent=urgent,
        )
        for first, last, kinds in runs(nights)
    ]


AVAILABILITY = frozenset({AriKind.AVAILABILITY})


def availability_events(
    property_code: str, room_type: str, nights: Iterable[date], *, urgent: bool = False
) -> list[AriChanged]:
    """One availability `ari.changed.v1` per contiguous run of these nights of one room type."""
    return changed_events(property_code, room_type, None, dict.fromkeys(nights, AVAILABILITY), urgent=urgent)
