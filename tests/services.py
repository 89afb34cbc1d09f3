"""Real PostgreSQL and RabbitMQ for integration tests: unique databases and vhosts, cleaned up.

Tests that need a service skip with a clear message when it is unreachable, unless
HUB_REQUIRE_SERVICES=1 (CI), where an unreachable service fails the test instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

PG_HOST = os.environ.get("HUB_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("HUB_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("HUB_TEST_PG_USER", "postgres")
RABBIT_HOST = os.environ.get("HUB_TEST_RABBIT_HOST", "127.0.0.1")
RABBIT_PORT = int(os.environ.get("HUB_TEST_RABBIT_PORT", "5672"))


def required() -> bool:
    """True when services must be there (CI)."""
    return os.environ.get("HUB_REQUIRE_SERVICES") == "1"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need(service: str, host: str, port: int) -> None:
    """Skip (or fail, when required) if a service does not answer."""
    if _reachable(host, port):
        return
    message = f"{service} is not reachable at {host}:{port}"
    if required():
        pytest.fail(message + " and HUB_REQUIRE_SERVICES=1")
    pytest.skip(message + " (set HUB_REQUIRE_SERVICES=1 to make this a failure)")


def _psql(sql: str) -> None:
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database; yields its SQLAlchemy URL and drops it afterwards."""
    need("PostgreSQL", PG_HOST, PG_PORT)
    name = f"hh_test_{uuid.uuid4().hex[:12]}"
    _psql(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rabbitmqctl(*args: str) -> None:
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        pytest.fail("rabbitmqctl is needed to create a test vhost") if required() else pytest.skip(
            "rabbitmqctl not found"
        )
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def rabbit_vhost() -> Iterator[str]:
    """A fresh RabbitMQ vhost for guest; yields its AMQP URL and deletes it afterwards."""
    need("RabbitMQ", RABBIT_HOST, RABBIT_PORT)
    name = f"hh_test_{uuid.uuid4().hex[:12]}"
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"amqp://guest:guest@{RABBIT_HOST}:{RABBIT_PORT}/{name}"
    finally:
        _rabbitmqctl("delete_vhost", name)
