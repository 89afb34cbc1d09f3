"""The `hotelhub` command: serve, worker, demo, config, dead letters, database, topology."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from hub.cli_ari import ari_app
from hub.cli_audit import register as register_audit_commands
from hub.cli_channels import register as register_channel_commands
from hub.cli_folios import folio_app
from hub.cli_pull import pull_app
from hub.cli_stays import register as register_stay_commands
from hub.db import create_engine, is_sqlite
from hub.dlq_view import print_dead_letter, print_dead_letters, summary
from hub.logs import configure_logging
from hub.settings import HubSettings

app = typer.Typer(help="hotelhub: integration hub and channel manager for hotels.", no_args_is_help=True)
config_app = typer.Typer(help="Check and apply the configuration file.", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead letters: list, show, replay, discard.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
topology_app = typer.Typer(help="RabbitMQ topology derived from the routing table.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(dlq_app, name="dlq")
app.add_typer(db_app, name="db")
app.add_typer(topology_app, name="topology")
app.add_typer(ari_app, name="ari")
register_channel_commands(ari_app)
register_stay_commands(app)
register_audit_commands(app)
app.add_typer(pull_app, name="pull")
app.add_typer(folio_app, name="folio")

CONFIG_HELP = "configuration file to check and apply before starting (default HUB_CONFIG_FILE)"

console = Console()
err_console = Console(stderr=True)
# One line as written: no markup, colours or wrapping (a path or setting stays whole).
PLAIN: dict[str, Any] = {"markup": False, "highlight": False, "soft_wrap": True}


def _settings() -> HubSettings:
    """The settings from the environment; a bad one ends the command naming its variable (exit 2)."""
    try:
        return HubSettings()
    except ValidationError as err:
        for error in err.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            name = f"HUB_{field.upper()}" if field else "settings"
            reason = str(error["msg"]).removeprefix("Value error, ")
            err_console.print(f"{name}: {reason}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _pin(settings: HubSettings) -> None:
    """Keep this process (and the threads it starts) on HUB_CPU_AFFINITY's CPUs, when set."""
    cpus = settings.cpus
    if cpus is None:
        return
    if not hasattr(os, "sched_setaffinity"):
        err_console.print("HUB_CPU_AFFINITY is not supported on this platform: ignored")
        return
    try:
        os.sched_setaffinity(0, cpus)
    except OSError as err:
        err_console.print(
            f"HUB_CPU_AFFINITY={settings.cpu_affinity}: {err.strerror} (CPUs here: {_cpus_here()})"
        )
        raise typer.Exit(2) from None


def _cpus_here() -> str:
    return (
        ",".join(str(cpu) for cpu in sorted(os.sched_getaffinity(0)))
        if hasattr(os, "sched_getaffinity")
        else "?"
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (default HUB_HTTP_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default HUB_HTTP_PORT)")] = None,
    config: Annotated[Path | None, typer.Option(help=CONFIG_HELP)] = None,
) -> None:
    """Run the HTTP hub: embedded dispatcher unless HUB_BROKER_URL is set (then ingest only)."""
    import uvicorn

    from hub.app import create_app
    from hub.http_server import HubHttpProtocol

    settings = _settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    _pin(settings)
    _refuse_unsafe_start(settings, host=host or settings.http_host)
    _apply_at_start(settings, config)
    # Embedded, serve migrates its SQLite file itself; on PostgreSQL the operator migrates.
    _database_ready(settings, migrate=is_sqlite(settings.database_url))
    uvicorn.run(
        # With a broker, serve only ingests: the workers consume and relay.
        create_app(settings, consume=settings.embedded, settle=True),
        host=host or settings.http_host,
        port=port or settings.http_port,
        # httptools parses HTTP in C and uvloop runs the event loop in C: measured on the door,
        # about a third less CPU a push than h11 on asyncio's loop (uvloop has no Windows build);
        # HubHttpProtocol sends each answer in one write (hub/http_server.py).
        http=HubHttpProtocol,
        loop="asyncio" if sys.platform == "win32" else "uvloop",
        backlog=2048,
        log_config=None,
        access_log=False,
        server_header=False,
    )


def _database_ready(settings: HubSettings, *, migrate: bool = False) -> None:
    """Migrate (or only check) the database; one line naming what to run and exit 1 when it is not usable."""
    from hub.config_apply import migrate_database
    from hub.database_errors import DatabaseUnusable, require_schema

    url = settings.database_url
    try:
        asyncio.run(migrate_database(url) if migrate else require_schema(url))
    except DatabaseUnusable as err:
        err_console.print(err.line, **PLAIN)
        raise typer.Exit(err.status) from None


