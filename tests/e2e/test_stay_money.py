"""The money of a stay end to end, on both transports (docs/payments.md, "Money of a stay").

OTA bookings with a card pushed at /ota; check-in over REST holds the stay total plus the deposit at
the simulated gateway; the night audit's room charge raises the hold; check-out captures once (also
when delivered twice, and when the gateway took the capture, lost the answer and then answered 500
for a while: seconds here, the flow does not know how long an outage lasts) and the folio closes at
zero with an invoice number. A declined card: nothing held, the folio stays open, one P2 alert and a
dead letter. The gateway is faked at its HTTP boundary only, served in the test's event loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
import pytest
import yaml
from card_scan import leaks, table_cells
from harness import DEMO_CONFIG, RunningHub, running_hub
from ota_builders import ARRIVAL, OTAONE, commit, reservation, stay
from sqlalchemy import insert, select, update
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from canonical.stay import STAY_CHECKED_OUT_V1
from connectors.ota.simulator.runner import serving
from connectors.payments.simulator import GatewaySimulator
from hub.demo.messages import TEST_CARD
from pms_core.adapters.tables import properties
from routes import deadletters
from routes.tables import outbox

HOTEL = "/api/v1/properties/ALPINA"
API_KEY = "sk_test_stay_money"
ENVIRON = {"PAY_E2E_API_KEY": API_KEY, "PAY_E2E_WEBHOOK": "whsec_c3RheS1tb25leS13ZWJob29r"}
DECLINING_PAN = "4000000000009995"  # the gateway's test card for insufficient funds
# One night of 180.00 (VAT included) for two: the audit posts 180.00 room + 5.00 city tax.
OWED_MINOR = 18500
DEPOSIT = "2.00"  # held on top of the 180.00 stay total: the city tax passes the hold
HELD_MINOR = 18000 + 200
RAISED_MINOR = OWED_MINOR + 200
TIMEOUT_S = 1.0


class Outage:
    """The gateway's HTTP boundary: answers 500 to API calls for `seconds` after the next one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.until = 0.0
        self.after_next: float | None = None
        self.refused = 0

    def start_after_next(self, seconds: float) -> None:
        """The next API call passes; every other one in the `seconds` from its start answers 500."""
        self.after_next = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse while down, else pass to the gateway."""
        api = scope["type"] == "http" and scope["path"].startswith("/v1/")
        if api and time.monotonic() < self.until:
            self.refused += 1
            body = {"error": {"type": "api_error", "message": "An error occurred with our connection."}}
            await JSONResponse(body, status_code=500)(scope, receive, send)
            return
        if api and self.after_next is not None:
            self.until, self.after_next = time.monotonic() + self.after_next, None
        await self.app(scope, receive, send)


@dataclass
class MoneyHub:
    """The running hub and its simulated gateway."""

    hub: RunningHub
    sim: GatewaySimulator
    wire: Outage


def money_config(tmp_path: Path, gateway_url: str) -> Path:
    """The demo configuration with a payments partner for ALPINA at `gateway_url`."""
    config: dict[str, Any] = yaml.safe_load(DEMO_CONFIG.read_text())
    for partner in config["partners"]:
        if "mapping" in partner:
            partner["mapping"] = str(DEMO_CONFIG.parent / partner["mapping"])
    config["partners"].append(
        {
            "id": "gateway",
            "kind": "payments",
            "name": "Card gateway",
            "properties": ["ALPINA"],
            "credentials": {"username": "gateway", "password_env": "PAY_E2E_INBOUND"},
            "outbound": {
                "url": gateway_url,
                "policy": {"timeout_s": TIMEOUT_S, "breaker": {"failure_threshold": 3, "open_s": 0.5}},
            },
            "payments": {
                "api_key_env": "PAY_E2E_API_KEY",
                "webhook_secret_envs": ["PAY_E2E_WEBHOOK"],
                "deposit": {"ALPINA": DEPOSIT},
                "attempts": 2,
            },
        }
    )
    path = tmp_path / "hotelhub.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@asynccontextmanager
async def money_hub(
    transport: tuple[str, str, str | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[MoneyHub]:
    """A hub whose card gateway is the simulator, served in this event loop; ALPINA on ARRIVAL."""
    mode, database_url, broker_url = transport
    for name, value in ENVIRON.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(harness.PASSWORDS, "PAY_E2E_INBOUND", "gateway-secret")
    sim = GatewaySimulator(api_key=API_KEY)
    wire = Outage(sim.app)
    async with serving(wire) as url:
        config = money_config(tmp_path, url)
        # redelivered every 0.3 s for a while: an outage of seconds is waited out, not dead-lettered
        async with running_hub(
            mode, database_url, broker_url, tmp_path, config=config, retry_delays_s=[0.3] * 30
        ) as running:
            async with running.hub.engine.begin() as conn:
                await conn.execute(
                    update(properties).where(properties.c.code == "ALPINA").values(business_date=ARRIVAL)
                )
            yield MoneyHub(running, sim, wire)


async def _booked(hub: RunningHub, res_id: str, pan: str = TEST_CARD) -> str:
    answer = await hub.push(
        commit(reservation(res_id, stay(nights=1))).replace(TEST_CARD.encode(), pan.encode()), OTAONE
    )
    assert answer.status_code == 200 and b"Success" in answer.content, answer.text

    async def booked() -> bool:
        return bool(await hub.api(f"{HOTEL}/bookings", partner_reservation_id=res_id))

    await hub.eventually(booked, what=f"booking {res_id}")
    found: list[dict[str, Any]] = await hub.api(f"{HOTEL}/bookings", partner_reservation_id=res_id)
    return str(found[0]["id"])


async def _checked_in(hub: RunningHub, booking_id: str, room: str) -> str:
    answer = await hub.http.post(f"{HOTEL}/bookings/{booking_id}/check-in", json={"room": room})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def _folio(hub: RunningHub, booking_id: str) -> dict[str, Any]:
    folios: list[dict[str, Any]] = await hub.api(f"{HOTEL}/folios", booking=booking_id)
    assert len(folios) == 1, folios
    return folios[0]


async def _close_day(hub: RunningHub) -> None:
    closed = await hub.http.post(f"{HOTEL}/audit/close", json={"business_date": ARRIVAL.isoformat()})
    assert closed.status_code == 200, closed.text
    assert closed.json()["charges_posted"] >= 1


async def _check_out(hub: RunningHub, stay_id: str) -> None:
    answer = await hub.http.post(f"{HOTEL}/stays/{stay_id}/check-out")
    assert answer.status_code == 200, answer.text


def _holds(sim: GatewaySimulator) -> list[tuple[int, int, str]]:
    """(authorised, received, status) of each hold the gateway has, in minor units."""
    return [(i.amount, i.amount_received, i.status) for i in sim.ledger.intents.values()]


async def _closed(money: MoneyHub, booking_id: str) -> dict[str, Any]:
    async def closed() -> bool:
        return (await _folio(money.hub, booking_id))["status"] == "closed" and await money.hub.settled()

    await money.hub.eventually(closed, what="the folio closed at zero")
    return await _folio(money.hub, booking_id)


def _card_payments(folio: dict[str, Any]) -> list[str]:
    return [
        line["amount"]
        for line in folio["lines"]
        if line["kind"] == "payment" and line["transaction_code"] == "CARD"
    ]


async def _held_then_raised(money: MoneyHub, count: int) -> None:
    """Wait for `count` check-in holds, close the day, wait for each raised past its room charge."""

    async def held() -> bool:
        return _holds(money.sim) == [(HELD_MINOR, 0, "requires_capture")] * count

    async def raised() -> bool:
        return _holds(money.sim) == [(RAISED_MINOR, 0, "requires_capture")] * count

    await money.hub.eventually(held, what="the check-in holds at the gateway")
    await _close_day(money.hub)
    await money.hub.eventually(raised, what="the holds raised past the room charges")


async def _deliver_again(hub: RunningHub, message_type: str) -> None:
    """Put a message already consumed back in the outbox, same id and body, and wait for it."""
    async with hub.hub.engine.begin() as conn:
        found = await conn.execute(select(outbox).where(outbox.c.message_type == message_type))
        row = found.mappings().first()
        assert row is not None
        copy = {k: v for k, v in row.items() if k not in ("id", "sent_at", "claimed_until")}
        await conn.execute(insert(outbox).values({**copy, "status": "pending", "attempts": 0}))
    hub.hub.notify()
    await hub.eventually(hub.settled, what=f"the {message_type} delivered again")


async def test_given_ota_bookings_with_cards_when_guests_stay_and_leave_then_held_raised_captured_once_and_closed_at_zero(
    transport: tuple[str, str, str | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one hub for both stays: starting one on RabbitMQ costs seconds
    async with money_hub(transport, tmp_path, monkeypatch) as money:
        hub, sim, wire = money.hub, money.sim, money.wire
        calm = await _booked(hub, "MONEY-1")
        stormy = await _booked(hub, "MONEY-3")
        calm_stay = await _checked_in(hub, calm, "101")
        stormy_stay = await _checked_in(hub, stormy, "103")
        await _held_then_raised(money, 2)

        await _check_out(hub, calm_stay)
        calm_folio = await _closed(money, calm)
        await _deliver_again(hub, STAY_CHECKED_OUT_V1)
        captured_calm = (sim.ledger.captures, dict(sim.ledger.captured))

        # the gateway takes the capture but answers too late, then answers 500 for 3 s (the outage)
        sim.hang_s = TIMEOUT_S + 0.5
        sim.fail_next("timeout")
        wire.start_after_next(3.0)
        await _check_out(hub, stormy_stay)
        stormy_folio = await _closed(money, stormy)
        # holds, captures, folios, payment operations, webhooks: the card's number is nowhere in clear
        found = {
            name: [hit for text in texts for hit in leaks(text)]
            for name, texts in (await table_cells(hub.hub.engine)).items()
        }

    assert {name: hits for name, hits in found.items() if hits} == {}
    assert captured_calm == (1, {"eur": OWED_MINOR})  # the check-out delivered twice: one capture
    assert wire.refused >= 2  # the hub kept trying, with the same key, while the gateway was down
    assert sim.ledger.captures == 2 and sim.ledger.captured == {"eur": 2 * OWED_MINOR}
    assert _holds(sim) == [(RAISED_MINOR, OWED_MINOR, "succeeded")] * 2
    for folio in (calm_folio, stormy_folio):
        assert folio["balance"] == "0.00" and _card_payments(folio) == ["-185.00"]
    assert sorted(f["invoice_number"] for f in (calm_folio, stormy_folio)) == [1, 2]


async def test_given_a_declining_card_when_checked_in_and_out_then_nothing_held_folio_open_and_alerted(
    transport: tuple[str, str, str | None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="hotelhub.payments")
    async with money_hub(transport, tmp_path, monkeypatch) as money:
        hub = money.hub
        booking_id = await _booked(hub, "MONEY-2", DECLINING_PAN)
        stay_id = await _checked_in(hub, booking_id, "102")

        async def letters() -> list[dict[str, Any]]:
            async with hub.hub.engine.connect() as conn:
                return await deadletters.list_letters(conn, status="open")

        async def dead_lettered() -> bool:
            return bool(await letters())

        await hub.eventually(dead_lettered, what="the declined hold in the dead-letter store")
        await _close_day(hub)
        await _check_out(hub, stay_id)
        await hub.eventually(hub.settled, what="the check-out consumed")
        folio = await _folio(hub, booking_id)
        found = await letters()

    assert money.sim.ledger.intents == {} and money.sim.ledger.captures == 0
    assert folio["status"] == "open" and folio["balance"] == "185.00"
    assert [(letter["consumer"], "insufficient_funds" in letter["error_text"]) for letter in found] == [
        ("payments.stay_hold", True)
    ]
    alerts = [r for r in caplog.records if getattr(r, "alert", None) == "P2"]
    assert len(alerts) == 1 and "stays open" in alerts[0].getMessage()
