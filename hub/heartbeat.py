"""The worker's heartbeat: a file refreshed while the worker is connected and consuming."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

log = logging.getLogger("hotelhub.heartbeat")


async def beat(path: Path, every_s: float, alive: Callable[[], Awaitable[bool]]) -> None:
    """Touch `path` every `every_s` seconds for as long as `alive()` says so; runs until cancelled.

    A worker that hangs, loses its broker or database, or is killed stops touching the file, so
    its age (not its existence) tells a health check whether the worker still works.
    """
    while True:
        try:
            if await alive():
                await asyncio.to_thread(_touch, path)
            else:
                log.warning("worker not ready (broker, consumers or database): heartbeat withheld")
        except OSError as err:
            log.warning("heartbeat file %s: %s", path, err.strerror or err)
        await asyncio.sleep(every_s)


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def heartbeat_age(path: Path) -> float | None:
    """Seconds since the heartbeat file was last touched, or None when there is none."""
    with contextlib.suppress(FileNotFoundError):
        return max(0.0, time.time() - path.stat().st_mtime)
    return None
