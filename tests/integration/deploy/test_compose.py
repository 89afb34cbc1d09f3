"""compose.yaml comes up: valid against the Compose Specification once .env.example is filled in,
and each hub service's command, with its compose environment, reaches its own health check.

Docker does not run on the development machines, so the stack is proven in two halves:
(a) compose.yaml, interpolated from a filled-in .env.example, validates against the Compose
    Specification JSON schema (the copy check-jsonschema ships with its licence, a dev dependency);
(b) migrate, api and worker run here, in Compose's order, each with the environment Compose would
    give its container; only the database and broker hosts (this machine's PostgreSQL and
    RabbitMQ, with a database and vhost of the test's own) and the container's paths (its mounts
    and private /tmp) are rewritten. "Ready" is what the service's own health check says.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import jsonschema
import pytest
import yaml
from compose_stack import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    REPO,
    HubService,
    InterpolationError,
    dockerfile_env,
    dockerfile_user,
    hub_services,
    interpolate,
    load_compose,
    placeholders,
    read_env_file,
    run,
)
from harness import free_port
from ota_builders import commit, reservation
from services import postgres_database, rabbit_vhost

VENV_BIN = Path(sys.executable).parent


def compose_schema() -> dict[str, object]:
    """The Compose Specification schema as check-jsonschema vendors it."""
    vendored = files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    return json.loads(vendored.read_text())  # type: ignore[no-any-return]


def filled_env_example() -> dict[str, str]:
    """.env.example as a user fills it in: every empty value gets a fresh secret (letters, digits)."""
    return {key: value or secrets.token_hex(16) for key, value in read_env_file(ENV_EXAMPLE).items()}


def test_given_env_example_filled_in_when_compose_is_interpolated_then_it_is_a_valid_compose_file() -> None:
    compose = load_compose(filled_env_example())
    jsonschema.validators.validator_for(compose_schema())(compose_schema()).validate(compose)
    assert {"postgres", "rabbitmq", "migrate", "api", "worker"} <= set(compose["services"])


def test_given_the_schema_when_a_service_has_an_unknown_key_then_it_is_refused() -> None:
    # The schema really is strict about services, so the validation above can fail.
    compose = load_compose(filled_env_example())
    compose["services"]["api"]["helthcheck"] = {"test": ["CMD", "true"]}
    with pytest.raises(jsonschema.ValidationError, match="helthcheck"):
        jsonschema.validators.validator_for(compose_schema())(compose_schema()).validate(compose)


def test_given_compose_yaml_when_read_then_every_variable_without_a_default_is_listed_in_env_example() -> (
    None
):
    listed = set(read_env_file(ENV_EXAMPLE))
    used = placeholders(COMPOSE_FILE.read_text())
    required = {name for name, op in used if op in (None, ":?", "?")}
    assert required <= listed, f"not in .env.example: {sorted(required - listed)}"
    assert all(op in (None, ":?", ":-") for _, op in used)


def test_given_compose_yaml_when_read_then_no_placeholder_defaults_to_an_empty_string() -> None:
    assert not re.findall(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-\}", COMPOSE_FILE.read_text())


@pytest.mark.parametrize("variable", ["POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "HUB_API_TOKEN"])
@pytest.mark.parametrize("value", [None, ""])
def test_given_a_password_or_the_token_unset_or_empty_when_interpolated_then_compose_stops_naming_it(
    variable: str, value: str | None
) -> None:
    env = filled_env_example()
    if value is None:
        del env[variable]
    else:
        env[variable] = value
    with pytest.raises(InterpolationError, match=f"required variable {variable} is missing"):
        load_compose(env)


def test_given_the_stack_when_read_then_only_the_api_is_published_and_on_loopback_only() -> None:
    compose = load_compose(filled_env_example())
    published = {name: spec["ports"] for name, spec in compose["services"].items() if spec.get("ports")}
    assert list(published) == ["api"]
    assert all(str(port).startswith("127.0.0.1:") for port in published["api"])


def test_given_the_stack_when_read_then_secrets_live_in_env_and_the_vault_key_on_a_volume_the_user_owns() -> (
    None
):
    compose = load_compose(filled_env_example())
    user = dockerfile_user()
    assert user not in ("root", "0")
    dockerfile = (REPO / "Dockerfile").read_text()
    for service in hub_services(compose):
        env = service.environment({".env": filled_env_example()})
        key_dir = str(Path(env["HUB_CARD_VAULT_KEY_FILE"]).parent)
        assert "HUB_CARD_VAULT_KEY" not in env
        assert compose["volumes"] is not None and service.mounts()[key_dir] in compose["volumes"]
        assert f"chown {user}:{user} {key_dir}" in dockerfile or f"chown {user} {key_dir}" in dockerfile
        config_dir = service.mounts()["/config"]
        assert (REPO / config_dir / read_env_file(ENV_EXAMPLE)["HOTELHUB_CONFIG_FILE"]).is_file()
        assert env["HUB_CONFIG_FILE"].startswith("/config/")


def test_given_the_api_service_when_read_then_it_passes_uvicorns_forwarded_allow_ips() -> None:
    env = load_compose(filled_env_example())["services"]["api"]["environment"]
    assert env["FORWARDED_ALLOW_IPS"] == read_env_file(ENV_EXAMPLE)["FORWARDED_ALLOW_IPS"]
    assert "${FORWARDED_ALLOW_IPS:?" in COMPOSE_FILE.read_text()


def test_given_a_heartbeat_left_behind_by_a_dead_worker_when_the_worker_health_check_runs_then_it_fails(
    tmp_path: Path,
) -> None:
    worker = next(s for s in hub_services(load_compose(filled_env_example())) if s.name == "worker")
    check = worker.healthcheck
    assert check is not None
    beat = tmp_path / "hotelhub-worker-heartbeat"
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HUB_WORKER_HEARTBEAT_FILE": str(beat),
    }
    assert run(check, env, tmp_path, timeout=60).returncode != 0  # no worker ever ran
    beat.touch()
    assert run(check, env, tmp_path, timeout=60).returncode == 0  # a worker refreshed it just now
    stale = time.time() - 10 * 60
    os.utime(beat, (stale, stale))
    assert run(check, env, tmp_path, timeout=60).returncode != 0  # the file outlived its worker


class Container:
    """One hub service run on this machine as its container would run it."""

    def __init__(self, service: HubService, command: list[str], env: dict[str, str], folder: Path) -> None:
        self.service, self.command, self.env, self.folder = service, command, env, folder
        self.process: subprocess.Popen[bytes] | None = None
        self.log = folder / f"{service.name}.log"

    def start(self) -> None:
        """Start the service's command in the background."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, env=self.env, cwd=self.folder, stdout=out, stderr=out
            )

    def healthy(self) -> bool:
        """Run the service's own health check once."""
        check = self.service.healthcheck
        assert check is not None, f"{self.service.name} has no health check"
        return run(check, self.env, self.folder, timeout=30).returncode == 0

    def wait_healthy(self) -> None:
        """Wait until the health check passes, within the budget compose.yaml gives it."""
        spec = self.service.spec["healthcheck"]
        budget = _seconds(spec.get("start_period", "0s")) + _seconds(spec["interval"]) * spec["retries"]
        deadline = time.monotonic() + budget
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.tail()
            if self.healthy():
                return
            time.sleep(0.3)
        raise AssertionError(f"{self.service.name} not healthy within {budget} s: {self.tail()}")

    def stop(self) -> None:
        """SIGTERM, as `docker compose down` does, then wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self) -> str:
        """The end of the service's output."""
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def _seconds(duration: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    for unit in sorted(units, key=len, reverse=True):
        if duration.endswith(unit):
            return float(duration[: -len(unit)]) * units[unit]
    raise ValueError(f"unsupported duration {duration!r}")


def _on_this_machine(
    service: HubService, env: dict[str, str], database_url: str, broker_url: str, folder: Path
) -> tuple[list[str], dict[str, str]]:
    """The container's command and environment with service hosts and paths moved onto this machine."""
    assert urlsplit(env["HUB_DATABASE_URL"]).hostname == "postgres"
    assert urlsplit(env["HUB_BROKER_URL"]).hostname == "rabbitmq"
    moves: dict[str, Path] = {}
    for target, source in service.mounts().items():
        # A bind mount is the host folder; a named volume, a folder the services of this run share.
        host = (REPO / source).resolve() if source.startswith((".", "/")) else folder / "volumes" / source
        host.mkdir(parents=True, exist_ok=True)
        moves[target] = host

    def moved(value: str) -> str:
        for target, host in moves.items():
            if value.startswith(target + "/"):
                return str(host) + value[len(target) :]
        return value

    command = [moved(arg) for arg in service.command]
    here = {key: moved(value) for key, value in env.items()}
    here.update(HUB_DATABASE_URL=database_url, HUB_BROKER_URL=broker_url)
    private_tmp = folder / service.name / "tmp"
    private_tmp.mkdir(parents=True)
    here["HUB_WORKER_HEARTBEAT_FILE"] = str(private_tmp / "hotelhub-worker-heartbeat")
    if here.get("HUB_HTTP_HOST") == "0.0.0.0":
        here["HUB_HTTP_HOST"] = "127.0.0.1"  # all of a container's addresses; here, loopback only
    if "HUB_HTTP_PORT" in here:
        here["HUB_HTTP_PORT"] = str(free_port())
    here["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return command, here


@contextlib.contextmanager
def running(containers: list[Container]) -> Iterator[None]:
    """Stop every started container at the end, the last started first."""
    try:
        yield
    finally:
        for container in reversed(containers):
            container.stop()


@pytest.mark.services
def test_given_env_example_filled_in_when_the_hub_services_start_in_compose_order_then_each_is_healthy(
    tmp_path: Path,
) -> None:
    dotenv = filled_env_example()
    compose = load_compose(dotenv)
    services = hub_services(compose)
    assert [s.name for s in services] == ["migrate", "api", "worker"]
    with postgres_database() as database_url, rabbit_vhost() as broker_url:
        started: list[Container] = []
        with running(started):
            for service in services:
                command, env = _on_this_machine(
                    service, service.environment({".env": dotenv}), database_url, broker_url, tmp_path
                )
                folder = tmp_path / service.name
                if service.spec.get("restart") == "no":  # one-shot: "ready" is completed successfully
                    done = run(command, env, folder, timeout=180)
                    assert done.returncode == 0, done.stdout + done.stderr
                    continue
                container = Container(service, command, env, folder)
                started.append(container)
                container.start()
                container.wait_healthy()
            api = next(c for c in started if c.service.name == "api")
            base = f"http://127.0.0.1:{api.env['HUB_HTTP_PORT']}"
            _the_stack_books_a_partner_push(base, dotenv)


def _the_stack_books_a_partner_push(base: str, dotenv: dict[str, str]) -> None:
    # The API asks for the operator token from .env (even on loopback) and the worker books what
    # a partner pushes: the services are wired to each other, not merely running.
    operator = {"Authorization": f"Bearer {dotenv['HUB_API_TOKEN']}"}
    bookings = f"{base}/api/v1/properties/ALPINA/bookings"
    assert httpx.get(bookings, timeout=10).status_code == 401
    pushed = httpx.post(
        f"{base}/ota",
        content=commit(reservation("COMPOSE-1")),
        auth=("otaone", dotenv["HUB_PARTNER_OTAONE_PASSWORD"]),
        headers={"content-type": "text/xml"},
        timeout=10,
    )
    assert pushed.status_code == 200 and b"Success" in pushed.content, pushed.text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = httpx.get(
            bookings, params={"partner_reservation_id": "COMPOSE-1"}, headers=operator, timeout=10
        )
        assert found.status_code == 200, found.text
        if found.json():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not book the partner's push")


def test_given_a_placeholder_with_dollar_escape_when_interpolated_then_compose_semantics_hold() -> None:
    # The reader above is only as good as its interpolation: Compose's rules, checked on their own.
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("$$HUB ${SET} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${SET:+r} ${EMPTY:+r}", env) == (
        "$HUB x d  d r "
    )
    with pytest.raises(InterpolationError, match="EMPTY"):
        interpolate("${EMPTY:?needed}", env)
    assert interpolate("${EMPTY?needed}", env) == ""
    assert yaml.safe_load("a: &x {k: 1}\nb: {<<: *x, j: 2}") == {"a": {"k": 1}, "b": {"k": 1, "j": 2}}
    assert dockerfile_env()["HUB_CARD_VAULT_KEY_FILE"] == "/data/vault.key"
