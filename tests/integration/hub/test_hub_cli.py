"""The `hotelhub` command as an operator uses it: config check/apply and the dead-letter commands."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from harness import DEMO_CONFIG, PASSWORDS, free_port
from processes import HOTELHUB
from typer.testing import CliRunner

from hub.cli import app
from hub.db import create_engine
from routes import deadletters

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fresh SQLite hub database and the demo partners' passwords."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    values = {"HUB_DATABASE_URL": url, **PASSWORDS}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return values


def test_given_the_demo_config_when_checked_then_ok() -> None:
    result = runner.invoke(app, ["config", "check", str(DEMO_CONFIG)], env=PASSWORDS)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_given_a_broken_config_when_checked_then_exit_1_naming_file_key_and_reason(tmp_path: Path) -> None:
    broken = tmp_path / "hub.yaml"
    broken.write_text("version: 1\nproperties:\n  - code: X\n    name: X\n    timezone: Mars/Olympus\n")
    result = runner.invoke(app, ["config", "check", str(broken)])
    assert result.exit_code == 1
    assert "hub.yaml" in result.output and "timezone" in result.output


def test_given_a_config_when_applied_twice_then_the_second_apply_changes_nothing(env: dict[str, str]) -> None:
    first = runner.invoke(app, ["config", "apply", str(DEMO_CONFIG)])
    second = runner.invoke(app, ["config", "apply", str(DEMO_CONFIG)])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "property ALPINA: created" in first.output
    assert "partner otaone: created" in first.output
    assert second.output.strip() == "no changes"


def test_given_a_missing_partner_secret_when_applied_then_refused_and_nothing_written(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUB_PARTNER_OTATWO_PASSWORD")
    result = runner.invoke(app, ["config", "apply", str(DEMO_CONFIG)])
    assert result.exit_code == 1
    assert "HUB_PARTNER_OTATWO_PASSWORD" in result.output
    assert not asyncio.run(_property_exists(env["HUB_DATABASE_URL"], "ALPINA"))


async def _property_exists(url: str, code: str) -> bool:
    from pms_core.queries import property_exists

    engine = create_engine(url)
    async with engine.connect() as conn:
        found = await property_exists(conn, code)
    await engine.dispose()
    return found


def _letter(url: str) -> int:
    async def make() -> int:
        engine = create_engine(url)
        async with engine.begin() as conn:
            letter_id = await deadletters.record(
                conn,
                deadletters.NewDeadLetter(
                    message_id="00000000-0000-0000-0000-000000000001",
                    message_type="booking.received.v1",
                    consumer="pms.bookings",
                    correlation_id="c-1",
                    body="{}",
                    error_class="x.Boom",
                    error_text="boom",
                    partner_id="otaone",
                ),
            )
        await engine.dispose()
        return letter_id

    return asyncio.run(make())


def test_given_a_dead_letter_when_listed_shown_and_replayed_then_each_step_is_audited(
    env: dict[str, str],
) -> None:
    letter_id = _letter(env["HUB_DATABASE_URL"])
    listed = runner.invoke(app, ["dlq", "list", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.output)[0]["id"] == letter_id
    shown = runner.invoke(app, ["dlq", "show", str(letter_id)])
    assert shown.exit_code == 0 and "boom" in shown.output
    replayed = runner.invoke(app, ["dlq", "replay", str(letter_id), "--actor", "maria"])
    assert replayed.exit_code == 0, replayed.output
    again = runner.invoke(app, ["dlq", "replay", str(letter_id)])
    assert again.exit_code == 1 and "already replayed" in again.output
    audited = json.loads(runner.invoke(app, ["dlq", "show", str(letter_id), "--json"]).output)
    assert [(a["action"], a["actor"]) for a in audited["actions"]] == [("replay", "maria")]


def test_given_a_dead_letter_when_discarded_then_a_reason_is_required_and_kept(env: dict[str, str]) -> None:
    letter_id = _letter(env["HUB_DATABASE_URL"])
    assert runner.invoke(app, ["dlq", "discard", str(letter_id), "--reason", "  "]).exit_code == 1
    done = runner.invoke(app, ["dlq", "discard", str(letter_id), "--reason", "test booking, not real"])
    assert done.exit_code == 0
    shown = json.loads(runner.invoke(app, ["dlq", "show", str(letter_id), "--json"]).output)
    assert shown["status"] == "discarded"
    assert shown["actions"][0]["reason"] == "test booking, not real"
    assert runner.invoke(app, ["dlq", "list", "--json"]).output.strip() == "[]"


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux only")
def test_given_a_cpu_list_when_serving_then_the_process_and_its_threads_run_on_those_cpus(
    tmp_path: Path,
) -> None:
    cpu = min(os.sched_getaffinity(0))
    port = free_port()
    env = {
        **os.environ,
        **PASSWORDS,
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pinned.db'}",
        "HUB_CARD_VAULT_KEY_FILE": str(tmp_path / "vault.key"),
        "HUB_CPU_AFFINITY": str(cpu),
        "HUB_LOG_LEVEL": "WARNING",
    }
    env.pop("HUB_BROKER_URL", None)
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen([HOTELHUB, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("serve did not start: " + (tmp_path / "serve.log").read_text())
        threads = [int(task.name) for task in Path(f"/proc/{serve.pid}/task").iterdir()]
        assert len(threads) > 1
        assert {frozenset(os.sched_getaffinity(thread)) for thread in threads} == {frozenset({cpu})}
    finally:
        serve.terminate()
        serve.wait(timeout=30)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux only")
def test_given_a_cpu_this_machine_lacks_when_starting_then_exit_2_naming_it(tmp_path: Path) -> None:
    missing = str(max(os.sched_getaffinity(0)) + 64)
    result = runner.invoke(
        app,
        ["worker"],
        env={
            "HUB_CPU_AFFINITY": missing,
            "HUB_BROKER_URL": "amqp://guest:guest@127.0.0.1:1/",
            "HUB_WORKER_HEARTBEAT_FILE": str(tmp_path / "ready"),
        },
    )
    assert result.exit_code == 2
    assert f"HUB_CPU_AFFINITY={missing}" in result.output
    assert not (tmp_path / "ready").exists()


def test_given_bad_settings_when_a_command_starts_then_exit_2_naming_each_variable(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["serve"],
        env={"HUB_CPU_AFFINITY": "x-1", "HUB_MAX_BODY_BYTES": "10", "HUB_HTTP_PORT": "eighty"},
    )
    assert result.exit_code == 2
    assert "HUB_CPU_AFFINITY: 'x-1' in CPU list 'x-1' is not a CPU number or range" in result.output
    assert "HUB_MAX_BODY_BYTES: Input should be greater than or equal to 1024" in result.output
    assert "HUB_HTTP_PORT:" in result.output
    assert "Traceback" not in result.output
