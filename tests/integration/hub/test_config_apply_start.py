"""`config apply` and the apply at start as the README runs them: a fresh database is migrated
first, a database it cannot use or a file it cannot read is one line, two processes apply once."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory
from harness import DEMO_CONFIG, PASSWORDS, free_port
from processes import HOTELHUB
from services import BOTH_DATABASES, fresh_database, postgres_database
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from typer.testing import CliRunner

from hub.cli import app
from hub.config_apply import CONFIG_LOCK_KEY
from hub.db import create_engine
from hub.schema import alembic_config
from routes.tables import partners

runner = CliRunner()
VAULT_KEY = base64.b64encode(bytes(range(32))).decode()
# each channel new to the hub is sent every cell of the default range (routes/ari_resync.py)
CREATED = [
    "property ALPINA: created",
    "property ALPINA: folio transaction codes updated",
    "partner otaone: created",
    "partner otatwo: created",
    "partner erp: created",
    "channel otaone: new channel, resync of 7300 cells queued",
    "channel otatwo: new channel, resync of 7300 cells queued",
]


@pytest.fixture(params=BOTH_DATABASES)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, never migrated: a SQLite file still to be made, or a new PostgreSQL one."""
    with fresh_database(request.param, tmp_path, "fresh.db") as url:
        yield url


def hub_env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a hotelhub process on this database, with the demo partners' passwords."""
    env = {k: v for k, v in os.environ.items() if k not in ("HUB_BROKER_URL", "HUB_CONFIG_FILE")}
    env.update(PASSWORDS, HUB_CARD_VAULT_KEY=VAULT_KEY, HUB_LOG_JSON="false")
    return {**env, "HUB_DATABASE_URL": url, **extra}


async def schema_revision(url: str) -> str | None:
    """The database's Alembic revision."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            revision = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            return str(revision) if revision is not None else None
    finally:
        await engine.dispose()


def test_given_a_fresh_database_when_config_applied_then_it_is_migrated_and_applied(
    fresh_url: str, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["config", "apply", str(DEMO_CONFIG)], env=hub_env(fresh_url, tmp_path))

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == CREATED
    head = ScriptDirectory.from_config(alembic_config(fresh_url)).get_current_head()
    assert asyncio.run(schema_revision(fresh_url)) == head


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql+asyncpg://hotelhub:s3cret@127.0.0.1:1/hotelhub", "Connect call failed"),
        ("sqlite+aiosqlite:///{tmp}/no/such/folder/hub.db", "unable to open database file"),
    ],
)
def test_given_a_database_it_cannot_reach_when_config_applied_then_one_line_naming_the_setting(
    url: str, reason: str, tmp_path: Path
) -> None:
    url = url.format(tmp=tmp_path)
    result = runner.invoke(app, ["config", "apply", str(DEMO_CONFIG)], env=hub_env(url, tmp_path))

    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith("HUB_DATABASE_URL: cannot reach ") and reason in line
    assert "s3cret" not in line


def test_given_a_url_that_is_no_database_url_when_config_applied_then_exit_2_naming_the_setting(
    tmp_path: Path,
) -> None:
    result = runner.invoke(app, ["config", "apply", str(DEMO_CONFIG)], env=hub_env("nonsense", tmp_path))

    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.startswith("HUB_DATABASE_URL: not a database URL the hub can use")


@pytest.mark.parametrize(
    ("name", "reason"),
    [("missing.yaml", "file not found"), ("folder.yaml", "cannot read: [Errno 21] Is a directory")],
)
def test_given_a_config_file_it_cannot_read_when_applied_then_one_line_and_no_database(
    name: str, reason: str, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    (tmp_path / "folder.yaml").mkdir()
    path = tmp_path / name

    result = runner.invoke(app, ["config", "apply", str(path)], env=hub_env(url, tmp_path))

    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"{path}: error: {reason}")
    assert not (tmp_path / "hub.db").exists()


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_given_a_config_with_errors_when_the_hub_starts_then_it_prints_the_check_lines_and_refuses(
    command: str, tmp_path: Path
) -> None:
    broken = tmp_path / "hotelhub.yaml"
    broken.write_text(
        "version: 1\nproperties:\n  - code: X\n    name: X\n    timezone: Mars/Olympus\n"
        "    currency: EUROS\n    room_types: []\n",
        encoding="utf-8",
    )
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    checked = runner.invoke(app, ["config", "check", "--offline", str(broken)])
    env = hub_env(url, tmp_path, HUB_CONFIG_FILE=str(broken))
    if command == "worker":
        env["HUB_BROKER_URL"] = "amqp://guest:guest@127.0.0.1:1/"

    started = runner.invoke(app, [command], env=env)

    problems = checked.output.splitlines()[:-1]  # less the count of errors
    assert len(problems) == 3, checked.output
    assert started.exit_code == 1
    assert started.output.splitlines() == [*problems, f"{broken}: not applied; the hub does not start"]
    assert not (tmp_path / "hub.db").exists()


def test_given_serve_with_a_config_file_when_started_on_a_fresh_database_then_it_is_applied_first(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    command = [HOTELHUB, "serve", "--port", str(port), "--config", str(DEMO_CONFIG)]
    serve = subprocess.Popen(command, env=hub_env(url, tmp_path), stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while serve.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("serve did not start: " + (tmp_path / "serve.log").read_text())
        assert asyncio.run(partner_ids(url)) == [("erp", True), ("otaone", True), ("otatwo", True)]
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    assert "partner otaone: created" in (tmp_path / "serve.log").read_text()


async def partner_ids(url: str) -> list[tuple[str, bool]]:
    """Every partner's id and whether it is enabled."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(partners.c.id, partners.c.enabled).order_by(partners.c.id))
            return [(row.id, row.enabled) for row in rows]
    finally:
        await engine.dispose()


