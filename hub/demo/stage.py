"""The demo's stage: a fresh SQLite hub with the demo configuration, served in-process over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import uvicorn
from alembic.script import ScriptDirectory
from pydantic import SecretStr

from connectors.payments.vault import generate_key
from hub.app import create_app
from hub.config import HubConfig
from hub.db import create_engine
from hub.http_server import HubHttpProtocol
from hub.schema import alembic_config, target_metadata, upgrade_async
from hub.settings import HubSettings

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "examples" / "demo.yaml"
# Short retries: a modification that overtakes its booking is delivered again within a second.
DEMO_RETRY_DELAYS_S = [0.2, 0.4, 0.8, 1.6, 3.2]


def demo_settings(database_url: str) -> HubSettings:
    """Settings for the demo hub: embedded transport, a vault key made for this run, quiet logs."""
    return HubSettings(
        database_url=database_url,
        broker_url=None,
        card_vault_key=SecretStr(base64.b64encode(generate_key()).decode()),
        log_level="WARNING",
        retry_delays_s=DEMO_RETRY_DELAYS_S,
        dispatcher_idle_ms=20.0,
        mapping_cache_seconds=0.0,
    )


@contextmanager
def partner_passwords(config: HubConfig) -> Iterator[dict[str, str]]:
    """Set a fresh password for every partner in the variable its config names; restore afterwards.

    The config loader reads partner secrets from the process environment, so the demo (and only
    for its own process, for the length of the run) puts them there.
    """
    chosen = {p.id: secrets.token_urlsafe(18) for p in config.partners}
    names = {p.id: p.credentials.password_env for p in config.partners}
    before = {name: os.environ.get(name) for name in names.values()}
    os.environ.update({names[pid]: password for pid, password in chosen.items()})
    try:
        yield chosen
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def migrate(database_url: str) -> str:
    """Bring the database to the latest schema; say how it was done."""
    heads = ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
    if heads:
        await upgrade_async(database_url)
        return f"database migrated to {', '.join(heads)}"
    # No migration written yet: create the tables straight from the schema.
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            for metadata in target_metadata:
                await conn.run_sync(metadata.create_all)
    finally:
        await engine.dispose()
    return "database created from the schema (no migration revision yet)"


def vault_key_file(settings: HubSettings, path: Path) -> None:
    """Keep the run's card vault key beside a kept database (0600), so its card tokens stay usable."""
    assert settings.card_vault_key is not None
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(settings.card_vault_key.get_secret_value())


@asynccontextmanager
async def serving(settings: HubSettings) -> AsyncIterator[str]:
    """Run the hub with uvicorn on a free 127.0.0.1 port; yield its base URL; stop it cleanly."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings),
        http=HubHttpProtocol,
        log_config=None,
        access_log=False,
        lifespan="on",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="demo-hub")
    try:
        while not server.started:
            if task.done():
                await task  # start-up failed: raise its error here
                raise RuntimeError("the hub stopped during start-up")
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
