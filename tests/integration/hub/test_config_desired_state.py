"""The configuration file is the desired state: partners it drops are disabled (and come back),
rooms it drops while their nights are sold are reported, a second apply says `no changes`."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from harness import DEMO_CONFIG, PASSWORDS
from ota_builders import OTAONE, OTATWO, commit, reservation
from sqlalchemy import func, select
from typer.testing import CliRunner

from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.cli import app
from hub.config_apply import apply_file
from hub.demo.partners import parse_answer
from hub.settings import HubSettings
from routes.tables import inbound_messages, partner_grants, partners

runner = CliRunner()
JSU_NIGHTS = ("2031-03-01", "2031-03-03")  # arrival, departure: two nights


class Files:
    """An editable copy of the demo configuration and its mapping files."""

    def __init__(self, root: Path) -> None:
        shutil.copy(DEMO_CONFIG, root / "hub.yaml")
        shutil.copytree(DEMO_CONFIG.parent / "mappings", root / "mappings")
        self.path = root / "hub.yaml"

    def edit(self, change: Callable[[dict[str, Any]], object]) -> Path:
        """Change the file's data and write it back; return its path."""
        data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        change(data)
        self.path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return self.path


def without_partner(partner_id: str) -> Callable[[dict[str, Any]], object]:
    """An edit that drops one partner."""

    def change(data: dict[str, Any]) -> None:
        data["partners"] = [p for p in data["partners"] if p["id"] != partner_id]

    return change


def junior_suites(*rooms: str) -> Callable[[dict[str, Any]], object]:
    """An edit that leaves the junior suites (JSU) with these rooms."""

    def change(data: dict[str, Any]) -> None:
        suite = next(t for t in data["properties"][0]["room_types"] if t["code"] == "JSU")
        suite["rooms"] = list(rooms)

    return change


@pytest.fixture
def files(tmp_path: Path) -> Files:
    """The demo configuration, copied to be edited."""
    return Files(tmp_path)


@pytest.fixture
async def hub(
    database_url: str, files: Files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Hub]:
    """The demo configuration applied; a hub on it whose partner directory never answers stale."""
    for name, value in PASSWORDS.items():
        monkeypatch.setenv(name, value)
    settings = HubSettings(
        database_url=database_url,
        card_vault_key_file=tmp_path / "vault.key",
        mapping_cache_seconds=0,
        log_json=False,
    )
    await apply_file(settings, files.path)
    hub = build_hub(settings)
    await hub.journal.start()
    try:
        yield hub
    finally:
        await hub.journal.stop()
        await hub.directory.close()
        await hub.engine.dispose()
        if hub.reader is not hub.engine:
            await hub.reader.dispose()


def client(hub: Hub) -> httpx.AsyncClient:
    """An HTTP client on the hub's app."""
    asgi = create_app(hub=hub)
    asgi.state.hub = hub
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://hub")


async def push_errors(http: httpx.AsyncClient, res_id: str, auth: tuple[str, str]) -> list[str]:
    """Push a booking to /ota; the OTA error codes of the answer ([] when it was accepted)."""
    answer = await http.post("/ota", content=commit(reservation(res_id)), auth=auth)
    return [error.code for error in parse_answer(answer.content).errors]


async def test_given_a_partner_dropped_from_the_file_when_applied_then_it_is_disabled_refused_and_kept(
    hub: Hub, files: Files
) -> None:
    async with client(hub) as http:
        assert await push_errors(http, "DROP-1", OTAONE) == []
        lines = await apply_file(hub.settings, files.edit(without_partner("otaone")))
        assert lines == ["partner otaone: disabled (no longer in the configuration)"]

        assert await push_errors(http, "DROP-2", OTAONE) == ["497"]
        assert (await http.get("/api/v1/properties/ALPINA/bookings", auth=OTAONE)).status_code == 401
        # the partner still in the file is untouched
        assert (await http.get("/api/v1/properties/ALPINA/bookings", auth=OTATWO)).status_code == 200
    async with hub.engine.connect() as conn:
        row = (await conn.execute(select(partners).where(partners.c.id == "otaone"))).one()
        grants = (
            await conn.execute(select(partner_grants).where(partner_grants.c.partner_id == "otaone"))
        ).all()
        kept = await conn.scalar(
            select(func.count())
            .select_from(inbound_messages)
            .where(inbound_messages.c.partner_id == "otaone")
        )
    assert not row.enabled and row.disabled_at is not None
    assert row.mapping and grants and kept == 1  # its mapping, grants and history stay
    assert await apply_file(hub.settings, files.path) == ["no changes"]


async def test_given_a_disabled_partner_back_in_the_file_when_applied_then_it_logs_in_again(
    hub: Hub, files: Files
) -> None:
    await apply_file(hub.settings, files.edit(without_partner("otaone")))
    shutil.copy(DEMO_CONFIG, files.path)

    lines = await apply_file(hub.settings, files.path)

    assert lines == [
        "partner otaone: enabled again (back in the configuration)",
        # nothing was sent to it while it was disabled: it starts again from the whole calendar
        "channel otaone: new channel, resync of 7300 cells queued",
    ]
    async with client(hub) as http:
        assert await push_errors(http, "BACK-1", OTAONE) == []
        assert (await http.get("/api/v1/properties/ALPINA/bookings", auth=OTAONE)).status_code == 200


