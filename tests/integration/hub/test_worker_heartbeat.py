"""The worker's heartbeat: `hotelhub worker-health` passes while the worker lives and works, and
fails for a file that a dead worker left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import HOTELHUB, HubProcesses
from services import _rabbitmqctl, postgres_database, rabbit_vhost
from typer.testing import CliRunner

from hub.cli import app
from hub.schema import upgrade

runner = CliRunner()


def test_given_no_heartbeat_file_when_checked_then_exit_1_naming_it(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    result = runner.invoke(app, ["worker-health"], env={"HUB_WORKER_HEARTBEAT_FILE": str(beat)})
    assert result.exit_code == 1
    assert f"no worker heartbeat at {beat}" in result.output


def test_given_a_fresh_heartbeat_when_checked_then_exit_0(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    beat.touch()
    result = runner.invoke(app, ["worker-health"], env={"HUB_WORKER_HEARTBEAT_FILE": str(beat)})
    assert result.exit_code == 0, result.output


def test_given_a_heartbeat_older_than_max_age_when_checked_then_exit_1(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    beat.touch()
    old = time.time() - 120
    os.utime(beat, (old, old))
    result = runner.invoke(
        app, ["worker-health", "--max-age", "30"], env={"HUB_WORKER_HEARTBEAT_FILE": str(beat)}
    )
    assert result.exit_code == 1
    assert "worker heartbeat is 120 s old (at most 30 s)" in result.output


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[HubProcesses]:
    """A migrated PostgreSQL database and a RabbitMQ vhost of the test's own, for a worker."""
    with postgres_database() as database_url, rabbit_vhost() as broker_url:
        upgrade(database_url)
        hub = HubProcesses(tmp_path, database_url, broker_url)
        try:
            yield hub
        finally:
            hub.stop()


def _health(hub: HubProcesses, max_age: float) -> int:
    env = hub.env(HUB_WORKER_HEARTBEAT_FILE=str(hub.ready_file))
    return subprocess.run(
        [HOTELHUB, "worker-health", "--max-age", str(max_age)], env=env, capture_output=True, timeout=60
    ).returncode


def _until(check: object, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting until {what}")


@pytest.mark.services
def test_given_a_running_worker_when_killed_then_its_left_behind_heartbeat_fails_the_check(
    stack: HubProcesses,
) -> None:
    stack.start_worker(HUB_WORKER_HEARTBEAT_SECONDS="0.2")
    first = stack.ready_file.stat().st_mtime
    # Alive: the heartbeat keeps being refreshed, so a short max age keeps passing.
    _until(lambda: stack.ready_file.stat().st_mtime > first, "the worker refreshes its heartbeat")
    assert _health(stack, max_age=5) == 0
    assert stack.worker is not None
    stack.worker.send_signal(signal.SIGKILL)
    stack.worker.wait(timeout=30)
    assert stack.ready_file.exists()  # what a dead worker leaves behind
    _until(lambda: _health(stack, max_age=1) == 1, "the check fails for the dead worker's heartbeat")


@pytest.mark.services
def test_given_a_running_worker_when_stopped_with_sigterm_then_its_heartbeat_is_gone(
    stack: HubProcesses,
) -> None:
    stack.start_worker()
    assert _health(stack, max_age=30) == 0
    stack.stop()
    assert stack.worker is not None and stack.worker.returncode == 0, stack.logs("worker")
    assert not stack.ready_file.exists()
    assert _health(stack, max_age=30) == 1


@pytest.mark.services
def test_given_a_running_worker_when_its_broker_goes_away_then_the_check_fails_while_it_still_runs(
    stack: HubProcesses,
) -> None:
    stack.start_worker(HUB_WORKER_HEARTBEAT_SECONDS="0.2")
    assert _health(stack, max_age=5) == 0
    # The vhost deleted under it: the worker is cut off from its queues for good (added back
    # empty afterwards, for the fixture's clean-up to delete).
    vhost = stack.broker_url.rsplit("/", 1)[1]
    _rabbitmqctl("delete_vhost", vhost)
    try:
        _until(lambda: _health(stack, max_age=1) == 1, "the check fails for the cut-off worker")
        assert stack.worker is not None and stack.worker.poll() is None  # alive, yet not healthy
    finally:
        _rabbitmqctl("add_vhost", vhost)  # for the fixture's clean-up
