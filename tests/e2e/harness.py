"""A whole hub as a user runs it, on either transport: real HTTP, real database, real broker."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from lxml import etree
from ota_schemas import assert_ota_valid_where_known, ota_element
from services import broker_idle
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import load_config
from hub.config_apply import apply_config
from hub.db import create_engine
from hub.demo.partners import parse_answer
from hub.http_server import HubHttpProtocol
from hub.schema import upgrade_async
from hub.settings import HubSettings

REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "examples" / "demo.yaml"
PASSWORDS = {
    "HUB_PARTNER_OTAONE_PASSWORD": "otaone-secret",
    "HUB_PARTNER_OTATWO_PASSWORD": "otatwo-secret",
    "HUB_PARTNER_ERP_PASSWORD": "erp-secret",
}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ota_codes(response: httpx.Response) -> tuple[tuple[str, str], ...]:
    """(EWT, ERR) of each Error of an OTA answer; ("OTA_ErrorRS", ErrorCode) for an OTA_ErrorRS."""
    element = ota_element(response.content)
    if etree.QName(element).localname == "OTA_ErrorRS":
        return (("OTA_ErrorRS", element.get("ErrorCode", "")),)
    return tuple((e.type, e.code) for e in parse_answer(response.content).errors)


async def apply_file(database_url: str, config_path: Path) -> list[str]:
    """Apply a config file with the test partner passwords."""
    engine = create_engine(database_url)
    try:
        return await apply_config(engine, load_config(config_path, PASSWORDS), PASSWORDS)
    finally:
        await engine.dispose()


async def settled(engine: AsyncEngine, broker_url: str | None) -> bool:
    """Nothing left to consume: the outbox has nothing pending (embedded: a row leaves `pending` in
    the transaction of its effect) and, on RabbitMQ, no queue holds a message or an unacked delivery."""
    async with engine.connect() as conn:
        pending = (
            await conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'pending'"))
        ).scalar_one()
    if pending:
        return False
    return broker_url is None or await broker_idle(broker_url)


@dataclass
class RunningHub:
    """A started hub with its HTTP address and an HTTP client."""

    mode: str
    settings: HubSettings
    hub: Hub
    base_url: str
    http: httpx.AsyncClient

    async def push(self, xml: str | bytes, auth: tuple[str, str] | None) -> httpx.Response:
        """POST a partner message to /ota; an XML answer must validate against its OTA 2015A XSD."""
        body = xml.encode() if isinstance(xml, str) else xml
        response = await self.http.post("/ota", content=body, auth=auth, headers={"content-type": "text/xml"})
        if "xml" in response.headers.get("content-type", ""):
            assert_ota_valid_where_known(response.content)
        return response

    async def settled(self) -> bool:
        """Every message consumed and its effect committed: nothing pending in the outbox and, on
        RabbitMQ, no queue holding a message, ready or delivered and not yet acknowledged."""
        return await settled(self.hub.engine, self.settings.broker_url)

    async def api(self, path: str, **params: Any) -> Any:
        """GET a PMS API path and return its JSON (raises on an error status)."""
        response = await self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    async def eventually(
        self, check: Callable[[], Awaitable[bool]], *, timeout: float = 20.0, what: str = "condition"
    ) -> None:
        """Wait until `check()` is true; fail naming `what` after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await check():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@contextlib.asynccontextmanager
async def running_hub(
    mode: str,
    database_url: str,
    broker_url: str | None,
    tmp_path: Path,
    *,
    config: Path = DEMO_CONFIG,
    **overrides: Any,
) -> AsyncIterator[RunningHub]:
    """Migrate, apply the demo config, start the hub and its HTTP server; stop all afterwards."""
    settings = HubSettings(
        database_url=database_url,
        broker_url=broker_url,
        card_vault_key_file=tmp_path / "vault.key",
        **{
            "retry_delays_s": [0.2, 0.4],
            "dispatcher_idle_ms": 10,
            "relay_idle_ms": 10,
            "mapping_cache_seconds": 0.2,
            "log_json": False,
            **overrides,
        },
    )
    await upgrade_async(database_url)
    await apply_file(database_url, config)
    hub = build_hub(settings)
    await hub.start(consume=True, relay=True)
    # The socket is bound here and handed to uvicorn, so no other process can take the port between
    # choosing it and listening on it; a start-up that fails or stalls fails the test, never hangs it.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(hub=hub),
            http=HubHttpProtocol,
            log_config=None,
            lifespan="on",
        )
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = time.monotonic() + 30
    while not server.started:
        if task.done():
            await hub.stop()
            task.result()
            raise AssertionError("the hub's HTTP server stopped during start-up")
        if time.monotonic() > deadline:
            server.should_exit = True
            await hub.stop()
            raise AssertionError("the hub's HTTP server did not start within 30 s")
        await asyncio.sleep(0.01)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            yield RunningHub(mode, settings, hub, base, http)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
        await hub.stop()
        sock.close()
