"""`hotelhub ari resync` and `hotelhub ari status`: send a channel all again; its distribution state."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from routes.ari_resync import Resync
    from routes.ari_state import AriStatus

console = Console()
err_console = Console(stderr=True)
PLAIN: dict[str, Any] = {"markup": False, "highlight": False, "soft_wrap": True}
Partner = Annotated[str, typer.Option("--partner", help="the channel's partner id")]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def ari_resync(
    partner: Partner,
    first: Annotated[
        datetime | None, typer.Option("--from", help="first night (default today, UTC)", formats=["%Y-%m-%d"])
    ] = None,
    last: Annotated[
        datetime | None,
        typer.Option("--to", help="last night, included (default 365 nights on)", formats=["%Y-%m-%d"]),
    ] = None,
) -> None:
    """Mark every cell a channel receives over the range pending; a running hub sends them."""
    from canonical.base import utcnow
    from hub.cli import _database_ready, _settings
    from hub.db import create_engine
    from routes.ari_resync import ResyncRefused, mark_resync, resync_range

    settings = _settings()
    _database_ready(settings)
    try:
        start, end = resync_range(
            first.date() if first else None, last.date() if last else None, utcnow().date()
        )
    except ResyncRefused as err:
        err_console.print(str(err), **PLAIN)
        raise typer.Exit(2) from None

    async def main() -> Resync:
        engine = create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                return await mark_resync(conn, partner, start, end)
        finally:
            await engine.dispose()

    try:
        done = asyncio.run(main())
    except ResyncRefused as err:
        err_console.print(str(err), **PLAIN)
        raise typer.Exit(1) from None
    complete = "; rooms left as one complete set" if done.complete_set else ""
    console.print(f"{partner}: {done.cells} cells pending, {done.first} to {done.last}{complete}", **PLAIN)


def status_json(found: AriStatus) -> dict[str, Any]:
    """One channel's distribution state as JSON (the REST API shows the same fields and the breaker)."""
    return {
        "partner": found.partner_id,
        "pending_cells": found.pending_cells,
        "urgent_cells": found.urgent_cells,
        "oldest_pending_change": _iso(found.oldest_pending),
        "last_sent_at": _iso(found.state.last_sent_at),
        "last_answer": found.state.last_answer,
        "last_answer_text": found.state.last_answer_text,
        "last_answer_at": _iso(found.state.last_answer_at),
        "messages_sent": found.state.messages_sent,
        "cells_sent": found.state.cells_sent,
        "paused": found.paused,
    }


def ari_status(partner: Partner) -> None:
    """A channel's ARI distribution: pending cells, oldest pending change, last send and answer (JSON)."""
    from hub.cli import _database_ready, _settings
    from hub.db import create_engine
    from routes.ari_channels import is_ari_channel
    from routes.ari_state import status
    from routes.partners import load_partners

    settings = _settings()
    _database_ready(settings)

    async def main() -> AriStatus | None:
        engine = create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                record = next((p for p in await load_partners(conn) if p.id == partner), None)
                if record is None or not is_ari_channel(record):
                    return None
                return await status(conn, partner, record.paused_reason if record.paused_at else None)
        finally:
            await engine.dispose()

    found = asyncio.run(main())
    if found is None:
        err_console.print(f"partner {partner} receives no ARI", **PLAIN)
        raise typer.Exit(1)
    console.print(json.dumps(status_json(found)), **PLAIN)


def register(ari_app: typer.Typer) -> None:
    """Add `resync` and `status` to `hotelhub ari`."""
    ari_app.command("resync")(ari_resync)
    ari_app.command("status")(ari_status)