def start_apply(url: str, tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    """`hotelhub config apply` of the demo configuration, as a process of its own."""
    command = [HOTELHUB, "config", "apply", str(DEMO_CONFIG)]
    env = hub_env(url, tmp_path)
    out = (tmp_path / f"{name}.out").open("wb")
    return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def outputs(tmp_path: Path, *names: str) -> list[list[str]]:
    """What each apply process printed, sorted so the one that applied comes first."""
    return sorted(
        ((tmp_path / f"{name}.out").read_text().splitlines() for name in names), key=len, reverse=True
    )


@asynccontextmanager
async def holding_the_config_lock(url: str) -> AsyncIterator[AsyncConnection]:
    """A connection that holds the configuration lock until the block ends."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": CONFIG_LOCK_KEY})
            await conn.commit()
            yield conn
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": CONFIG_LOCK_KEY})
            await conn.commit()
    finally:
        await engine.dispose()


async def until_waiting(conn: AsyncConnection, *processes: subprocess.Popen[bytes]) -> None:
    """Until every process waits for the lock; none may finish meanwhile (it would have gone past it)."""
    while await waiting_for_the_lock(conn) < len(processes):
        assert all(p.poll() is None for p in processes), "a process went on without the lock"
        await asyncio.sleep(0.05)


@pytest.mark.services
def test_given_the_configuration_lock_held_when_two_applies_start_on_postgresql_then_they_apply_once(
    tmp_path: Path,
) -> None:
    with postgres_database() as url:

        async def race() -> None:
            async with holding_the_config_lock(url) as conn:
                first, second = start_apply(url, tmp_path, "a"), start_apply(url, tmp_path, "b")
                await until_waiting(conn, first, second)
            assert await asyncio.to_thread(first.wait, 60) == 0
            assert await asyncio.to_thread(second.wait, 60) == 0

        asyncio.run(race())
        assert outputs(tmp_path, "a", "b") == [CREATED, ["no changes"]]
        assert asyncio.run(partner_ids(url)) == [("erp", True), ("otaone", True), ("otatwo", True)]


async def waiting_for_the_lock(conn: AsyncConnection) -> int:
    """How many sessions wait for the configuration lock."""
    query = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND ((classid::bigint << 32) | objid::bigint) = :key"
    )
    found = await conn.scalar(query, {"key": CONFIG_LOCK_KEY})
    await conn.commit()
    return int(found)


def test_given_two_applies_at_once_on_a_fresh_sqlite_file_then_they_apply_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    first, second = start_apply(url, tmp_path, "a"), start_apply(url, tmp_path, "b")

    assert (first.wait(60), second.wait(60)) == (0, 0), outputs(tmp_path, "a", "b")
    assert outputs(tmp_path, "a", "b") == [CREATED, ["no changes"]]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql+asyncpg://hotelhub:s3cret@127.0.0.1:1/hotelhub", "Connect call failed"),
        ("sqlite+aiosqlite:///{tmp}/no/such/folder/hub.db", "unable to open database file"),
    ],
)
def test_given_a_database_it_cannot_reach_when_db_upgrade_runs_then_one_line_naming_the_setting(
    url: str, reason: str, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env=hub_env(url.format(tmp=tmp_path), tmp_path))

    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith("HUB_DATABASE_URL: cannot reach ") and reason in line
    assert "s3cret" not in line


@pytest.mark.services
def test_given_the_configuration_lock_held_when_db_upgrade_runs_on_postgresql_then_it_waits_for_it(
    tmp_path: Path,
) -> None:
    with postgres_database() as url:

        async def race() -> None:
            async with holding_the_config_lock(url) as conn:
                upgrade = start_upgrade(url, tmp_path)
                await until_waiting(conn, upgrade)
                assert await schema_revision_or_none(conn) is None  # nothing migrated meanwhile
            out, _ = await asyncio.to_thread(upgrade.communicate, timeout=60)
            assert upgrade.returncode == 0, out
            assert out.decode().splitlines()[-1] == "database is up to date"

        asyncio.run(race())
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert asyncio.run(schema_revision(url)) == head


def start_upgrade(url: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    """`hotelhub db upgrade` as a process of its own."""
    env = hub_env(url, tmp_path)
    return subprocess.Popen(
        [HOTELHUB, "db", "upgrade"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


async def schema_revision_or_none(conn: AsyncConnection) -> str | None:
    """The revision, or None while the database has no alembic_version table yet."""
    present = await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
    await conn.commit()
    return None if not present else str(await conn.scalar(text("SELECT version_num FROM alembic_version")))


@pytest.mark.parametrize("command", [["dlq", "list"], ["dlq", "show", "1"], ["db", "purge"]])
def test_given_a_database_nobody_migrated_when_a_command_reads_it_then_one_line_naming_what_to_run(
    command: list[str], fresh_url: str, tmp_path: Path
) -> None:
    result = runner.invoke(app, command, env=hub_env(fresh_url, tmp_path))

    assert result.exit_code == 1, result.output
    [line] = result.output.splitlines()
    assert (
        line.startswith("HUB_DATABASE_URL: ")
        and "has no hotelhub schema yet: run `hotelhub db upgrade`" in line
    )


@pytest.mark.services
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_given_postgresql_nobody_migrated_when_the_hub_starts_then_one_line_naming_what_to_run(
    command: str, tmp_path: Path
) -> None:
    with postgres_database() as url:
        env = hub_env(
            url, tmp_path, HUB_BROKER_URL="amqp://guest:guest@127.0.0.1:5672/", HUB_LOG_LEVEL="WARNING"
        )
        done = subprocess.run([HOTELHUB, command], env=env, capture_output=True, text=True, timeout=60)

        assert done.returncode == 1, done.stderr
        [line] = done.stderr.splitlines()
        assert "has no hotelhub schema yet: run `hotelhub db upgrade`" in line
        assert asyncio.run(schema_revision_or_none_of(url)) is None  # nothing was created meanwhile


async def schema_revision_or_none_of(url: str) -> str | None:
    """The database's revision, or None while it has no alembic_version table."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return await schema_revision_or_none(conn)
    finally:
        await engine.dispose()
