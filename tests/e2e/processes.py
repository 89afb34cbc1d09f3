"""The hub as separate processes, the way an operator runs it: `hotelhub serve` and `hotelhub worker`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from harness import DEMO_CONFIG, PASSWORDS, apply_file, free_port

from hub.schema import upgrade_async

HOTELHUB = str(Path(sys.executable).with_name("hotelhub"))


@dataclass
class HubProcesses:
    """One API process and one worker process against one database and broker."""

    tmp_path: Path
    database_url: str
    broker_url: str
    port: int = field(default_factory=free_port)
    serve: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The API's address."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ready_file(self) -> Path:
        """The worker's heartbeat file: it appears once the worker is connected and consuming."""
        return self.tmp_path / "worker-ready"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment both processes get (an empty broker URL: the embedded hub)."""
        return {
            **os.environ,
            **PASSWORDS,
            "HUB_DATABASE_URL": self.database_url,
            "HUB_BROKER_URL": self.broker_url,
            "HUB_CARD_VAULT_KEY_FILE": str(self.tmp_path / "vault.key"),
            "HUB_RETRY_DELAYS_S": "[0.5, 1]",
            "HUB_RELAY_IDLE_MS": "10",
            "HUB_LOG_LEVEL": "WARNING",
            **extra,
        }

    def start_serve(self, **extra: str) -> None:
        """Start `hotelhub serve` (with `extra` environment) and wait for /readyz."""
        log = (self.tmp_path / "serve.log").open("ab")
        self.serve = subprocess.Popen(
            [HOTELHUB, "serve", "--port", str(self.port)], env=self.env(**extra), stdout=log, stderr=log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("hotelhub serve did not become ready: " + self.logs("serve"))

    def start_worker(self, **extra: str) -> None:
        """Start `hotelhub worker` and wait until its consumers are attached."""
        self.ready_file.unlink(missing_ok=True)
        log = (self.tmp_path / "worker.log").open("ab")
        self.worker = subprocess.Popen(
            [HOTELHUB, "worker"],
            env=self.env(HUB_WORKER_HEARTBEAT_FILE=str(self.ready_file), **extra),
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.ready_file.exists():
                return
            if self.worker.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("hotelhub worker did not become ready: " + self.logs("worker"))

    def logs(self, name: str) -> str:
        """The tail of a process's log."""
        path = self.tmp_path / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM both processes (they finish in-flight work) and wait for them."""
        for proc in (self.worker, self.serve):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (self.worker, self.serve):
            if proc is not None:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@asynccontextmanager
async def configured_processes(
    tmp_path: Path, database_url: str, broker_url: str
) -> AsyncIterator[HubProcesses]:
    """The database migrated and configured with the demo, and the hub's processes (stopped afterwards)."""
    await upgrade_async(database_url)
    await apply_file(database_url, DEMO_CONFIG)
    hub = HubProcesses(tmp_path, database_url, broker_url)
    try:
        yield hub
    finally:
        await asyncio.to_thread(hub.stop)
