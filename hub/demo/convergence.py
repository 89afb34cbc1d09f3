"""Does each channel show what the core holds? Every cell a channel was sent, compared with the core's
`GET …/ari` (resolved rates and restrictions, rooms left), under the channel's own codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from canonical.ari import RateCell
from mappings.model import PropertyMapping

# Nights read per request: well inside what GET …/ari and …/availability take at once.
READ_NIGHTS = 366
RateKey = tuple[str, str, date]  # hub room type, hub rate plan, night
Changed = tuple[str, str, str, date]  # section (rates, restrictions), hub room type, rate plan, night


@dataclass
class CoreCells:
    """The core's cells over some nights: resolved rate cells and rooms left, in hub codes."""

    rates: dict[RateKey, RateCell] = field(default_factory=dict)
    available: dict[tuple[str, date], int] = field(default_factory=dict)


def _spans(nights: Iterable[date]) -> list[tuple[date, date]]:
    """First to last of `nights`, cut into spans the API reads at once."""
    wanted = sorted(set(nights))
    spans: list[tuple[date, date]] = []
    if not wanted:
        return spans
    first, last = wanted[0], wanted[-1]
    while first <= last:
        to = min(last, first + timedelta(days=READ_NIGHTS - 1))
        spans.append((first, to))
        first = to + timedelta(days=1)
    return spans


async def _get(client: httpx.AsyncClient, url: str, first: date, last: date) -> Any:
    response = await client.get(url, params={"from": first.isoformat(), "to": last.isoformat()})
    response.raise_for_status()
    return response.json()


async def read_core(
    client: httpx.AsyncClient,
    base_url: str,
    property_code: str,
    *,
    rate_nights: Iterable[date],
    room_nights: Iterable[date],
) -> CoreCells:
    """The core's resolved rate cells (`GET …/ari`) over `rate_nights` and rooms left
    (`GET …/availability`, never below 0 as channels are sent it) over `room_nights`."""
    core = CoreCells()
    prefix = f"{base_url}/api/v1/properties/{property_code}"
    for first, last in _spans(rate_nights):
        for raw in (await _get(client, f"{prefix}/ari", first, last))["rates"]:
            cell = RateCell.model_validate(raw)
            core.rates[(cell.room_type, cell.rate_plan, cell.night)] = cell
    for first, last in _spans(room_nights):
        for row in await _get(client, f"{prefix}/availability", first, last):
            night = date.fromisoformat(row["stay_date"])
            core.available[(row["room_type_code"], night)] = max(int(row["available"]), 0)
    return core


def nights_shown(state: Mapping[str, Any], section: str) -> set[date]:
    """Every night one section of a channel's folded state (one hotel's) holds a value for."""
    nights: set[date] = set()
    for by_key in state.get(section, {}).values():
        if section == "availability":
            nights.update(by_key)  # room type -> night -> rooms
            continue
        for by_night in by_key.values():  # room type -> rate plan -> night -> value
            nights.update(by_night)
    return nights


def expected_rate(cell: RateCell, currency: str) -> dict[str, Any]:
    """A core rate cell as the channel folds it: a nightly amount goes out only without per-guest ones."""
    rates = cell.rates
    return {
        "amount": rates.amount if not rates.by_occupancy else None,
        "by_guests": dict(rates.by_occupancy),
        "extra_adult": rates.extra_adult,
        "extra_child": rates.extra_child,
        "currency": currency,
    }


@dataclass
class Verdict:
    """One channel compared with the core: cells compared per section, and every difference."""

    partner_id: str
    compared: dict[str, int] = field(
        default_factory=lambda: {"availability": 0, "rates": 0, "restrictions": 0}
    )
    problems: list[str] = field(default_factory=list)


def compare(
    partner_id: str,
    state: Mapping[str, Any],
    codes: PropertyMapping,
    core: CoreCells,
    *,
    currency: str,
    must_show: Iterable[Changed] = (),
    shown_rooms: Callable[[str, date, int], int] = lambda room_type, night, available: available,
) -> Verdict:
    """Compare every cell of one hotel's folded state with the core; `must_show` are the cells the
    channel has to hold (what the demo changed), so a channel that was sent nothing never passes;
    `shown_rooms` turns the core's rooms left into what this channel is shown (its own rules)."""
    verdict = Verdict(partner_id)
    room_of, plan_of = codes.room_types, codes.rate_plans

    def differ(what: str, shown: object, held: object) -> None:
        verdict.problems.append(f"{partner_id} {what}: the channel shows {shown}, the core holds {held}")

    for room_code, by_night in state.get("availability", {}).items():
        for night, count in by_night.items():
            verdict.compared["availability"] += 1
            room_type = room_of.get(room_code, "?")
            available = core.available.get((room_type, night))
            held = None if available is None else shown_rooms(room_type, night, available)
            if count != held:
                differ(f"rooms left {room_code} {night}", count, held)
    for section in ("rates", "restrictions"):
        for room_code, by_plan in state.get(section, {}).items():
            for plan_code, by_night in by_plan.items():
                for night, shown in by_night.items():
                    verdict.compared[section] += 1
                    cell = core.rates.get((room_of.get(room_code, "?"), plan_of.get(plan_code, "?"), night))
                    if cell is None:
                        differ(f"{section} {room_code}/{plan_code} {night}", shown, "no such cell")
                        continue
                    held_value = (
                        expected_rate(cell, currency)
                        if section == "rates"
                        else cell.restrictions.model_dump(exclude={"same_day_cutoff"})
                    )
                    if shown != held_value:
                        differ(f"{section} {room_code}/{plan_code} {night}", shown, held_value)
    for section, room, plan, night in must_show:
        for room_code in codes.hub_to_partner_room_types.get(room, ()):
            for plan_code in codes.hub_to_partner_rate_plans.get(plan, ()):
                if night not in state.get(section, {}).get(room_code, {}).get(plan_code, {}):
                    verdict.problems.append(
                        f"{partner_id} {section} {room_code}/{plan_code} {night}: changed, never shown"
                    )
    return verdict
