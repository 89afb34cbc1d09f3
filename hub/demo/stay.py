"""The demo's stay: a guest booked for tonight is checked in to a clean room, the card is held at the
gateway, minibar and garage are charged, the night audit closes the day, the guest checks out and
the card is captured; then the folio and the finance ERP's view of the closed day.

All of it goes through the hub's REST API as the front desk and the ERP would use it, and the
gateway's ledger is read from the gateway. A piece of the hub that is not there yet (no hold at
check-in, no capture at check-out) is said so and the checks on it are left out, by name.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from rich.console import Console

from canonical.money import from_minor
from hub.config import HubConfig, PropertyConfig
from hub.demo.desk import Desk, SceneStopped
from hub.demo.gateway import DEMO_DEPOSIT, DemoGateway
from hub.demo.stay_checks import Check, capture_check, erp_check, folio_check
from hub.demo.stay_report import stay_progress, webhooks_line

Row = dict[str, Any]
ROOM_TYPE, RATE_PLAN = "DBL", "BAR"
GUEST = {"given_name": "Giulia", "surname": "Ferrari", "email": "giulia.ferrari@example.org", "primary": True}
# Two small bottles from the minibar and a night in the garage, as the outlets would post them.
EXTRAS: tuple[Row, ...] = (
    {"transaction_code": "MINIBAR", "unit_amount": "6.00", "quantity": 2, "description": "Minibar"},
    {"transaction_code": "PARKING", "unit_amount": "20.00", "description": "Garage, one night"},
)
HOLD_WAIT_S = 3.0  # how long a hold taken after the check-in (by a consumer) may take to show
CAPTURE_WAIT_S = 10.0


@dataclass
class StayScene:
    """What the stay scene saw: the booking, stay, folio, the ERP's day, the gateway's ledger, checks."""

    business_date: date
    booking: Row | None = None
    stay: Row | None = None
    folio: Row | None = None
    erp_day: Row | None = None
    holds_before: frozenset[str] = frozenset()  # the gateway's holds before the check-in
    calls_before: int = 0  # how many requests the gateway had answered before the check-in
    asked_hold: bool = False  # the hub asked the gateway for a hold after the check-in
    hold: Row | None = None
    captures: list[Row] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def wired(self) -> bool:
        """True when the hub asked the gateway for a hold at check-in (the stay's money flow is there)."""
        return self.asked_hold or self.hold is not None


async def run_stay(
    console: Console,
    config: HubConfig,
    prop: PropertyConfig,
    gateway: DemoGateway,
    client: httpx.AsyncClient,
    base_url: str,
    passwords: dict[str, str],
) -> StayScene:
    """Play the stay with a progress bar, one line per step; the checks say what was checked."""
    erp = next((p for p in config.partners if p.kind.value == "erp" and prop.code in p.properties), None)
    login = (erp.credentials.username, passwords[erp.id]) if erp is not None else None
    desk = Desk(client, base_url, prop.code, gateway, login)
    scene = StayScene(business_date=datetime.now(ZoneInfo(prop.timezone)).date())
    with stay_progress(console) as progress:
        task = progress.add_task("stay", total=len(STEPS))
        for name, step in STEPS:
            progress.update(task, description=f"stay: {name}")
            try:
                await step(desk, scene)
            except (SceneStopped, httpx.HTTPError) as err:
                scene.problems.append(str(err) or type(err).__name__)
                break
            finally:
                for line in scene.said:
                    progress.console.print(line)
                scene.said.clear()
            progress.advance(task)
    await gateway.sim.drain()
    if gateway.sim.webhooks_sent:
        console.print(webhooks_line(gateway.sim.webhooks_sent))
    scene.checks = [folio_check(scene.folio), capture_check(scene), erp_check(scene)]
    scene.problems += [problem for check in scene.checks for problem in check.problems]
    return scene


async def _book(desk: Desk, scene: StayScene) -> None:
    token = await desk.gateway.tokenise(desk.client)
    body = {
        "room_type_code": ROOM_TYPE,
        "rate_plan_code": RATE_PLAN,
        "arrival": scene.business_date.isoformat(),
        "departure": (scene.business_date + timedelta(days=1)).isoformat(),
        "adults": 2,
        "guests": [GUEST],
        "guarantee": {
            "guarantee_type": "card",
            "card": {
                "brand": "VI",
                "last4": "4242",
                "expiry": "12/34",
                "holder_name": "Giulia Ferrari",
                "token": token,
            },
        },
    }
    scene.booking = await desk.call("POST", desk.prop("/bookings"), "direct booking", json=body)
    total = scene.booking.get("total") or {}
    scene.said.append(
        f"stay: booking {scene.booking['confirmation']} for tonight, {ROOM_TYPE} {RATE_PLAN}, "
        f"{total.get('amount', '?')} {total.get('currency', '')}; card ending 4242 tokenised by the gateway"
    )


async def _check_in(desk: Desk, scene: StayScene) -> None:
    assert scene.booking is not None
    rooms = await desk.call("GET", desk.prop("/rooms"), "rooms")
    free = [
        r
        for r in rooms
        if r["room_type_code"] == ROOM_TYPE
        and r["occupancy"] == "vacant"
        and r["active"]
        and not r["out_of_order"]
    ]
    if not free:
        raise SceneStopped(f"stay: no vacant {ROOM_TYPE} room to check in to")
    room = next((r for r in free if r["housekeeping"] in ("clean", "inspected")), free[0])
    if room["housekeeping"] not in ("clean", "inspected"):
        await desk.call(
            "PUT",
            desk.prop(f"/rooms/{room['number']}/housekeeping"),
            "housekeeping",
            json={"status": "clean"},
        )
        scene.said.append(f"stay: room {room['number']} cleaned by housekeeping")
    scene.holds_before = frozenset(await desk.holds())
    scene.calls_before = len(desk.gateway.sim.calls)
    scene.stay = await desk.call(
        "POST",
        desk.prop(f"/bookings/{scene.booking['id']}/check-in"),
        "check-in",
        json={"room": room["number"]},
    )
    scene.said.append(f"stay: checked in to room {scene.stay['room']} on {scene.stay['checked_in_on']}")


async def _pre_auth(desk: Desk, scene: StayScene) -> None:
    deadline = time.monotonic() + HOLD_WAIT_S
    while True:
        holds = [h for i, h in (await desk.holds()).items() if i not in scene.holds_before]
        # asked, even if refused: a hold the gateway declined is the flow's failure, not its absence
        scene.asked_hold = scene.asked_hold or desk.gateway.asked_to_hold(since=scene.calls_before)
        if holds:
            scene.hold = holds[0]
            amount = _major(scene.hold["amount"], scene.hold["currency"])
            scene.said.append(
                f"stay: pre-auth: {amount} {scene.hold['currency'].upper()} held at the gateway "
                f"({scene.hold['id']}, {scene.hold['status']}: the stay and a deposit of {DEMO_DEPOSIT})"
            )
            return
        if time.monotonic() > deadline:
            scene.said.append(
                "stay: pre-auth: the hub asked the gateway for a hold and holds none"
                if scene.asked_hold
                else "stay: pre-auth: not wired (the hub asked the gateway for no hold at the check-in)"
            )
            return
        await asyncio.sleep(0.1)


async def _charges(desk: Desk, scene: StayScene) -> None:
    assert scene.booking is not None and scene.stay is not None
    booking = scene.booking["id"]
    folios = await desk.call(
        "GET", desk.prop("/folios"), "folios", params={"booking": booking, "kind": "guest"}
    )
    folio = next((f for f in folios if f["status"] == "open"), None)
    if folio is None:
        body = {"kind": "guest", "booking_id": booking, "stay_id": scene.stay["id"]}
        folio = await desk.call("POST", desk.prop("/folios"), "open folio", json=body)
    for n, charge in enumerate(EXTRAS):
        folio = await desk.call(
            "POST",
            desk.prop(f"/folios/{folio['folio_id']}/charges"),
            f"{charge['transaction_code']} charge",
            json=charge,
            headers={"Idempotency-Key": f"demo-{booking}-extra-{n}"},
        )
    scene.folio = folio
    scene.said.append(
        "stay: charged "
        + ", ".join(f"{c['transaction_code']} {c.get('quantity', 1)} x {c['unit_amount']}" for c in EXTRAS)
        + f"; folio balance {folio['balance']}"
    )


async def _night_audit(desk: Desk, scene: StayScene) -> None:
    answer = await desk.call(
        "POST",
        desk.prop("/audit/close"),
        "night audit",
        json={"business_date": scene.business_date.isoformat()},
    )
    stats = answer["day"].get("statistics", {})
    after = scene.business_date + timedelta(days=1)
    scene.said.append(
        f"stay: night audit closed {scene.business_date}: {answer['charges_posted']} room night(s) charged, "
        f"occupancy {stats.get('occupancy', '?')}; business date now {after}"
    )


async def _check_out(desk: Desk, scene: StayScene) -> None:
    assert scene.stay is not None and scene.folio is not None
    folio_path = desk.prop(f"/folios/{scene.folio['folio_id']}")
    if not scene.wired:
        # Nothing holds the card: the desk takes the balance on its own card terminal.
        folio = await desk.call("GET", folio_path, "folio")
        await desk.call(
            "POST",
            f"{folio_path}/payments",
            "desk payment",
            json={"method": "CARD", "amount": folio["balance"], "reference": "desk terminal"},
            headers={"Idempotency-Key": f"demo-{scene.stay['id']}-desk-payment"},
        )
        scene.said.append(
            f"stay: {folio['balance']} paid at the desk's card terminal (no capture by the hub)"
        )
    scene.stay = await desk.call("POST", desk.prop(f"/stays/{scene.stay['id']}/check-out"), "check-out")
    scene.said.append(f"stay: checked out of room {scene.stay['room']}")


async def _capture(desk: Desk, scene: StayScene) -> None:
    if not scene.wired:
        scene.said.append("stay: capture: not wired")
        return
    deadline = time.monotonic() + CAPTURE_WAIT_S
    while True:
        holds = [h for i, h in (await desk.holds()).items() if i not in scene.holds_before]
        scene.captures = [h for h in holds if h["amount_received"] > 0]
        if scene.captures or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    for hold in scene.captures:
        amount = _major(hold["amount_received"], hold["currency"])
        scene.said.append(
            f"stay: capture: {amount} {hold['currency'].upper()} taken at the gateway ({hold['id']})"
        )
    if not scene.captures:
        scene.said.append("stay: capture: the gateway took nothing at the check-out")


async def _close_folio(desk: Desk, scene: StayScene) -> None:
    assert scene.folio is not None
    path = desk.prop(f"/folios/{scene.folio['folio_id']}")
    folio = await desk.call("GET", path, "folio")
    if folio["status"] == "open" and Decimal(folio["balance"]) == 0:
        folio = await desk.call("POST", f"{path}/close", "folio close")
    scene.folio = folio
    scene.said.append(
        f"stay: folio {folio['status']}, balance {folio['balance']}, invoice {folio['invoice_number'] or '-'}"
    )


async def _erp_day(desk: Desk, scene: StayScene) -> None:
    auth = httpx.BasicAuth(*desk.erp_login) if desk.erp_login else None
    response = await desk.client.get(
        f"{desk.base}/api/v1/erp/daily-revenue",
        params={"property": desk.code, "date": scene.business_date.isoformat()},
        auth=auth,  # the operator, from this host, when no ERP partner is configured
    )
    if response.status_code >= 300:
        raise SceneStopped(f"stay: ERP pull: HTTP {response.status_code} {response.text[:200]}")
    scene.erp_day = response.json()["days"][0]
    scene.said.append(
        f"stay: the finance ERP pulled {scene.business_date} (ETag {response.headers.get('etag', '-')[:14]}…)"
    )


Step = Callable[[Desk, StayScene], Awaitable[None]]
STEPS: tuple[tuple[str, Step], ...] = (
    ("book", _book),
    ("check in", _check_in),
    ("pre-auth", _pre_auth),
    ("charges", _charges),
    ("night audit", _night_audit),
    ("check out", _check_out),
    ("capture", _capture),
    ("folio", _close_folio),
    ("ERP", _erp_day),
)


def _major(minor: int, currency: str) -> Decimal:
    return from_minor(minor, currency.upper())
