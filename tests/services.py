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
from pathlib import Path
from urllib.parse import unquote, urlsplit

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


# rabbitmqctl list_queues reports quorum queues from statistics refreshed every few seconds; asked
# through `eval`, the queue itself answers: its Raft state (quorum) or its process (classic).
_DEPTHS = """
lists:foreach(fun(Q) ->
    {resource, _, queue, Name} = amqqueue:get_name(Q),
    {Ready, Unacked} = case amqqueue:get_type(Q) of
        rabbit_quorum_queue ->
            {ok, {_, O}, _} = ra:local_query(amqqueue:get_pid(Q), fun rabbit_fifo:overview/1),
            {maps:get(num_ready_messages, O), maps:get(num_checked_out, O)};
        _ ->
            [{_, R}, {_, U}] = rabbit_amqqueue:info(Q, [messages_ready, messages_unacknowledged]),
            {R, U}
    end,
    io:format("~s\t~b\t~b~n", [Name, Ready, Unacked])
end, rabbit_amqqueue:list(<<"VHOST">>)).
"""


async def queue_depths(broker_url: str) -> dict[str, tuple[int, int]]:
    """Every queue of the URL's vhost: name -> (messages ready, messages delivered and not yet acked)."""
    import asyncio

    vhost = unquote(urlsplit(broker_url).path.lstrip("/")) or "/"
    if vhost != "/" and not vhost.replace("_", "").isalnum():
        raise ValueError(f"unexpected vhost name {vhost!r}")
    proc = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", "eval", _DEPTHS.replace("VHOST", vhost),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"reading the queues of {vhost} failed: {(err or out).decode()[:300]}")
    depths = {}
    for line in out.decode().splitlines():
        if line.count("\t") == 2:
            name, ready, unacked = line.split("\t")
            depths[name] = (int(ready), int(unacked))
    return depths


async def broker_idle(broker_url: str, *, ignoring: str = "test.") -> bool:
    """True when no queue of the vhost holds a message, ready or delivered and unacknowledged
    (a test's own queues, named `ignoring`..., are not the hub's and do not count)."""
    depths = await queue_depths(broker_url)
    return all(depth == (0, 0) for name, depth in depths.items() if not name.startswith(ignoring))


# The two databases a test parametrised over both runs on (PostgreSQL only where services are).
BOTH_DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.services)]


@contextmanager
def fresh_database(kind: str, tmp_path: Path, name: str = "hub.db") -> Iterator[str]:
    """A fresh, empty database: a SQLite file under tmp_path, or a PostgreSQL database of its own."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / name}"
        return
    with postgres_database() as url:
        yield url
