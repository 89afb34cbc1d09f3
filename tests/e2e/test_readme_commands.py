"""The README's command blocks, run as written: embedded, then RabbitMQ + PostgreSQL on this machine.

A block marked `<!-- readme-run: NAME -->` in README.md runs in bash (`set -e`) in a new directory
that holds what a fresh clone has (the README's examples/ and the set-up `.venv`), so a step that
breaks for a new operator breaks here. What the test changes, and only that: the port (8080 → a
free one), the PostgreSQL database name and the RabbitMQ vhost (unique per run, dropped after), so
runs never meet each other's state. Processes the block starts in the background are ended after.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from harness import free_port
from services import _psql, need, rabbit_vhost

ROOT = Path(__file__).resolve().parents[2]
MARK = re.compile(r"<!-- readme-run: (?P<name>[\w-]+) -->\s*```sh\n(?P<body>.*?)```", re.S)


def readme_blocks() -> dict[str, str]:
    """The README's runnable blocks by name."""
    return {m["name"]: m["body"] for m in MARK.finditer((ROOT / "README.md").read_text())}


def test_given_the_readme_then_it_marks_both_runnable_blocks() -> None:
    assert set(readme_blocks()) >= {"embedded", "rabbit"}


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A directory with what a fresh clone and `make demo` leave: examples/ and .venv."""
    work = tmp_path / "hotelhub"
    work.mkdir()
    shutil.copytree(ROOT / "examples", work / "examples")
    (work / ".venv").symlink_to(Path(sys.prefix))
    return work


def run_block(block: str, cwd: Path, port: int, timeout: float = 180) -> tuple[int, str]:
    """Run a block in bash from a clean environment; (exit code, what it printed).

    Its output goes to a file, not a pipe: the processes it leaves in the background keep their
    stdout open, and the block is done when bash is.
    """
    script = "set -euo pipefail\n" + block.replace("8080", str(port))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_") and k != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    env["HUB_HTTP_PORT"] = str(port)  # the block's 8080, moved with its URLs
    output = cwd.parent / f"block-{port}.out"
    with output.open("w") as out:
        proc = subprocess.Popen(
            ["bash", "-c", script], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"README block did not finish:\n{output.read_text()}") from None
    return code, output.read_text()


def end_processes_under(root: Path) -> None:
    """SIGTERM (then kill) every process working in `root`: what the block left in the background."""
    import psutil

    for proc in psutil.process_iter(["pid", "cwd"]):
        try:
            cwd = proc.info["cwd"]
        except (psutil.Error, KeyError):
            continue
        if cwd and Path(cwd).is_relative_to(root) and proc.pid != os.getpid():
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
            except psutil.TimeoutExpired:
                proc.kill()
            except psutil.Error:
                pass


def _booked(port: int, reservation: str) -> bool:
    answer = httpx.get(
        f"http://127.0.0.1:{port}/api/v1/properties/ALPINA/bookings",
        params={"partner_reservation_id": reservation},
        timeout=5,
    )
    answer.raise_for_status()
    items = answer.json()
    items = items.get("items", items) if isinstance(items, dict) else items
    return len(items) == 1


def _wait_booked(port: int, reservation: str, seconds: float = 60) -> None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _booked(port, reservation):
            return
        time.sleep(0.2)
    raise AssertionError(f"reservation {reservation} was never booked")


def test_given_a_fresh_clone_when_the_embedded_block_runs_as_written_then_the_example_booking_is_booked(
    clone: Path,
) -> None:
    port = free_port()
    try:
        code, out = run_block(readme_blocks()["embedded"], clone, port)
        assert code == 0, out
        assert "Traceback" not in out, out
        assert out.count("no changes") == 1, out  # the second apply, as the block's comment says
        assert "<Success/>" in out, out
        _wait_booked(port, "OTA1-EXAMPLE-1")
    finally:
        end_processes_under(clone)


@pytest.mark.services
def test_given_this_machines_services_when_the_rabbit_block_runs_as_written_then_the_example_booking_is_booked(
    clone: Path,
) -> None:
    need("PostgreSQL", "127.0.0.1", 5432)
    port = free_port()
    database = f"hh_test_{uuid.uuid4().hex[:12]}"
    block = readme_blocks()["rabbit"]
    assert "createdb" in block and "/hotelhub" in block and "5672/" in block
    with rabbit_vhost() as broker_url:
        block = re.sub(r"(createdb\b.*?)\bhotelhub\b", rf"\g<1>{database}", block)
        block = block.replace("5432/hotelhub", f"5432/{database}")
        block = block.replace("amqp://guest:guest@127.0.0.1:5672/", broker_url)
        try:
            code, out = run_block(block, clone, port)
            assert code == 0, out
            assert "Traceback" not in out, out
            assert "<Success/>" in out, out
            _wait_booked(port, "OTA1-EXAMPLE-1")
        finally:
            end_processes_under(clone)
            _psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
