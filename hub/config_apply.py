"""`hotelhub config apply`: upsert properties, partners and their mappings, idempotently."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.config import HubConfig, load_config
from hub.db import create_engine
from hub.settings import HubSettings, environment
from mappings.loader import load_mapping
from pms_core.setup import apply_property
from routes.partners import PartnerSpec, upsert_partner


async def apply_config(engine: AsyncEngine, config: HubConfig, environ: Mapping[str, str]) -> list[str]:
    """Apply a loaded configuration in one transaction; return one line per property and partner."""
    lines: list[str] = []
    # Read every secret first: a missing one stops the apply before anything is written.
    secrets = {p.id: p.inbound_password(environ).get_secret_value() for p in config.partners}
    async with engine.begin() as conn:
        for command in config.property_commands():
            report = await apply_property(conn, command)
            state = "created" if report.created else "updated" if report.changed else "unchanged"
            detail = f": {'; '.join(report.changes)}" if report.changes and not report.created else ""
            lines.append(f"property {report.property_code}: {state}{detail}")
        for partner in config.partners:
            mapping = load_mapping(partner.mapping).model_dump(mode="json") if partner.mapping else {}
            outcome = await upsert_partner(
                conn,
                PartnerSpec(
                    id=partner.id,
                    kind=partner.kind.value,
                    name=partner.name,
                    grants=frozenset(partner.properties),
                    username=partner.credentials.username,
                    secret=secrets[partner.id],
                    outbound_url=str(partner.outbound.url) if partner.outbound.url else None,
                    policy=partner.outbound.policy,
                    mapping=mapping,
                ),
            )
            lines.append(f"partner {partner.id}: {outcome}")
    return lines


async def apply_file(settings: HubSettings, path: Path) -> list[str]:
    """Load, validate and apply a configuration file against the hub's database."""
    environ = environment()
    config = load_config(path, environ)
    engine = create_engine(settings.database_url)
    try:
        return await apply_config(engine, config, environ)
    finally:
        await engine.dispose()
