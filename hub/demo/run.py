"""`hotelhub demo`: a fresh hub, the demo hotel, two OTAs pushing bookings, ARI out to their simulated
channels (an outage, a pulled booking); then what the hub and every channel hold."""

from __future__ import annotations

import logging
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from hub.config import HubConfig, PropertyConfig, load_config
from hub.config_apply import apply_file
from hub.db import create_engine
from hub.demo import play
from hub.demo.channel_run import run_channels
from hub.demo.channels import DemoChannel, running_channels, write_demo_config
from hub.demo.gateway import DemoGateway, gateway_partner, running_gateway
from hub.demo.partners import SimulatedPartner
from hub.demo.report import Tally, availability_table, channels_table, print_problems, summary_table
from hub.demo.scenario import Hotel, Planner, write_scripts
from hub.demo.stage import DEMO_CONFIG, demo_settings, migrate, partner_passwords, serving, vault_key_file
from hub.demo.stay import run_stay
from hub.demo.stay_report import erp_tables, folio_table, print_checks
from hub.dlq_view import print_dead_letters
from hub.settings import HubSettings
from routes.deadletters import list_letters
from routes.partners import PartnerKind

KEPT_DATABASE = Path("demo-hotelhub.db")
KEPT_VAULT_KEY = Path("demo-hotelhub-vault.key")
DEMO_SEED = 2015
WINDOW_NIGHTS = 14
WINDOW_STARTS_IN_DAYS = 21
BOOKED_TIMEOUT_S = 20.0


