"""What `config check` learns from the hub's database: nights sold beyond the rooms the file leaves.

The file alone cannot say whether dropping a room strands a booking; the database can. `config
check` asks it when HUB_DATABASE_URL's database is there and migrated, read-only, and otherwise
says in one note that it did not.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError

from hub.config import ConfigProblem, ConfigReading
from hub.database_errors import DatabaseUnusable, engine_for, reach, reason_of
from hub.db import is_sqlite
from hub.settings import HubSettings
from pms_core.sold_beyond import SoldBeyond, sold_beyond

NOT_CHECKED = "sold nights of the rooms this file drops not checked"


def database_warnings(reading: ConfigReading) -> tuple[list[ConfigProblem], str | None]:
    """Warnings for rooms the file drops while their nights are sold, and a note if not checked."""
    if reading.config is None or reading.doc is None:
        return [], None
    try:
        settings = HubSettings()
    except ValidationError:
        return [], f"note: the hub's settings are not valid: {NOT_CHECKED}"
    url = settings.database_url
    if is_sqlite(url) and not _sqlite_file_exists(url):
        # The default file of a hub never started here: nothing can be sold yet.
        explicit = "database_url" in settings.model_fields_set
        return [], f"note: HUB_DATABASE_URL: no database file yet: {NOT_CHECKED}" if explicit else None
    try:
        found = asyncio.run(_sold_beyond(url, reading))
    except DatabaseUnusable as err:
        return [], f"note: {err.line}: {NOT_CHECKED}"
    except DBAPIError as err:
        return [], f"note: HUB_DATABASE_URL: cannot read it ({reason_of(err)}): {NOT_CHECKED}"
    return [_warning(reading, nights) for nights in found], None


def _sqlite_file_exists(url: str) -> bool:
    database = make_url(url).database or ""
    return database not in ("", ":memory:") and Path(database).is_file()


async def _sold_beyond(url: str, reading: ConfigReading) -> list[SoldBeyond]:
    assert reading.config is not None
    engine = engine_for(url, read_only=True)
    try:
        await reach(engine)
        async with engine.connect() as conn:
            found: list[SoldBeyond] = []
            for command in reading.config.property_commands():
                found += await sold_beyond(conn, command)
            return found
    finally:
        await engine.dispose()


def _warning(reading: ConfigReading, nights: SoldBeyond) -> ConfigProblem:
    assert reading.config is not None and reading.doc is not None
    index = next(i for i, p in enumerate(reading.config.properties) if p.code == nights.property_code)
    codes = [room_type.code for room_type in reading.config.properties[index].room_types]
    loc: tuple[str | int, ...] = ("properties", index, "room_types")
    if nights.room_type in codes:
        loc += (codes.index(nights.room_type), "rooms")
    reason = f"{nights.describe()} (sold nights as in HUB_DATABASE_URL's database)"
    return reading.doc.problem(loc, reason, severity="warning")
