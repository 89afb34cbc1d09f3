"""What the demo shows at the end: availability per room type and night, the channels, a short summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from rich.console import Console
from rich.table import Table

from hub.demo.convergence import Verdict
from hub.demo.distribution import ChannelWatch

AvailabilityCells = Mapping[tuple[str, date], Mapping[str, int]]


def availability_table(
    cells: AvailabilityCells, room_types: Mapping[str, int], dates: Sequence[date], title: str
) -> Table:
    """Nights down, room types across; each cell: sold and available of the physical rooms."""
    table = Table(
        title=title,
        caption="sold / available (physical rooms in the header)",
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("night", no_wrap=True)
    for code, physical in room_types.items():
        table.add_column(f"{code} ({physical})", justify="right", no_wrap=True)
    for night in dates:
        row = [night.strftime("%a %d %b")]
        for code in room_types:
            cell = cells.get((code, night))
            if cell is None:
                row.append("-")
                continue
            available = cell["available"]
            colour = "red" if available < 0 else "yellow" if available == 0 else "green"
            row.append(f"{cell['sold']} / [{colour}]{available}[/{colour}]")
        table.add_row(*row)
    return table


@dataclass
class Tally:
    """Counts the demo keeps while partners push."""

    pushed: int = 0
    accepted: int = 0
    refused: int = 0
    by_step: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def count(self, step: str, accepted: bool) -> None:
        """Record one answered push."""
        self.pushed += 1
        self.by_step[step] = self.by_step.get(step, 0) + 1
        if accepted:
            self.accepted += 1
        else:
            self.refused += 1


def summary_table(tally: Tally, *, bookings: int, cancelled: int, dead_letters: int, seconds: float) -> Table:
    """The run in one small table."""
    table = Table(title="Summary", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    steps = ", ".join(f"{n} {step}" for step, n in tally.by_step.items())
    table.add_row("pushed", f"{tally.pushed}  ({steps})")
    table.add_row("accepted", str(tally.accepted))
    table.add_row("refused", str(tally.refused))
    table.add_row("bookings (room stays)", str(bookings))
    table.add_row("cancelled", str(cancelled))
    table.add_row("dead letters", str(dead_letters))
    table.add_row("time", f"{seconds:.1f} s")
    return table


def print_problems(console: Console, problems: Sequence[str]) -> None:
    """List what did not add up."""
    console.print(f"[bold red]{len(problems)} problem(s):[/bold red]")
    for problem in problems[:30]:
        console.print(f"  - {problem}")


def channels_table(watches: Sequence[ChannelWatch], verdicts: Sequence[Verdict]) -> Table:
    """Each channel: what it was sent and answered, its breaker, and how it compares with the core."""
    table = Table(title="Channels compared with the core", title_justify="left")
    for column in ("channel", "messages received", "breaker", "cells compared", "result"):
        table.add_column(column)
    by_partner = {v.partner_id: v for v in verdicts}
    for watch in watches:
        calls = Counter(
            _call_name(call.message, call.outcome, call.status) for call in watch.channel.push.calls
        )
        pull = watch.channel.pull
        if pull is not None:
            calls["reads"] += pull.reads
            calls["acknowledgements"] += len(pull.acks)
        verdict = by_partner.get(watch.channel.partner_id)
        compared = verdict.compared if verdict else {}
        result = (
            "no verdict"
            if verdict is None
            else "[green]in step[/green]"
            if not verdict.problems
            else f"[red]{len(verdict.problems)} difference(s)[/red]"
        )
        table.add_row(
            watch.name,
            ", ".join(f"{n} {what}" for what, n in sorted(calls.items())),
            " → ".join(watch.breakers_seen) or "-",
            ", ".join(f"{n} {section}" for section, n in compared.items()),
            result,
        )
    return table


_MESSAGES = {
    "OTA_HotelAvailNotifRQ": "restrictions",
    "OTA_HotelRateAmountNotifRQ": "rates",
    "OTA_HotelInvCountNotifRQ": "rooms left",
}


def _call_name(message: str, outcome: str, status: int) -> str:
    name = _MESSAGES.get(message, message)
    return name if outcome == "applied" else f"{name} answered HTTP {status} ({outcome})"
