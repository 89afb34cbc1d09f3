"""ARI changes reach the channel: the simulator's folded state equals the core's, with the fewest
messages, whatever the channel answers (SQLite and PostgreSQL, embedded transport)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from ari_views import HOTEL, core_view, eventually
from conftest import Distributing, apply, channel_config, start_hub
from harness import settled
from sqlalchemy import func, select

from connectors.ota.simulator import PushChannel
from hub.app import create_app
from routes import ari_pending
from routes.ari_resync import mark_resync
from routes.tables import ari_pending as pending_table
from routes.tables import dead_letters, partners

FIRST = date(2031, 1, 1)


def _nights(count: int) -> list[date]:
    return [FIRST + timedelta(days=i) for i in range(count)]


def _rate(amount: str, first: str | date, last: str | date | None = None, room_type: str = "DBL") -> Any:
    """A patch putting one BAR amount on a room type from `first` to `last` (one night by default)."""
    first, last = str(first), str(last or first)
    return {
        "room_type": room_type,
        "rate_plan": "BAR",
        "from": first,
        "to": last,
        "rates": {"amount": amount},
    }


async def _put_settled(d: Distributing, *patches: Any) -> None:
    """Put the patches over the API and wait until their changes are delivered to the distributor."""
    await d.put(*patches)
    await _settled(d)


async def _settled(d: Distributing) -> None:
    await eventually(lambda: settled(d.hub.engine, None), what="every ari.changed.v1 delivered")


async def _pending(d: Distributing) -> int:
    async with d.hub.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(pending_table))).scalar_one()


async def _dead_letters(d: Distributing) -> list[Any]:
    async with d.hub.engine.connect() as conn:
        return list((await conn.execute(select(dead_letters))).all())


def _shown(sim: PushChannel, kind: str) -> Any:
    return sim.state().get(HOTEL, {}).get(kind, {})


async def test_given_running_senders_when_a_rate_is_put_then_the_channel_shows_the_cores_values(
    database_url: str,
    tmp_path: Path,
    channel: tuple[PushChannel, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim, url = channel
    hub, _ = await start_hub(database_url, tmp_path, channel_config(tmp_path, url), monkeypatch, senders=True)
    try:
        app = create_app(hub=hub)
        app.state.hub = hub  # ASGITransport runs no lifespan
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as http:
            patch = {"room_type": "DBL", "rate_plan": "BAR", "from": "2031-01-01", "to": "2031-01-31"}
            answer = await http.put(
                "/api/v1/properties/ALPINA/ari",
                json={"patches": [patch | {"rates": {"amount": "199.00"}}]},
            )
            assert answer.status_code == 200, answer.text
        core = await core_view(hub.reader, FIRST, date(2031, 1, 31))

        async def arrived() -> bool:
            return _shown(sim, "rates").get("DZSTD", {}).get("FLEX1") == core["rates"]["DZSTD"]["FLEX1"]

        await eventually(arrived, what="the channel showing the new rates")
        assert core["rates"]["DZSTD"]["FLEX1"][FIRST]["amount"] == Decimal("199.00")
        # every message valid against 2015A; the configuration's rooms left went out too
        assert {c.outcome for c in sim.calls} == {"applied"}
        assert [c.message for c in sim.calls].count("OTA_HotelRateAmountNotifRQ") == 1
    finally:
        await hub.stop()


async def test_given_1000_changes_to_50_cells_when_sent_then_one_message_with_the_last_values(
    distributing: Distributing,
) -> None:
    d = distributing
    nights = _nights(50)
    for round_ in range(20):
        await d.put(*(_rate(f"{100 + round_ + i % 7}.00", night) for i, night in enumerate(nights)))
    await _settled(d)
    assert await _pending(d) == 50  # a set of keys: 1,000 changes, 50 cells

    rounds = await d.ari.drain("otaone")

    assert [r.outcome for r in rounds] == ["ok", "idle"]
    assert [(c.message, c.outcome) for c in d.sim.calls] == [("OTA_HotelRateAmountNotifRQ", "applied")]
    core = await core_view(d.hub.reader, nights[0], nights[-1])
    assert _shown(d.sim, "rates") == {"DZSTD": {"FLEX1": core["rates"]["DZSTD"]["FLEX1"]}}
    assert core["rates"]["DZSTD"]["FLEX1"][nights[0]]["amount"] == Decimal("119.00")
    assert await _pending(d) == 0


async def test_given_a_channel_failing_every_other_call_when_drained_then_it_shows_the_cores_state(
    distributing: Distributing,
) -> None:
    d = distributing
    d.sim.behave(answer="server_error", every_other=True)
    last = FIRST + timedelta(days=59)
    await d.put(
        {
            "room_type": "DBL",
            "from": "2031-01-01",
            "to": "2031-03-01",
            "days": ["sat"],
            "restrictions": {"min_los": 2},
        },
        {
            "room_type": "FAM",
            "rate_plan": "NREF",
            "from": "2031-01-10",
            "to": "2031-01-20",
            "rates": {"amount": "250"},
        },
    )
    async with d.hub.engine.begin() as conn:
        await mark_resync(conn, "otaone", FIRST, last)

    rounds = await d.ari.drain("otaone")

    assert rounds[-1].outcome == "idle"
    outcomes = [c.outcome for c in d.sim.calls]
    assert outcomes.count("server_error") >= 3 and set(outcomes) == {"server_error", "applied"}
    assert d.sim.state()[HOTEL] == await core_view(d.hub.reader, FIRST, last)
    assert await _dead_letters(d) == []


async def test_given_a_resync_when_sent_then_the_channel_shows_every_cell_of_the_range(
    distributing: Distributing,
) -> None:
    d = distributing
    last = FIRST + timedelta(days=9)
    async with d.hub.engine.begin() as conn:
        resync = await mark_resync(conn, "otaone", FIRST, last)

    await d.ari.drain("otaone")

    assert resync.cells == 10 * 4 * (1 + 2 * 2)  # nights x room types x (rooms left + 2 plans x 2 kinds)
    assert d.sim.state()[HOTEL] == await core_view(d.hub.reader, FIRST, last)
    assert {c.outcome for c in d.sim.calls} == {"applied"}
    assert {c.message for c in d.sim.calls} == {
        "OTA_HotelAvailNotifRQ",
        "OTA_HotelInvCountNotifRQ",
        "OTA_HotelRateAmountNotifRQ",
    }


async def test_given_partial_errors_when_sent_then_those_cells_dead_lettered_and_the_rest_delivered(
    distributing: Distributing,
) -> None:
    d = distributing
    nights = _nights(10)
    refused = nights[4]
    d.sim.behave(
        answer="partial_errors",
        error_items=[
            {"room_type": "DZSTD", "night": refused.isoformat(), "code": "402", "text": "Invalid room"}
        ],
    )
    await d.put(*(_rate(f"{150 + i}", n) for i, n in enumerate(nights)))
    await _settled(d)

    await d.ari.drain("otaone")

    (letter,) = await _dead_letters(d)
    assert letter.partner_id == "otaone" and letter.consumer == "ari-distributor"
    assert "/402: Invalid room" in letter.error_text and refused.isoformat() in letter.error_text
    shown = _shown(d.sim, "rates")["DZSTD"]["FLEX1"]
    core = (await core_view(d.hub.reader, nights[0], nights[-1]))["rates"]["DZSTD"]["FLEX1"]
    assert sorted(shown) == [n for n in nights if n != refused]
    assert all(shown[n] == core[n] for n in shown)
    assert await _pending(d) == 0  # a refused cell is dead-lettered, not retried


async def test_given_credentials_refused_when_sent_then_paused_no_dead_letters_and_no_more_calls(
    distributing: Distributing,
) -> None:
    d = distributing
    d.sim.behave(answer="unauthorized")
    await _put_settled(d, _rate("1", "2031-01-01", "2031-01-05", room_type="DBL"))

    rounds = await d.ari.drain("otaone")
    again = await d.ari.round("otaone")
    await _put_settled(d, _rate("2", "2031-01-01", "2031-01-05", room_type="DBL"))
    later = await d.ari.round("otaone")

    assert [r.outcome for r in rounds] == ["paused"]
    assert (again.outcome, later.outcome) == ("waiting", "waiting")
    assert len(d.sim.calls) == 1
    async with d.hub.engine.connect() as conn:
        paused = (
            await conn.execute(select(partners.c.paused_reason).where(partners.c.id == "otaone"))
        ).scalar_one()
        pending = await ari_pending.status(conn, "otaone")
    assert paused is not None and "401" in paused
    assert await _dead_letters(d) == []
    assert pending.cells == 5  # kept for when the configuration is fixed


async def test_given_a_paused_channel_when_its_configuration_changes_then_it_resumes_and_converges(
    distributing: Distributing,
) -> None:
    d = distributing
    d.sim.behave(answer="unauthorized")
    await _put_settled(d, _rate("3", "2031-01-01", "2031-01-05", room_type="JSU"))
    assert [r.outcome for r in await d.ari.drain("otaone")] == ["paused"]

    d.sim.behave(answer="success")
    data = yaml.safe_load(d.config.read_text(encoding="utf-8"))
    data["partners"][0]["outbound"]["policy"]["timeout_s"] = 20  # the operator fixes the partner
    d.config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (line,) = await apply(d.hub.settings.database_url, d.config)

    async def resumed() -> bool:
        record = await d.hub.directory.get("otaone")
        return record is not None and record.paused_at is None

    await eventually(resumed, what="the hub seeing the partner resumed")
    rounds = await d.ari.drain("otaone")

    assert "resumed (paused since" in line
    assert rounds[-1].outcome == "idle"
    core = await core_view(d.hub.reader, FIRST, FIRST + timedelta(days=4))
    assert _shown(d.sim, "rates")["JSUITE"]["FLEX1"] == core["rates"]["JSUITE"]["FLEX1"]
    assert [c.outcome for c in d.sim.calls] == ["unauthorized", "applied"]
