"""The demo's channel part: ARI leaving for both channels, an outage that opens one channel's breaker
and its recovery, a booking pulled from a channel and acknowledged, and every channel compared with
the core at the end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn

from connectors.ota.simulator import Answer
from hub.demo.channels import DemoChannel
from hub.demo.convergence import Changed, CoreCells, Verdict, compare, nights_shown, read_core
from mappings.model import PropertyMapping
from routes.ari_policy import AvailabilityRules

Status = dict[str, Any]
POLL_S = 0.1
PHASE_TIMEOUT_S = 20.0


def ari_patches(nights: Sequence[date]) -> list[dict[str, Any]]:
    """The demo's rate and restriction changes over its window: per-guest prices, dearer weekends,
    a minimum stay on Saturdays, closed to arrival on Sundays, a stop-sell, an extra-child price."""
    span = {"from": nights[0].isoformat(), "to": nights[-1].isoformat()}
    first_three = {"from": nights[0].isoformat(), "to": nights[2].isoformat()}
    return [
        {
            "room_type": "DBL",
            "rate_plan": "BAR",
            **span,
            "rates": {"amount": "185.00", "by_occupancy": [[1, "160.00"], [2, "185.00"]]},
        },
        {
            "room_type": "DSUP",
            "rate_plan": "BAR",
            **span,
            "days": ["fri", "sat"],
            "rates": {"amount": "265.00"},
        },
        {"room_type": "FAM", "rate_plan": "BAR", **span, "rates": {"extra_child": "35.00"}},
        {"room_type": "JSU", **span, "days": ["sat"], "restrictions": {"min_los": 2}},
        {
            "room_type": "DBL",
            "rate_plan": "NREF",
            **span,
            "days": ["sun"],
            "restrictions": {"closed_to_arrival": True},
        },
        {"room_type": "FAM", **first_three, "restrictions": {"closed": True}},
    ]


def changed_cells(changes: Sequence[Mapping[str, Any]]) -> list[Changed]:
    """The rate and restriction cells a PUT's announced changes name."""
    cells: list[Changed] = []
    for change in changes:
        if change.get("rate_plan") is None:
            continue
        first, last = date.fromisoformat(change["first_night"]), date.fromisoformat(change["last_night"])
        for kind in change["kinds"]:
            if kind in ("rates", "restrictions"):
                cells += [
                    (kind, change["room_type"], change["rate_plan"], first + timedelta(days=d))
                    for d in range((last - first).days + 1)
                ]
    return cells


@dataclass
class ChannelWatch:
    """One channel as the demo follows it: its bar, its last ARI status, the breaker states seen."""

    channel: DemoChannel
    name: str
    codes: PropertyMapping
    task: TaskID
    rules: AvailabilityRules = field(default_factory=AvailabilityRules)  # what only this channel is shown
    status: Status = field(default_factory=dict)
    breakers_seen: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def pending(self) -> int:
        """Cells waiting to be sent to the channel."""
        return int(self.status.get("pending_cells", 0))

    @property
    def breaker(self) -> str | None:
        """The channel's breaker as the hub last saw it."""
        return self.status.get("breaker")


