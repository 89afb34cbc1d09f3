"""The channel part of a demo run, in order: the bookings' availability reaches both channels; a rate
and restriction change goes out while one channel is down (its breaker opens, then it recovers and
catches up); a booking is pulled and acknowledged; every channel is compared with the core."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NoReturn

import httpx
from rich.console import Console

from hub.config import HubConfig, PropertyConfig
from hub.demo.channels import OUTAGE_PARTNER, PULLED_PARTNER, DemoChannel
from hub.demo.convergence import Verdict
from hub.demo.distribution import ChannelWatch, Distribution, ari_patches, channel_progress
from hub.demo.partners import SimulatedPartner
from hub.demo.pulled import PulledOutcome, pull_booking
from hub.demo.scenario import Planner
from routes.ari_policy import AvailabilityRules

# What a healthy channel answers; the outage's 500s are told, anything else is the hub's fault.
_EXPECTED_OUTCOMES = frozenset({"applied", "server_error"})


@dataclass
class ChannelPart:
    """What the channel part saw: each channel's watch and verdict, the pulled booking, problems."""

    watches: list[ChannelWatch]
    verdicts: list[Verdict] = field(default_factory=list)
    pulled: PulledOutcome = field(default_factory=PulledOutcome)
    problems: list[str] = field(default_factory=list)


def _answers_problems(channels: Mapping[str, DemoChannel]) -> list[str]:
    problems = []
    for channel in channels.values():
        calls = [*channel.push.calls, *(channel.pull.calls if channel.pull else [])]
        odd = Counter(f"{c.message} {c.outcome}" for c in calls if c.outcome not in _EXPECTED_OUTCOMES)
        problems += [f"{channel.partner_id} answered {what} {n} time(s)" for what, n in odd.items()]
    return problems


async def run_channels(
    console: Console,
    config: HubConfig,
    prop: PropertyConfig,
    channels: Mapping[str, DemoChannel],
    client: httpx.AsyncClient,
    base_url: str,
    *,
    nights: Sequence[date],
    partners: Sequence[SimulatedPartner],
    planner: Planner,
    now: datetime,
) -> ChannelPart:
    """Play the channel part with progress bars; say what happened in a line per step."""
    mappings = config.load_mappings()
    names = {p.id: p.name for p in config.partners}
    with channel_progress(console) as progress:
        watches = [
            ChannelWatch(
                channel,
                names[partner_id],
                mappings[partner_id].for_property(prop.code) or _unmapped(partner_id),
                progress.add_task(f"ARI to {names[partner_id]}", total=None, note=""),
                _rules(config, partner_id),
            )
            for partner_id, channel in channels.items()
        ]
        part = ChannelPart(watches)
        dist = Distribution(client, base_url, prop.code, watches, progress)
        say = progress.console.print
        if await dist.until(dist.drained, what="the bookings' availability to reach every channel"):
            say("channels: the bookings' availability sent to every channel")
        await dist.put_ari(ari_patches(nights))
        say(f"channels: rates and restrictions set through the API ({len(dist.changed)} cells changed)")
        down = dist.watch(OUTAGE_PARTNER)
        if await dist.outage(OUTAGE_PARTNER):
            failed = sum(1 for c in down.channel.push.calls if c.outcome == "server_error")
            say(
                f"channels: {down.name} was down: {failed} calls answered HTTP 500 and its breaker opened; "
                f"back up, the breaker closed and it caught up"
            )
        pulling = next(p for p in partners if p.partner_id == PULLED_PARTNER)
        part.pulled = await pull_booking(dist, PULLED_PARTNER, pulling, planner, now=now)
        part.verdicts = await dist.converge(prop.currency)
    pulled = part.pulled
    pull = channels[PULLED_PARTNER].pull
    if pulled.reservation is not None and pull is not None:
        # counted again after every channel converged: the hub kept polling meanwhile
        pulled.acks = sum(1 for ack in pull.acks if ack.reservation_id == pulled.reservation.reservation_id)
        if not pulled.problems and pulled.acks == pulled.booked == 1:
            console.print(
                f"channels: booking {pulled.reservation.reservation_id} pulled from {names[PULLED_PARTNER]}: "
                f"booked once, acknowledged once with confirmation {pulled.confirmation}"
            )
    for watch, verdict in zip(watches, part.verdicts, strict=True):
        compared = sum(verdict.compared.values())
        if not verdict.problems:
            held = f"; {watch.rules.hold_back} room(s) held back" if watch.rules.hold_back else ""
            console.print(f"channels: {watch.name} in step with the core ({compared} cells compared{held})")
    part.problems += dist.problems + pulled.problems + _answers_problems(channels)
    part.problems += [problem for verdict in part.verdicts for problem in verdict.problems]
    if "open" not in down.breakers_seen or down.breakers_seen[-1] != "closed":
        part.problems.append(f"{OUTAGE_PARTNER}'s breaker went {down.breakers_seen}, not open then closed")
    if pulled.acks != 1 or pulled.booked != 1:
        part.problems.append(
            f"the pulled booking: {pulled.booked} room stay(s) booked, {pulled.acks} acknowledgement(s)"
        )
    return part


def _rules(config: HubConfig, partner_id: str) -> AvailabilityRules:
    """The channel's own availability rules, as its configuration gives them."""
    partner = config.find_partner(partner_id)
    ari = partner.outbound.ari if partner is not None else None
    return ari.availability if ari is not None else AvailabilityRules()


def _unmapped(partner_id: str) -> NoReturn:
    raise LookupError(f"partner {partner_id} has no mapping for the demo property")
