"""Serving a simulated channel with uvicorn: in-process for tests, or as a process of bounded lifetime.

A simulator process never outlives what started it: it exits when its parent process dies (it is
re-parented) or after its maximum lifetime, whichever comes first.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

_WATCH_S = 0.2


def _server(app: ASGIApp) -> uvicorn.Server:
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=1
    )
    return uvicorn.Server(config)


def _bound(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


@asynccontextmanager
async def serving(app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve `app` in this event loop; yields its base URL (port 0 picks a free port)."""
    sock = _bound(host, port)
    server = _server(app)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # start-up failed: raise its error here
        await asyncio.sleep(0.01)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def serve_bounded(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    max_lifetime_s: float,
    announce: Callable[[str], None],
) -> None:
    """Serve until the parent process dies or `max_lifetime_s` passes; `announce` gets the base URL."""
    parent = os.getppid()
    deadline = time.monotonic() + max_lifetime_s
    async with serving(app, host=host, port=port) as url:
        announce(url)
        while time.monotonic() < deadline:
            if os.getppid() != parent:  # re-parented: whoever started us is gone
                return
            await asyncio.sleep(_WATCH_S)
