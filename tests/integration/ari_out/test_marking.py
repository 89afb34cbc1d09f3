"""Marking: one statement for several channels' keys, and the channels re-read after a config apply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from conftest import apply, channel_config
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.ari import AriChanged, AriKind
from hub.db import create_engine
from hub.schema import upgrade_async
from routes import ari_pending
from routes.ari_out import mark_changed
from routes.ari_pending import PendingKey
from routes.tables import ari_pending as pending_table

NIGHT = date(2031, 1, 1)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The hub's engine on a migrated database of the test's own."""
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


def _change(room_type: str = "DBL") -> AriChanged:
    return AriChanged(
        property="ALPINA",
        room_type=room_type,
        rate_plan=None,
        first_night=NIGHT,
        last_night=NIGHT + timedelta(days=1),
        kinds=frozenset({AriKind.AVAILABILITY}),
    )


async def test_given_keys_for_several_channels_when_marked_twice_then_each_holds_them_once_urgent_kept(
    engine: AsyncEngine,
) -> None:
    keys = [PendingKey("ALPINA", "DBL", "", NIGHT + timedelta(days=i), "availability") for i in range(3)]
    async with engine.begin() as conn:
        await ari_pending.mark_for(conn, ["chb", "cha"], keys[:2], urgent=True)
        await ari_pending.mark_for(conn, ["cha", "chb"], keys)  # again, not urgent: the flag stays
    async with engine.connect() as conn:
        taken = {c: await ari_pending.take(conn, c, limit=10) for c in ("cha", "chb", "chc")}
        urgent = {c: (await ari_pending.status(conn, c)).urgent for c in ("cha", "chb")}

    expected = {keys[0]: 2, keys[1]: 2, keys[2]: 1}
    assert urgent == {"cha": 2, "chb": 2}
    # urgent keys are taken alone and first
    assert taken["cha"] == taken["chb"] == {k: s for k, s in expected.items() if k in keys[:2]}
    assert taken["chc"] == {}
    async with engine.begin() as conn:
        await ari_pending.settle(conn, "cha", taken["cha"])
    async with engine.connect() as conn:
        assert await ari_pending.take(conn, "cha", limit=10) == {keys[2]: 1}


async def test_given_the_channels_read_when_a_config_apply_withdraws_one_then_the_next_change_skips_it(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    config = channel_config(tmp_path, "http://127.0.0.1:9/ota")
    await apply(database_url, config, synced=True)
    async with engine.begin() as conn:
        before = await mark_changed(conn, _change())
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for partner in data["partners"]:
        partner["outbound"].pop("url", None)  # no partner receives ARI any more
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    await apply(database_url, config)

    async with engine.begin() as conn:
        await conn.execute(delete(pending_table))
        after = await mark_changed(conn, _change())
    async with engine.connect() as conn:
        left = await ari_pending.status(conn, "otaone")

    assert (before, after, left.cells) == (["otaone"], [], 0)