def channel_progress(console: Console) -> Progress:
    """Bars of cells sent to each channel, with what the channel is going through beside them."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        console=console,
    )


class Distribution:
    """Follows the hub's ARI distributor to the demo's channels through the operator API."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        property_code: str,
        watches: Sequence[ChannelWatch],
        progress: Progress,
    ) -> None:
        self.client, self.base_url, self.property_code = client, base_url, property_code
        self.watches = list(watches)
        self.progress = progress
        self.problems: list[str] = []
        self.changed: list[Changed] = []

    def watch(self, partner_id: str) -> ChannelWatch:
        """The watch of one channel."""
        return next(w for w in self.watches if w.channel.partner_id == partner_id)

    async def refresh(self) -> None:
        """Read every channel's ARI status; move its bar (cells sent, of those sent and pending)."""
        for watch in self.watches:
            response = await self.client.get(
                f"{self.base_url}/api/v1/partners/{watch.channel.partner_id}/ari-status"
            )
            response.raise_for_status()
            watch.status = response.json()
            if watch.breaker and (not watch.breakers_seen or watch.breakers_seen[-1] != watch.breaker):
                watch.breakers_seen.append(watch.breaker)
            sent = int(watch.status["cells_sent"])
            state = f"breaker {watch.breaker or '-'}"
            self.progress.update(
                watch.task,
                completed=sent,
                total=sent + watch.pending,
                note=f"{state}, {watch.note}" if watch.note else state,
            )

    async def until(self, done: Callable[[], bool], *, what: str, timeout_s: float = PHASE_TIMEOUT_S) -> bool:
        """Follow the channels until `done()` holds; a problem naming `what` when it never does."""
        deadline = time.monotonic() + timeout_s
        while True:
            await self.refresh()
            if done():
                return True
            if time.monotonic() > deadline:
                self.problems.append(f"timed out after {timeout_s:.0f} s waiting for {what}")
                return False
            await asyncio.sleep(POLL_S)

    def drained(self) -> bool:
        """Nothing is pending for any channel."""
        return all(w.pending == 0 for w in self.watches)

    async def put_ari(self, patches: list[dict[str, Any]]) -> None:
        """Set rates and restrictions through the operator API; keep the cells it changed."""
        response = await self.client.put(
            f"{self.base_url}/api/v1/properties/{self.property_code}/ari", json={"patches": patches}
        )
        if response.status_code != 200:
            self.problems.append(f"PUT …/ari answered {response.status_code}: {response.text[:300]}")
            return
        self.changed += changed_cells(response.json()["changes"])

    async def outage(self, partner_id: str) -> bool:
        """The channel answers HTTP 500 while the new ARI is sent: wait for its breaker to open while
        the other channels get theirs; then it answers again and must catch up."""
        down = self.watch(partner_id)
        down.channel.push.behave(answer=Answer.SERVER_ERROR)
        down.note = "down (HTTP 500)"
        others = [w for w in self.watches if w is not down]
        opened = await self.until(
            lambda: down.breaker == "open" and all(w.pending == 0 for w in others),
            what=f"{partner_id}'s breaker to open while the other channels get their ARI",
        )
        down.channel.push.behave(answer=Answer.SUCCESS)
        down.note = "back, catching up"
        recovered = await self.until(
            lambda: down.breaker == "closed" and down.pending == 0,
            what=f"{partner_id} to recover and catch up",
        )
        down.note = "recovered" if recovered else "did not recover"
        return opened and recovered

    async def converge(self, currency: str) -> list[Verdict]:
        """Compare every channel with the core until all agree (changes may still be on their way)."""
        deadline = time.monotonic() + PHASE_TIMEOUT_S
        while True:
            await self.refresh()
            verdicts = await self._verdicts(currency)
            if all(not v.problems for v in verdicts) or time.monotonic() > deadline:
                return verdicts
            await asyncio.sleep(POLL_S * 2)

    async def _verdicts(self, currency: str) -> list[Verdict]:
        states = {
            w.channel.partner_id: w.channel.push.state().get(w.codes.hotel_code, {}) for w in self.watches
        }
        shown = states.values()
        core: CoreCells = await read_core(
            self.client,
            self.base_url,
            self.property_code,
            rate_nights=[
                n for st in shown for sec in ("rates", "restrictions") for n in nights_shown(st, sec)
            ],
            room_nights=[n for st in shown for n in nights_shown(st, "availability")],
        )
        return [
            compare(
                w.channel.partner_id,
                states[w.channel.partner_id],
                w.codes,
                core,
                currency=currency,
                must_show=self.changed,
                shown_rooms=w.rules.shown,
            )
            for w in self.watches
        ]
