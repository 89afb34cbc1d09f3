"""`hotelhub config apply` and the apply at start: migrate, lock, make the database match the file.

The configuration is the desired state. Properties, room types, rooms and rate plans are upserted
(what the file drops is withdrawn, never deleted); partners are upserted, and a partner the file
no longer names is disabled (kept with its history, enabled again if it comes back). One apply is
one transaction under the configuration lock: PostgreSQL takes ``pg_advisory_xact_lock`` (and
migrates inside it), SQLite's ``BEGIN IMMEDIATE`` already holds its single write lock. So two
processes starting together apply once: the second finds nothing to change.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.config import HubConfig, MissingSecretError, read_config
from hub.config_audit import apply_audit_config
from hub.config_resync import resync_changed, what_channels_receive
from hub.database_errors import DatabaseUnusable, engine_for, migrating, reach
from hub.db import is_sqlite
from hub.schema import upgrade_async
from hub.settings import HubSettings, environment
from mappings.loader import load_mapping
from pms_core.setup import apply_property
from pms_core.sold_beyond import sold_beyond
from routes.partners import PartnerSpec, disable_absent, release_usernames, upsert_partner
from routes.payment_gateways import apply_gateways
from routes.pull_policy import OutboundLogin

NO_CHANGES = "no changes"
# One application-wide key: every apply of any configuration waits for the one before it.
CONFIG_LOCK_KEY = int.from_bytes(b"hotelhub", "big")

log = logging.getLogger("hotelhub.config")


class ApplyRefused(Exception):
    """Nothing was applied: one line per reason (as `config check` prints them) and an exit status."""

    def __init__(self, lines: list[str], status: int) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
        self.status = status


async def take_config_lock(conn: AsyncConnection) -> None:
    """Hold the configuration lock until this transaction ends."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CONFIG_LOCK_KEY})
    # SQLite: the transaction began with BEGIN IMMEDIATE, which already serialises every writer.


async def apply_config(engine: AsyncEngine, config: HubConfig, environ: Mapping[str, str]) -> list[str]:
    """Apply a loaded configuration to a migrated database: one line per change, or `no changes`."""
    secrets = partner_secrets(config, environ)
    async with engine.begin() as conn:
        await take_config_lock(conn)
        lines = await _apply(conn, config, secrets)
    return lines or [NO_CHANGES]


