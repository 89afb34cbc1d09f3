"""The demo's pulled booking: a channel holds a new reservation, the hub polls it, books it once and
acknowledges it with its confirmation number."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hub.demo import play
from hub.demo.distribution import PHASE_TIMEOUT_S, POLL_S, Distribution
from hub.demo.partners import SimulatedPartner
from hub.demo.scenario import Planner, Reservation

PULLED_NUMBER = 900  # the reservation's running number, apart from the pushed ones


@dataclass
class PulledOutcome:
    """What became of the pulled reservation: booked rows and acknowledgements seen, problems."""

    reservation: Reservation | None = None
    booked: int = 0
    acks: int = 0
    confirmation: str | None = None
    problems: list[str] = field(default_factory=list)


async def pull_booking(
    dist: Distribution, partner_id: str, partner: SimulatedPartner, planner: Planner, *, now: datetime
) -> PulledOutcome:
    """Put one new reservation at the pull channel; wait until the hub has acknowledged and booked it."""
    outcome = PulledOutcome()
    watch = dist.watch(partner_id)
    pull = watch.channel.pull
    stays = planner.stays(1)
    if pull is None or stays is None:
        outcome.problems.append(f"{partner_id}: no pull channel or no room left for a pulled booking")
        return outcome
    spec = partner.reservation(planner.rng, PULLED_NUMBER, stays, at=now - timedelta(minutes=20))
    res = Reservation(partner_id, spec, stays, soap=False)
    outcome.reservation = res
    pull.add(partner.notif(spec, "Commit"))
    watch.note = "holds a booking to pull"

    def acknowledged() -> bool:
        return any(ack.reservation_id == res.reservation_id for ack in pull.acks)

    if not await dist.until(acknowledged, what=f"the hub to pull and acknowledge {res.reservation_id}"):
        return outcome
    acks = [ack for ack in pull.acks if ack.reservation_id == res.reservation_id]
    outcome.acks = len(acks)
    outcome.confirmation = acks[0].confirmation
    if acks[0].confirmation is None:
        outcome.problems.append(f"{res.reservation_id} acknowledged with an error: {acks[0].error_text}")
        return outcome
    res.references = (acks[0].confirmation,)
    rows: list[play.Row] = []

    async def booked() -> bool:
        nonlocal rows
        rows = [
            r
            for r in await play.fetch_bookings(dist.client, dist.base_url, dist.property_code)
            if (r["partner_id"], r["partner_reservation_id"]) == (partner_id, res.reservation_id)
        ]
        return play.settled(res, rows)

    for _ in range(int(PHASE_TIMEOUT_S / POLL_S)):
        if await booked():
            break
        await dist.refresh()
        await asyncio.sleep(POLL_S)
    else:
        outcome.problems.append(
            f"{res.reservation_id}: acknowledged but the hub holds {len(rows)} booking row(s)"
        )
    outcome.booked = len(rows)
    watch.note = "booking pulled"
    return outcome
