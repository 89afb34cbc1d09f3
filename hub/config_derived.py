"""The rules of derived rate plans in the configuration file: parents, cycles, followed fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from canonical.ari import Restrictions
from hub.config_check import did_you_mean
from mappings.source import Loc

if TYPE_CHECKING:
    from hub.config import RatePlanConfig

Conflict = tuple[Loc, str]  # a key path relative to the section being validated, and why
RESTRICTION_FIELDS = frozenset(Restrictions.model_fields)  # what a derived plan may follow


def unknown_restrictions(names: Sequence[str]) -> list[Conflict]:
    """Names in a derived plan's `follow` that are no restriction, at their index."""
    known = sorted(RESTRICTION_FIELDS)
    return [
        ((i,), f"{name!r} is not a restriction{did_you_mean(name, known)}; one of {', '.join(known)}")
        for i, name in enumerate(names)
        if name not in RESTRICTION_FIELDS
    ]


def derivation_conflicts(plan: RatePlanConfig) -> list[Conflict]:
    """A derivation's keys on a plan that derives from nothing, or default rates on one that does."""
    if plan.derived_from is None:
        given = [key for key in ("adjust", "follow", "follow_restrictions") if getattr(plan, key)]
        return [((key,), "only a derived rate plan (derived_from) has this") for key in given]
    found: list[Conflict] = []
    if plan.derived_from == plan.code:
        found.append((("derived_from",), "a rate plan cannot derive from itself"))
    if plan.default_rates:
        found.append((("default_rates",), "a derived rate plan takes its rates from its parent"))
    if plan.follow and plan.follow_restrictions:
        found.append((("follow",), "give follow or follow_restrictions, not both"))
    return found


def parent_conflicts(rate_plans: Sequence[RatePlanConfig]) -> list[Conflict]:
    """Unknown parents, parents that do not sell a derived plan's room types, and cycles."""
    by_code = {plan.code: plan for plan in rate_plans}
    found: list[Conflict] = []
    for p, plan in enumerate(rate_plans):
        parent_code = plan.derived_from
        if parent_code is None or parent_code == plan.code:
            continue
        parent = by_code.get(parent_code)
        if parent is None:
            hint = did_you_mean(parent_code, sorted(by_code))
            found.append(((p, "derived_from"), f"unknown parent rate plan {parent_code!r}{hint}"))
            continue
        found += [
            ((p, "room_types", r), f"parent {parent.code} does not sell room type {code!r}")
            for r, code in enumerate(plan.room_types)
            if code not in parent.room_types
        ]
        chain = [plan.code]
        step: RatePlanConfig | None = parent
        while step is not None and step.code not in chain:
            chain.append(step.code)
            step = by_code.get(step.derived_from) if step.derived_from else None
        if step is not None and step.code == plan.code:
            cycle = " -> ".join([*chain, plan.code])
            found.append(((p, "derived_from"), f"rate plans derive from each other: {cycle}"))
    return found
