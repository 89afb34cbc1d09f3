"""The OTA door alone on a real database: a configuration applied, the ingress journal running, nothing consuming."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from harness import apply_file

from hub.bootstrap import Hub, build_hub
from hub.schema import upgrade_async
from hub.settings import HubSettings


@asynccontextmanager
async def door_hub(database_url: str, tmp_path: Path, config: Path) -> AsyncIterator[Hub]:
    """A hub with `config` applied whose ingress journal runs; stopped and disposed afterwards."""
    await upgrade_async(database_url)
    await apply_file(database_url, config)
    hub = build_hub(
        HubSettings(database_url=database_url, card_vault_key_file=tmp_path / "vault.key", log_json=False)
    )
    await hub.journal.start()
    try:
        yield hub
    finally:
        await hub.journal.stop()
        await hub.directory.close()
        await hub.engine.dispose()
        if hub.reader is not hub.engine:
            await hub.reader.dispose()
