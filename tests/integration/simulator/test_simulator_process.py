"""A simulator as its own process: it announces its URL, serves, and never outlives its parent or its
maximum lifetime; a missing password variable is one line and exit 2."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from datetime import date

import httpx
import psutil
from ari_messages import Count, inv_notif, plain

AUTH = {"Authorization": "Basic " + base64.b64encode(b"hub:pw-1").decode()}
COMMAND = [sys.executable, "-m", "connectors.ota.simulator"]
ENV = {**os.environ, "SIM_PASSWORD": "pw-1"}


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV
    )


def url_of(process: subprocess.Popen[str]) -> str:
    line = process.stdout.readline()
    assert line.startswith("listening on "), line + process.stderr.read()
    return line.removeprefix("listening on ").strip()


def gone(pid: int, within_s: float = 30.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_given_a_push_process_when_a_count_is_posted_then_its_state_shows_it() -> None:
    process = start("push", "--username", "hub", "--password-env", "SIM_PASSWORD", "--max-lifetime", "120")
    try:
        url = url_of(process)
        body = plain(inv_notif("H1", [Count("DBL", date(2026, 5, 1), date(2026, 5, 2), 4)]))
        assert httpx.post(f"{url}/ota", content=body, headers=AUTH).status_code == 200
        assert httpx.get(f"{url}/_state").json()["H1"]["availability"] == {
            "DBL": {"2026-05-01": 4, "2026-05-02": 4}
        }
        assert httpx.get(f"{url}/_stats").json()["calls"] == {"OTA_HotelInvCountNotifRQ": 1}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_given_a_maximum_lifetime_when_it_passes_then_the_process_exits_by_itself() -> None:
    process = start("pull", "--username", "hub", "--password-env", "SIM_PASSWORD", "--max-lifetime", "0.5")
    try:
        url_of(process)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_given_its_parent_dies_when_running_then_the_process_exits() -> None:
    # A shell starts the simulator in the background and waits for one line on stdin; once it has
    # read it, the shell exits and the simulator is left an orphan.
    script = '"$@" & echo "$!"; read line'
    args = [*COMMAND, "push", "--username", "hub", "--password-env", "SIM_PASSWORD", "--max-lifetime", "120"]
    shell = subprocess.Popen(
        ["sh", "-c", script, "sh", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV
    )
    pid = int(shell.stdout.readline())
    try:
        assert shell.stdout.readline().startswith("listening on ")
        shell.stdin.write("go\n")
        shell.stdin.flush()
        shell.wait(timeout=30)
        assert gone(pid)
    finally:
        if not gone(pid, within_s=0):
            psutil.Process(pid).kill()


def test_given_the_password_variable_is_not_set_when_started_then_one_line_and_exit_2() -> None:
    result = subprocess.run(
        [*COMMAND, "push", "--username", "hub", "--password-env", "SIM_NOT_SET_ANYWHERE"],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --password-env SIM_NOT_SET_ANYWHERE: the variable is not set"
    ]
