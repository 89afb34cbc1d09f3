"""Safe by default: without HUB_API_TOKEN the operator API answers loopback callers only, `serve`
refuses to listen elsewhere, and an empty token or a malformed vault key ends a command at start."""

from __future__ import annotations

import base64
import contextlib
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from harness import DEMO_CONFIG, apply_file, running_hub
from pydantic import SecretStr
from typer.testing import CliRunner

from hub.app import create_app
from hub.bootstrap import build_hub, load_vault_key
from hub.cli import app
from hub.schema import upgrade_async
from hub.settings import HubSettings

runner = CliRunner()
AVAILABILITY = "/api/v1/properties/ALPINA/availability"
DATES = {"from": "2031-05-01", "to": "2031-05-02"}
REMOTE = ("203.0.113.7", 41000)
TOKEN = "operator-token-for-tests"


@contextlib.asynccontextmanager
async def calling(
    tmp_path: Path, peer: tuple[str, int] = ("127.0.0.1", 41000), token: str | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A hub on a fresh SQLite file with the demo configuration, and a client whose requests
    reach it from `peer`; with or without an operator token."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'safe.db'}"
    await upgrade_async(url)
    await apply_file(url, DEMO_CONFIG)
    hub = build_hub(
        HubSettings(
            database_url=url,
            card_vault_key_file=tmp_path / "vault.key",
            api_token=SecretStr(token) if token else None,
            log_json=False,
        )
    )
    api = create_app(hub=hub)
    api.state.hub = hub  # ASGITransport runs no lifespan
    transport = httpx.ASGITransport(app=api, client=peer)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            yield http
    finally:
        await hub.directory.close()
        await hub.engine.dispose()
        await hub.reader.dispose()


async def test_given_no_token_when_a_loopback_caller_asks_then_it_is_the_operator(tmp_path: Path) -> None:
    async with calling(tmp_path) as http:
        answer = await http.get(AVAILABILITY, params=DATES)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("peer", ["203.0.113.7", "10.1.2.3", "2001:db8::7"])
async def test_given_no_token_when_a_caller_elsewhere_asks_then_401_problem(
    tmp_path: Path, peer: str
) -> None:
    async with calling(tmp_path, (peer, 41000)) as http:
        answer = await http.get(AVAILABILITY, params=DATES)
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"] == "urn:hotelhub:problem:unauthenticated"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Forwarded-For": "203.0.113.7"},
        {"Forwarded": "for=203.0.113.7;proto=https"},
        {"X-Real-IP": "192.0.2.1"},
    ],
)
async def test_given_no_token_when_a_local_proxy_forwards_a_remote_client_then_401(
    tmp_path: Path, headers: dict[str, str]
) -> None:
    async with calling(tmp_path) as http:
        forwarded = await http.get(AVAILABILITY, params=DATES, headers=headers)
        for_loopback = await http.get(AVAILABILITY, params=DATES, headers=dict.fromkeys(headers, "127.0.0.1"))
    assert forwarded.status_code == 401
    assert for_loopback.status_code == 200, for_loopback.text


async def test_given_no_token_when_served_by_uvicorn_and_xff_names_a_remote_client_then_401(
    tmp_path: Path,
) -> None:
    # Real uvicorn on loopback: its proxy headers turn the peer into 203.0.113.7 (FORWARDED_ALLOW_IPS
    # trusts loopback by default), and the hub must not count that caller as local.
    url = f"sqlite+aiosqlite:///{tmp_path / 'proxied.db'}"
    async with running_hub("embedded", url, None, tmp_path) as hub:
        direct = await hub.http.get(AVAILABILITY, params=DATES)
        forwarded = await hub.http.get(AVAILABILITY, params=DATES, headers={"X-Forwarded-For": "203.0.113.7"})
    assert direct.status_code == 200, direct.text
    assert forwarded.status_code == 401


async def test_given_no_token_when_a_remote_partner_sends_its_credentials_then_it_stays_scoped(
    tmp_path: Path,
) -> None:
    async with calling(tmp_path, REMOTE) as http:
        granted = await http.get(AVAILABILITY, params=DATES, auth=("otaone", "otaone-secret"))
        wrong = await http.get(AVAILABILITY, params=DATES, auth=("otaone", "nope"))
        other = await http.get(
            "/api/v1/properties/NOWHERE/availability", params=DATES, auth=("otaone", "otaone-secret")
        )
    assert granted.status_code == 200, granted.text
    assert wrong.status_code == 401
    assert other.status_code == 403