@contextmanager
def _quiet_logs() -> Iterator[None]:
    # The progress bars are the demo's output; the hub's own warnings (a retried modification)
    # would only interleave with them. Errors still show.
    loggers = [logging.getLogger(name) for name in ("hotelhub", "uvicorn", "uvicorn.error", "alembic")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _partners(
    config: HubConfig,
    prop: PropertyConfig,
    passwords: dict[str, str],
    base_url: str,
    client: httpx.AsyncClient,
) -> list[SimulatedPartner]:
    mappings = config.load_mappings()
    prices = {
        (plan.code, room): rate for plan in prop.rate_plans for room, rate in plan.default_rates.items()
    }
    partners = []
    for partner in config.partners:
        codes = mappings[partner.id].for_property(prop.code) if partner.id in mappings else None
        if partner.kind.value != "ota" or codes is None:
            continue
        partners.append(
            SimulatedPartner(
                partner.id,
                partner.credentials.username,
                passwords[partner.id],
                codes.hotel_code,
                # a partner that knows a hub code by several codes books under the first
                {hub: partner[0] for hub, partner in codes.hub_to_partner_room_types.items()},
                {hub: partner[0] for hub, partner in codes.hub_to_partner_rate_plans.items()},
                base_url,
                client,
                name=partner.name,
                currency=prop.currency,
                prices=prices,
            )
        )
    return partners


def _hotel(prop: PropertyConfig, today: date) -> Hotel:
    return Hotel(
        physical={rt.code: len(rt.rooms) for rt in prop.room_types},
        max_occupancy={rt.code: rt.max_occupancy for rt in prop.room_types},
        rate_plans=tuple(plan.code for plan in prop.rate_plans),
        first_night=today + timedelta(days=WINDOW_STARTS_IN_DAYS),
        nights=WINDOW_NIGHTS,
    )


def _after(night: date) -> str:
    # One night past the window: covers the last night whether `to` is read inclusive or not.
    return (night + timedelta(days=1)).isoformat()


def _fresh_database(path: Path) -> Path:
    """The absolute path of a database file, with any earlier run's files removed."""
    path = path.resolve()
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return path


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


async def run_demo(console: Console, *, bookings_per_partner: int = 18, keep: bool = False) -> int:
    """Run the demo end to end; 0 when the hub and every channel hold exactly what they should, else 1."""
    started = time.perf_counter()
    example = load_config(DEMO_CONFIG, environ={})  # secrets are set below; reading needs none
    ota_partners = [p.id for p in example.partners if p.kind.value == "ota"]
    with tempfile.TemporaryDirectory(prefix="hotelhub-demo-") as tmp:
        db_path = _fresh_database(KEPT_DATABASE if keep else Path(tmp) / "hotelhub.db")
        settings = demo_settings(f"sqlite+aiosqlite:///{db_path}")
        async with running_channels(ota_partners) as channels, running_gateway() as gateway:
            card_gateway = gateway_partner(gateway, [p.code for p in example.properties])
            config_path = write_demo_config(DEMO_CONFIG, Path(tmp) / "demo.yaml", channels, [card_gateway])
            config = load_config(config_path, environ={})
            prop = config.properties[0]
            with partner_passwords(config) as passwords, _quiet_logs():
                pushing = sum(partner.kind is PartnerKind.OTA for partner in config.partners)
                console.print(
                    f"[bold]hotelhub demo[/bold]: {prop.name} ({prop.code}), "
                    f"{pushing} OTAs pushing {bookings_per_partner} bookings each "
                    f"({len(config.partners)} partners in all)"
                )
                for channel in channels.values():
                    kind = "ARI and booking pull" if channel.pull else "ARI"
                    console.print(f"channel {channel.partner_id}: simulator at {channel.url} ({kind})")
                console.print(f"payments {card_gateway['id']}: gateway simulator at {gateway.url}")
                console.print(await migrate(settings.database_url))
                for line in await apply_file(settings, config_path):
                    console.print(f"config: {line}")
                stage = Stage(settings, config, prop, passwords, channels, gateway)
                code = await _show(console, stage, bookings_per_partner, started)
        if keep:
            vault_key_file(settings, KEPT_VAULT_KEY)
            console.print(
                f"kept {db_path} (card vault key in {KEPT_VAULT_KEY}); look around with\n"
                f"  HUB_DATABASE_URL=sqlite+aiosqlite:///{db_path} HUB_CARD_VAULT_KEY_FILE={KEPT_VAULT_KEY} "
                "hotelhub dlq list"
            )
    return code


@dataclass(frozen=True)
class Stage:
    """What the demo runs on: the hub's settings, its configuration and property, the channels."""

    settings: HubSettings
    config: HubConfig
    prop: PropertyConfig
    passwords: dict[str, str]
    channels: dict[str, DemoChannel]
    gateway: DemoGateway


async def _show(console: Console, stage: Stage, count: int, started: float) -> int:
    settings, prop = stage.settings, stage.prop
    tally = Tally()
    hotel = _hotel(prop, datetime.now(UTC).date())
    now = datetime.now(UTC).replace(microsecond=0)
    async with serving(settings) as base_url, httpx.AsyncClient(timeout=15.0) as client:
        console.print(f"hub listening on {base_url} (embedded dispatcher, SQLite)")
        partners = _partners(stage.config, prop, stage.passwords, base_url, client)
        planner = Planner(hotel, random.Random(DEMO_SEED))
        scripts = write_scripts(partners, planner, count, now=now)
        with _progress(console) as progress:
            await play.play(scripts, progress, tally)
            expected = play.accepted(scripts)
            await play.await_bookings(
                client, base_url, prop.code, expected, progress, timeout_s=BOOKED_TIMEOUT_S
            )
        part = await run_channels(
            console,
            stage.config,
            prop,
            stage.channels,
            client,
            base_url,
            nights=hotel.dates,
            partners=partners,
            planner=planner,
            now=now,
        )
        tally.problems += part.problems
        if part.pulled.reservation is not None and part.pulled.reservation.references:
            expected.append(part.pulled.reservation)
        rows = await play.fetch_bookings(client, base_url, prop.code)
        tally.problems += play.booking_problems(expected, rows)
        response = await client.get(
            f"{base_url}/api/v1/properties/{prop.code}/availability",
            params={"from": hotel.dates[0].isoformat(), "to": _after(hotel.dates[-1])},
        )
        response.raise_for_status()
        cells = {(r["room_type_code"], date.fromisoformat(r["stay_date"])): r for r in response.json()}
        tally.problems += play.availability_problems(cells, play.expected_sold(expected))
        # after the bookings are compared: the stay's direct booking is nobody's push
        stage.gateway.send_webhooks_to(base_url)
        stay = await run_stay(console, stage.config, prop, stage.gateway, client, base_url, stage.passwords)
        tally.problems += stay.problems
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            letters = await list_letters(conn, status="open", limit=100)
    finally:
        await engine.dispose()
    unmapped = sum(1 for script in scripts for phase in script.phases for p in phase if p.step == "unmapped")
    if len(letters) != unmapped:
        tally.problems.append(f"{len(letters)} dead letter(s), expected {unmapped}")

    console.print(
        availability_table(
            cells,
            hotel.physical,
            hotel.dates,
            f"Availability of {prop.code}, {hotel.dates[0]} to {hotel.dates[-1]}",
        )
    )
    print_dead_letters(console, letters)
    console.print(channels_table(part.watches, part.verdicts))
    if stay.folio is not None:
        console.print(folio_table(stay.folio))
    if stay.erp_day is not None:
        console.print(erp_tables(stay.erp_day))
    print_checks(console, stay.checks)
    cancelled = sum(1 for r in rows if r["status"] == "cancelled")
    console.print(
        summary_table(
            tally,
            bookings=len(rows) - cancelled,
            cancelled=cancelled,
            dead_letters=len(letters),
            seconds=time.perf_counter() - started,
        )
    )
    if tally.problems:
        print_problems(console, tally.problems)
        return 1
    console.print("[bold green]everything adds up[/bold green]")
    return 0
