"""`hotelhub audit close`: close a property's business date (the night audit) from the shell."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console

audit_app = typer.Typer(help="Night audit: close a property's business date.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)
PLAIN: dict[str, Any] = {"markup": False, "highlight": False, "soft_wrap": True}


def register(app: typer.Typer) -> None:
    """Add `audit` to the hotelhub command."""
    app.add_typer(audit_app, name="audit")


@audit_app.command("close")
def close(
    property_code: Annotated[str, typer.Option("--property", help="property code")],
    day: Annotated[
        str | None,
        typer.Option("--date", help="business date to close (YYYY-MM-DD; default: the current one)"),
    ] = None,
) -> None:
    """Close the business date: room and tax charges, no-shows, ledgers checked, the day frozen.

    Closing a day already closed answers it again and changes nothing; a refusal is one line, exit 1.
    """
    from canonical.errors import PermanentError
    from hub.ari_outbox import offline_table
    from hub.audit_close import close_day, outcome_line
    from hub.cli import _database_ready, _settings
    from hub.db import create_engine

    try:
        asked = None if day is None else date.fromisoformat(day)
    except ValueError:
        err_console.print(f"--date: {day!r} is not a date (YYYY-MM-DD)", **PLAIN)
        raise typer.Exit(1) from None
    settings = _settings()
    _database_ready(settings)

    async def main() -> str:
        engine = create_engine(settings.database_url)
        try:
            outcome, _ = await close_day(engine, offline_table(engine), property_code, asked)
            return outcome_line(outcome)
        finally:
            await engine.dispose()

    try:
        line = asyncio.run(main())
    except PermanentError as err:
        err_console.print(str(err), **PLAIN)
        raise typer.Exit(1) from None
    console.print(line, **PLAIN)