async def test_given_a_token_when_a_remote_caller_sends_it_then_operator_and_without_it_401(
    tmp_path: Path,
) -> None:
    async with calling(tmp_path, REMOTE, token=TOKEN) as http:
        with_token = await http.get(AVAILABILITY, params=DATES, headers={"Authorization": f"Bearer {TOKEN}"})
        wrong = await http.get(AVAILABILITY, params=DATES, headers={"Authorization": "Bearer guess"})
        without = await http.get(AVAILABILITY, params=DATES)
    assert with_token.status_code == 200, with_token.text
    assert (wrong.status_code, without.status_code) == (401, 401)


async def test_given_a_token_when_a_loopback_caller_omits_it_then_401(tmp_path: Path) -> None:
    async with calling(tmp_path, token=TOKEN) as http:
        answer = await http.get(AVAILABILITY, params=DATES)
    assert answer.status_code == 401


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "HUB_CARD_VAULT_KEY_FILE": str(tmp_path / "vault.key"),
        **values,
    }


def _one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_given_no_token_when_serving_on_a_non_loopback_host_then_exit_2_naming_hub_api_token(
    tmp_path: Path, host: str
) -> None:
    result = runner.invoke(app, ["serve", "--host", host], env=_env(tmp_path))
    assert result.exit_code == 2
    assert _one_line(result.output).startswith("HUB_API_TOKEN is unset")
    assert not (tmp_path / "cli.db").exists()  # refused before anything was set up


def test_given_no_token_when_hub_http_host_is_non_loopback_then_serve_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve"], env=_env(tmp_path, HUB_HTTP_HOST="0.0.0.0"))
    assert result.exit_code == 2
    assert "HUB_API_TOKEN" in _one_line(result.output)


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"], ["worker"]])
@pytest.mark.parametrize("token", ["", "   "])
def test_given_an_empty_token_when_any_command_starts_then_exit_2_naming_hub_api_token(
    tmp_path: Path, command: list[str], token: str
) -> None:
    env = _env(tmp_path, HUB_API_TOKEN=token, HUB_BROKER_URL="amqp://guest:guest@127.0.0.1:1/")
    result = runner.invoke(app, command, env=env)
    assert result.exit_code == 2
    assert _one_line(result.output).startswith("HUB_API_TOKEN: is empty")


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("not-base64!!", "is not base64"),
        (base64.b64encode(b"k" * 16).decode(), "decodes to 16 bytes, not 32"),
        ("", "is empty"),
    ],
)
@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"], ["config", "apply", str(DEMO_CONFIG)]])
def test_given_a_malformed_vault_key_when_any_command_starts_then_exit_2_naming_it(
    tmp_path: Path, key: str, reason: str, command: list[str]
) -> None:
    result = runner.invoke(app, command, env=_env(tmp_path, HUB_CARD_VAULT_KEY=key))
    assert result.exit_code == 2
    line = _one_line(result.output)
    assert line.startswith(f"HUB_CARD_VAULT_KEY: {reason}")
    assert key == "" or key not in line


@pytest.mark.parametrize("command", [["serve"], ["worker"]])
def test_given_a_malformed_vault_key_file_when_serving_or_working_then_exit_2_naming_the_file(
    tmp_path: Path, command: list[str]
) -> None:
    key_file = tmp_path / "vault.key"
    key_file.write_text("this is no key\n")
    env = _env(tmp_path, HUB_BROKER_URL="amqp://guest:guest@127.0.0.1:1/")
    result = runner.invoke(app, command, env=env)
    assert result.exit_code == 2
    assert _one_line(result.output) == (
        f"HUB_CARD_VAULT_KEY_FILE={key_file}: the file is not base64: it must be a base64-encoded "
        "32-byte key (`openssl rand -base64 32`)"
    )


def test_given_a_vault_key_file_that_cannot_be_created_when_serving_then_exit_2_naming_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "not-a-folder").write_text("")
    key_file = tmp_path / "not-a-folder" / "vault.key"
    result = runner.invoke(app, ["serve"], env=_env(tmp_path, HUB_CARD_VAULT_KEY_FILE=str(key_file)))
    assert result.exit_code == 2
    assert _one_line(result.output).startswith(f"HUB_CARD_VAULT_KEY_FILE={key_file}: ")


def test_given_processes_starting_together_when_each_creates_the_key_file_then_all_share_one_key(
    tmp_path: Path,
) -> None:
    settings = HubSettings(card_vault_key_file=tmp_path / "shared" / "vault.key")
    start = threading.Barrier(8)
    keys: list[bytes] = []
    errors: list[BaseException] = []

    def load() -> None:
        start.wait()
        try:
            keys.append(load_vault_key(settings))
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(keys) == 8 and len(set(keys)) == 1
    assert os.stat(settings.card_vault_key_file).st_mode & 0o777 == 0o600
    assert sorted(p.name for p in settings.card_vault_key_file.parent.iterdir()) == ["vault.key"]
