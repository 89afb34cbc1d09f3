"""`hotelhub pull`: the booking-pull state of every pulled channel, and one poll now."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from routes.booking_pull import PollResult
    from routes.pull_state import PullStatus

pull_app = typer.Typer(help="Booking pull from pull-model channels: state, poll now.", no_args_is_help=True)

console = Console()
err_console = Console(stderr=True)
PLAIN: dict[str, Any] = {"markup": False, "highlight": False, "soft_wrap": True}


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value is not None else "-"


def status_json(status: PullStatus) -> dict[str, Any]:
    """One partner's pull state as JSON (the CLI's --json and the REST API show the same fields)."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "partner": status.partner_id,
        "interval_s": status.interval_s,
        "alarm_after_s": status.alarm_after_s,
        "watched_since": iso(status.watched_since),
        "last_attempt_at": iso(status.last_attempt_at),
        "last_success_at": iso(status.last_success_at),
        "last_error_at": iso(status.last_error_at),
        "last_error": status.last_error,
        "overdue": status.overdue,
        "overdue_since": iso(status.overdue_since),
        "reservations_pulled": status.reservations_pulled,
        "paused": status.paused_reason,
    }


@pull_app.command("status")
def pull_status(
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table")] = False,
) -> None:
    """Each pulled channel: last successful poll, last error, overdue, paused (times in UTC)."""
    from hub.cli import _database_ready, _settings
    from hub.db import create_engine
    from routes.partners import load_partners
    from routes.pull_state import statuses

    settings = _settings()
    _database_ready(settings)

    async def main() -> list[PullStatus]:
        engine = create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return await statuses(conn, await load_partners(conn))
        finally:
            await engine.dispose()

    found = asyncio.run(main())
    if as_json:
        for status in found:
            console.print(json.dumps(status_json(status)), **PLAIN)
        return
    if not found:
        console.print("no pulled partners (outbound.pull in the configuration)", **PLAIN)
        return
    table = Table("partner", "every", "last success", "last error", "overdue since", "pulled", "paused")
    for status in found:
        error = f"{_when(status.last_error_at)} {status.last_error}" if status.last_error else "-"
        table.add_row(
            status.partner_id,
            f"{status.interval_s:g}s",
            _when(status.last_success_at),
            error,
            _when(status.overdue_since),
            str(status.reservations_pulled),
            status.paused_reason or "-",
        )
    console.print(table)


@pull_app.command("now")
def pull_now(partner: Annotated[str, typer.Option("--partner", help="the pulled partner's id")]) -> None:
    """Poll one pulled partner once now (waits for nothing: another process polling it says so)."""
    from hub.bootstrap import build_hub
    from hub.cli import _database_ready, _refuse_unsafe_start, _settings

    settings = _settings()
    _refuse_unsafe_start(settings)
    _database_ready(settings)

    # the outcome is the command's one line; the poller's own warning would say it twice
    logging.getLogger("hotelhub.pull").setLevel(logging.ERROR)

    async def main() -> PollResult:
        hub = build_hub(settings)
        assert hub.booking_pull is not None
        await hub.journal.start()  # the push path's journal; no consumer: serve or a worker applies
        try:
            return await hub.booking_pull.poll(partner, force=True)
        finally:
            await hub.stop()

    result = asyncio.run(main())
    if result.outcome == "ok":
        console.print(f"{partner}: polled: {result.accepted} accepted, {result.refused} refused", **PLAIN)
        return
    if result.outcome == "busy":
        err_console.print(f"{partner}: busy: another process is polling it now", **PLAIN)
        raise typer.Exit(1)
    err_console.print(f"{partner}: {result.outcome}: {result.error or '-'}", **PLAIN)
    raise typer.Exit(1)