async def test_given_a_new_partner_with_a_dropped_partners_login_when_applied_then_it_logs_in(
    hub: Hub, files: Files
) -> None:
    def otaone_renamed(data: dict[str, Any]) -> None:
        partner = next(p for p in data["partners"] if p["id"] == "otaone")
        partner["id"] = "otaone2"
        partner["mapping"] = "mappings/ota/otaone2.yaml"

    folder = files.path.parent / "mappings" / "ota"
    mapping = yaml.safe_load((folder / "otaone.yaml").read_text(encoding="utf-8"))
    (folder / "otaone2.yaml").write_text(yaml.safe_dump({**mapping, "partner": "otaone2"}), encoding="utf-8")

    lines = await apply_file(hub.settings, files.edit(otaone_renamed))

    assert lines == [
        "partner otaone2: created",
        "partner otaone: disabled (no longer in the configuration)",
        "channel otaone2: new channel, resync of 7300 cells queued",
    ]
    async with client(hub) as http:
        assert await push_errors(http, "RENAMED-1", OTAONE) == []


async def book_suites(hub: Hub, count: int) -> None:
    """Sell `count` junior suites for the two nights of JSU_NIGHTS through the REST API."""
    arrival, departure = JSU_NIGHTS
    body = {"room_type_code": "JSU", "rate_plan_code": "BAR", "arrival": arrival, "departure": departure}
    async with client(hub) as http:
        for _ in range(count):
            booked = await http.post("/api/v1/properties/ALPINA/bookings", json=body)
            assert booked.status_code == 201, booked.text


async def test_given_rooms_dropped_while_their_nights_are_sold_when_applied_then_those_nights_are_listed(
    hub: Hub, files: Files
) -> None:
    await book_suites(hub, 2)

    lines = await apply_file(hub.settings, files.edit(junior_suites("301")))

    assert lines == [
        "property ALPINA: updated: room 302 taken out of service; room 303 taken out of service",
        "property ALPINA: warning: room type JSU keeps 1 room(s), fewer than are sold on 2 night(s): "
        "2031-03-01 (2 sold), 2031-03-02 (2 sold); those bookings stay and are overbooked",
    ]
    assert await apply_file(hub.settings, files.path) == ["no changes"]


def without_junior_suites(data: dict[str, Any]) -> None:
    """An edit that drops the room type JSU from the property and its rate plans."""
    hotel = data["properties"][0]
    hotel["room_types"] = [t for t in hotel["room_types"] if t["code"] != "JSU"]
    for plan in hotel["rate_plans"]:
        plan["room_types"].remove("JSU")
        plan["default_rates"].pop("JSU")


async def test_given_a_room_type_dropped_while_its_nights_are_sold_when_applied_then_those_nights_are_listed(
    hub: Hub, files: Files
) -> None:
    await book_suites(hub, 1)
    for partner in ("otaone", "otatwo"):
        mapping = files.path.parent / "mappings" / "ota" / f"{partner}.yaml"
        kept = [line for line in mapping.read_text(encoding="utf-8").splitlines() if ": JSU" not in line]
        mapping.write_text("\n".join(kept) + "\n", encoding="utf-8")

    lines = await apply_file(hub.settings, files.edit(without_junior_suites))

    assert lines[1:] == [
        "property ALPINA: warning: room type JSU is withdrawn, fewer than are sold on 2 night(s): "
        "2031-03-01 (1 sold), 2031-03-02 (1 sold); those bookings stay and are overbooked",
        "partner otaone: updated: mapping changed",
        "partner otatwo: updated: mapping changed",
        # three room types left, two rate plans, 365 nights: 3 x 365 x (1 + 2 x 2) cells each
        "channel otaone: mapping changed, resync of 5475 cells queued",
        "channel otatwo: mapping changed, resync of 5475 cells queued",
    ]
    assert lines[0].startswith("property ALPINA: updated: room type JSU withdrawn")


async def test_given_rooms_dropped_while_nights_are_sold_when_checked_with_the_database_then_a_warning(
    hub: Hub, files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    await book_suites(hub, 2)
    files.edit(junior_suites("301", "302"))  # 2 rooms left for 2 sold: nobody is stranded
    monkeypatch.setenv("HUB_DATABASE_URL", hub.settings.database_url)
    ok = await asyncio.to_thread(runner.invoke, app, ["config", "check", str(files.path)])
    assert ok.output.strip() == f"{files.path}: OK", ok.output
    files.edit(junior_suites("301"))

    checked = await asyncio.to_thread(runner.invoke, app, ["config", "check", str(files.path)])
    offline = await asyncio.to_thread(runner.invoke, app, ["config", "check", "--offline", str(files.path)])

    assert checked.exit_code == 0, checked.output
    assert checked.output.splitlines() == [
        f"{files.path}:{line_of(files.path, 'JSU')}: warning: properties[0].room_types[3].rooms: "
        "room type JSU keeps 1 room(s), fewer than are sold on 2 night(s): 2031-03-01 (2 sold), "
        "2031-03-02 (2 sold); those bookings stay and are overbooked "
        "(sold nights as in HUB_DATABASE_URL's database)",
        f"{files.path}: OK (1 warning(s))",
    ]
    assert offline.output.strip() == f"{files.path}: OK"


def line_of(path: Path, code: str) -> int:
    """The line of the `rooms` key of room type `code` in a file written by Files.edit."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, text in enumerate(lines) if text.strip() == f"- code: {code}")
    return next(i for i in range(start, len(lines)) if lines[i].strip().startswith("rooms:")) + 1