def partner_secrets(config: HubConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """Every partner's password from its variable; MissingSecretError before anything is written."""
    return {p.id: p.inbound_password(environ).get_secret_value() for p in config.partners}


async def _apply(conn: AsyncConnection, config: HubConfig, secrets: Mapping[str, str]) -> list[str]:
    lines: list[str] = []
    for command in config.property_commands():
        # Read before the rooms go: the nights that will have more rooms sold than are left.
        stranded = await sold_beyond(conn, command)
        report = await apply_property(conn, command)
        if report.ari_changes:  # rooms added or withdrawn: channels learn the new availability
            from canonical.ari import ARI_CHANGED_V1
            from hub.ari_outbox import offline_table, write_routed

            await write_routed(
                conn,
                offline_table(conn.engine),
                [(ARI_CHANGED_V1, e) for e in report.ari_changes],
                property_code=command.code,
            )
        if report.created:
            lines.append(f"property {command.code}: created")
        elif report.changed:
            lines.append(f"property {command.code}: updated: {'; '.join(report.changes)}")
        lines += [f"property {command.code}: warning: {nights.describe()}" for nights in stranded]
    from hub.config_folio import apply_folio_codes

    lines += await apply_folio_codes(conn, config.properties)
    lines += await apply_audit_config(conn, config.properties)
    specs = [
        PartnerSpec(
            id=partner.id,
            kind=partner.kind.value,
            name=partner.name,
            grants=frozenset(partner.properties),
            username=partner.credentials.username,
            secret=secrets[partner.id],
            outbound_url=str(partner.outbound.url) if partner.outbound.url else None,
            policy=partner.outbound.policy,
            pull=partner.outbound.pull,
            ari=partner.outbound.ari,
            outbound_login=None
            if partner.outbound.credentials is None
            else OutboundLogin(**partner.outbound.credentials.model_dump()),
            mapping=load_mapping(partner.mapping).model_dump(mode="json") if partner.mapping else {},
        )
        for partner in config.partners
    ]
    receiving = await what_channels_receive(conn)  # to resync a channel whose mapping this changes
    await release_usernames(conn, specs)
    for spec in specs:
        outcome = await upsert_partner(conn, spec)
        if outcome != "unchanged":
            lines.append(f"partner {spec.id}: {outcome}")
    for partner_id in await disable_absent(conn, [spec.id for spec in specs]):
        lines.append(f"partner {partner_id}: disabled (no longer in the configuration)")
    lines += await apply_gateways(conn, [(p.id, p.payments) for p in config.partners if p.payments])
    lines += await resync_changed(conn, receiving)
    return lines


async def apply_file(
    settings: HubSettings, path: Path, *, warn: Callable[[str], object] | None = None
) -> list[str]:
    """Check a configuration file, migrate the database, and apply the file under the lock.

    Raises ApplyRefused, with every line to show, when the file has an error, a partner's secret
    is missing, or the database cannot be reached or migrated: then nothing is written. The
    file's warnings go to ``warn``.
    """
    environ = environment()
    reading = read_config(path, environ)
    if reading.config is None or reading.errors:
        raise ApplyRefused([str(problem) for problem in reading.errors], 1)
    for problem in reading.warnings:
        if warn is not None:
            warn(str(problem))
    try:
        secrets = partner_secrets(reading.config, environ)
        return await _migrate_and_apply(settings.database_url, reading.config, secrets)
    except MissingSecretError as err:
        raise ApplyRefused([str(err)], 1) from None
    except DatabaseUnusable as err:
        raise ApplyRefused([err.line], err.status) from None


async def _migrate_and_apply(url: str, config: HubConfig, secrets: Mapping[str, str]) -> list[str]:
    engine = engine_for(url)
    try:
        await reach(engine)
        if is_sqlite(url):
            # Alembic's own BEGIN IMMEDIATE serialises migrations; the apply then waits its turn.
            async with migrating(url):
                await upgrade_async(url)
        async with engine.begin() as conn:
            await take_config_lock(conn)
            if not is_sqlite(url):
                # Under the lock, so two processes on a fresh database do not both create tables.
                async with migrating(url):
                    await upgrade_async(url)
            lines = await _apply(conn, config, secrets)
    finally:
        await engine.dispose()
    return lines or [NO_CHANGES]


async def migrate_database(url: str, revision: str = "head") -> None:
    """`hotelhub db upgrade`: migrate under the configuration lock; DatabaseUnusable in one line."""
    engine = engine_for(url)
    try:
        await reach(engine)
        if is_sqlite(url):  # the migration's own BEGIN IMMEDIATE is the lock
            async with migrating(url):
                await upgrade_async(url, revision)
            return
        async with engine.begin() as conn:
            await take_config_lock(conn)  # an apply or another upgrade waits, as for two applies
            async with migrating(url):
                await upgrade_async(url, revision)
    finally:
        await engine.dispose()


def apply_at_start(settings: HubSettings, path: Path) -> None:
    """Apply the configuration before a process serves; on a refusal print why and exit non-zero."""
    try:
        lines = asyncio.run(apply_file(settings, path, warn=log.warning))
    except ApplyRefused as err:
        # Plain lines on stderr, as `config check` prints them: no log wrapping, no traceback.
        sys.stderr.write("".join(f"{line}\n" for line in err.lines))
        sys.stderr.write(f"{path}: not applied; the hub does not start\n")
        raise SystemExit(err.status) from None
    for line in lines:
        log.info("configuration %s: %s", path, line)