def _refuse_unsafe_start(settings: HubSettings, *, host: str | None = None) -> None:
    """End the command with one line and exit 2 when it would start unsafely (hub/preflight.py)."""
    from hub.preflight import open_api_refusal, vault_refusal

    refusal = (open_api_refusal(settings, host) if host is not None else None) or vault_refusal(settings)
    if refusal is not None:
        err_console.print(refusal, **PLAIN)
        raise typer.Exit(2)


@app.command()
def worker(
    config: Annotated[Path | None, typer.Option(help=CONFIG_HELP)] = None,
) -> None:
    """Run RabbitMQ consumers and the outbox relay until SIGTERM (finishes in-flight work)."""
    from hub.bootstrap import build_hub, settle_heap
    from hub.heartbeat import beat
    from routes.tasks import cancel_and_wait

    settings = _settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    _pin(settings)
    if settings.embedded:
        err_console.print("worker needs HUB_BROKER_URL; the embedded hub dispatches inside `serve`.")
        raise typer.Exit(2)
    _refuse_unsafe_start(settings)
    _apply_at_start(settings, config)
    _database_ready(settings)

    async def main() -> None:
        hub = build_hub(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await hub.start(consume=True, relay=True)
        settle_heap()

        async def alive() -> bool:
            return all((await hub.ready()).values())

        heartbeat = asyncio.create_task(
            beat(settings.worker_heartbeat_file, settings.worker_heartbeat_seconds, alive)
        )
        try:
            await stop.wait()
        finally:
            await cancel_and_wait(heartbeat)
            settings.worker_heartbeat_file.unlink(missing_ok=True)
            await hub.stop()

    asyncio.run(main())


@app.command("worker-health")
def worker_health(
    max_age: Annotated[float, typer.Option(help="seconds the heartbeat may be old")] = 30.0,
) -> None:
    """Exit 0 while the worker's heartbeat (HUB_WORKER_HEARTBEAT_FILE) is fresh, 1 otherwise."""
    from hub.heartbeat import heartbeat_age

    settings = _settings()
    age = heartbeat_age(settings.worker_heartbeat_file)
    if age is None:
        err_console.print(f"no worker heartbeat at {settings.worker_heartbeat_file}", **PLAIN)
        raise typer.Exit(1)
    if age > max_age:
        err_console.print(f"worker heartbeat is {age:.0f} s old (at most {max_age:g} s)", **PLAIN)
        raise typer.Exit(1)
    console.print(f"worker alive: heartbeat {age:.1f} s old")


@app.command()
def demo(
    bookings: Annotated[int, typer.Option(help="bookings per partner")] = 18,
    keep: Annotated[bool, typer.Option(help="keep the demo database afterwards")] = False,
) -> None:
    """Fresh SQLite hub, demo config, two partners pushing bookings; availability and dead letters."""
    from hub.demo.run import run_demo

    raise typer.Exit(asyncio.run(run_demo(console, bookings_per_partner=bookings, keep=keep)))


def _apply_at_start(settings: HubSettings, config: Path | None) -> None:
    """Check, migrate and apply the configuration file (--config, else HUB_CONFIG_FILE) before starting."""
    path = config or settings.config_file
    if path is not None:
        from hub.config_apply import apply_at_start

        apply_at_start(settings, path)


@config_app.command("check")
def config_check(
    file: Path,
    offline: Annotated[bool, typer.Option(help="do not consult HUB_DATABASE_URL's database")] = False,
) -> None:
    """Validate a configuration file; every problem names file, key path and reason."""
    from hub.config import read_config
    from hub.config_database import database_warnings

    reading = read_config(file)
    problems, note = list(reading.problems), None
    if not reading.errors and not offline:
        found, note = database_warnings(reading)
        problems += found
    # typer.echo, not rich: a problem stays one line whatever the terminal's width.
    for problem in problems:
        typer.echo(str(problem), err=problem.severity == "error")
    if note is not None:
        typer.echo(note)
    if reading.errors:
        typer.echo(f"{len(reading.errors)} error(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{file}: OK" + (f" ({len(problems)} warning(s))" if problems else ""))


@config_app.command("apply")
def config_apply(file: Path) -> None:
    """Migrate the database, then make it match a configuration file (idempotent)."""
    from hub.config_apply import ApplyRefused, apply_file

    settings = _settings()
    try:
        report = asyncio.run(apply_file(settings, file, warn=lambda line: typer.echo(line, err=True)))
    except ApplyRefused as err:
        for line in err.lines:
            typer.echo(line, err=True)
        raise typer.Exit(err.status) from None
    for line in report:
        typer.echo(line)


def _run_db(action: Any) -> Any:
    settings = _settings()
    _database_ready(settings)
    if not logging.getLogger().handlers:
        # a replay or discard writes its JSON log line (docs/support.md) where the hub's logs go
        configure_logging(settings.log_level, json_lines=settings.log_json)

    async def main() -> Any:
        engine = create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                return await action(conn)
        finally:
            await engine.dispose()

    return asyncio.run(main())


@dlq_app.command("list")
def dlq_list(
    status: Annotated[str, typer.Option(help="open, replayed, discarded or all")] = "open",
    partner: Annotated[str | None, typer.Option(help="only this partner")] = None,
    consumer: Annotated[str | None, typer.Option(help="only this consumer")] = None,
    limit: int = 50,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Dead letters, newest first."""
    from routes import deadletters

    rows = _run_db(
        lambda c: deadletters.list_letters(
            c, status=None if status == "all" else status, partner_id=partner, consumer=consumer, limit=limit
        )
    )
    if as_json:
        sys.stdout.write(json.dumps([summary(r) for r in rows], default=str, indent=2) + "\n")
        return
    print_dead_letters(console, rows)


@dlq_app.command("show")
def dlq_show(
    letter_id: int,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """One dead letter: what it is about, its error and history, actions, headers and messages."""
    from routes import deadletters

    letter = _run_db(lambda c: deadletters.get_letter(c, letter_id))
    if letter is None:
        err_console.print(f"dead letter {letter_id} does not exist")
        raise typer.Exit(1)
    if as_json:
        sys.stdout.write(json.dumps(letter, default=str, indent=2) + "\n")
        return
    print_dead_letter(console, letter)


@dlq_app.command("replay")
def dlq_replay(letter_id: int, actor: Annotated[str, typer.Option(help="who replays")] = "cli") -> None:
    """Send a dead letter back to its consumer."""
    from routes import deadletters

    try:
        message_id = _run_db(lambda c: deadletters.replay(c, letter_id, actor=actor))
    except deadletters.DeadLetterError as err:
        err_console.print(str(err))
        raise typer.Exit(1) from err
    console.print(f"dead letter {letter_id} replayed as message {message_id}")


@dlq_app.command("discard")
def dlq_discard(
    letter_id: int,
    reason: Annotated[str, typer.Option(help="why it is discarded (required)")],
    actor: Annotated[str, typer.Option(help="who discards")] = "cli",
) -> None:
    """Close a dead letter without delivering it."""
    from routes import deadletters

    try:
        _run_db(lambda c: deadletters.discard(c, letter_id, actor=actor, reason=reason))
    except deadletters.DeadLetterError as err:
        err_console.print(str(err))
        raise typer.Exit(1) from err
    console.print(f"dead letter {letter_id} discarded")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database (HUB_DATABASE_URL) to the latest schema, under the configuration lock."""
    from hub.config_apply import migrate_database
    from hub.database_errors import DatabaseUnusable

    try:
        asyncio.run(migrate_database(_settings().database_url, revision))
    except DatabaseUnusable as err:
        err_console.print(err.line, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(err.status) from None
    console.print("database is up to date")


@db_app.command("purge")
def db_purge() -> None:
    """Delete now what is past its keep time (HUB_RETAIN_*_DAYS) and expired idempotency keys."""
    from hub.housekeeping import Housekeeping

    settings = _settings()
    _database_ready(settings)

    async def main() -> dict[str, int]:
        engine = create_engine(settings.database_url)
        try:
            return await Housekeeping.for_settings(engine, settings).run_once()
        finally:
            await engine.dispose()

    for table, count in asyncio.run(main()).items():
        console.print(f"{table}: {count} deleted")


@topology_app.command("asyncapi")
def topology_asyncapi() -> None:
    """Print the RabbitMQ topology as an AsyncAPI document (JSON)."""
    from hub.bootstrap import build_hub
    from routes.rabbit.topology import asyncapi_document

    settings = _settings()
    _refuse_unsafe_start(settings)  # builds the vault: a bad key is one line
    hub = build_hub(settings)
    sys.stdout.write(json.dumps(asyncapi_document(hub.table), indent=2) + "\n")


if __name__ == "__main__":
    app()
