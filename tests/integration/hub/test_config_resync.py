"""`config apply` resyncs a new channel and a channel whose mapping it changes, in the apply's transaction, and says so;
the other channel and a second apply of the same file mark nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from harness import DEMO_CONFIG, PASSWORDS
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from hub.config import load_config
from hub.config_apply import NO_CHANGES, apply_config
from routes.ari_resync import DEFAULT_NIGHTS
from routes.tables import ari_pending

# OTA One maps four room types and two rate plans: a night is 4 rooms-left cells + 4 x 2 x 2 rate cells
CELLS_A_NIGHT = 4 + 4 * 2 * 2


async def apply(engine: AsyncEngine, path: Path) -> list[str]:
    """Apply a configuration file with the demo's partner passwords."""
    return await apply_config(engine, load_config(path, PASSWORDS), PASSWORDS)


async def pending(engine: AsyncEngine) -> dict[str, int]:
    """Pending cells by channel."""
    async with engine.connect() as conn:
        rows = await conn.execute(select(ari_pending.c.channel, func.count()).group_by(ari_pending.c.channel))
        return {channel: count for channel, count in rows.all()}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """An editable copy of the demo configuration and its mappings (both partners are ARI channels)."""
    shutil.copy(DEMO_CONFIG, tmp_path / "hub.yaml")
    shutil.copytree(DEMO_CONFIG.parent / "mappings", tmp_path / "mappings")
    return tmp_path / "hub.yaml"


async def test_given_a_room_code_renamed_for_one_channel_when_applied_then_that_channel_alone_is_resynced(
    engine: AsyncEngine, config: Path
) -> None:
    first_lines = await apply(engine, config)
    cells = DEFAULT_NIGHTS * CELLS_A_NIGHT
    # both channels are new: each starts from the whole calendar
    assert f"channel otaone: new channel, resync of {cells} cells queued" in first_lines
    assert set(await pending(engine)) == {"otaone", "otatwo"}
    async with engine.begin() as conn:  # as if both had been sent
        await conn.execute(delete(ari_pending))
    mapping = config.parent / "mappings" / "ota" / "otaone.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("DZSTD:", "DZ-STD:"), encoding="utf-8")

    lines = await apply(engine, config)

    assert lines == [
        "partner otaone: updated: mapping changed",
        f"channel otaone: mapping changed, resync of {cells} cells queued",
    ]
    assert await pending(engine) == {"otaone": cells}
    async with engine.connect() as conn:
        first, last = (
            await conn.execute(select(func.min(ari_pending.c.night), func.max(ari_pending.c.night)))
        ).one()
    today = utcnow().date()
    assert (first, last) == (today, today + timedelta(days=DEFAULT_NIGHTS - 1))

    async with engine.begin() as conn:
        await conn.execute(delete(ari_pending))
    assert await apply(engine, config) == [NO_CHANGES]
    assert await pending(engine) == {}
