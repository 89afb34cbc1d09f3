"""`hotelhub demo` end to end: a real hub over HTTP on SQLite, two partners pushing bookings, ARI out to
their simulated channels (one goes down and comes back, one is pulled for a booking), a guest's stay
from check-in to the ERP's closed day, and everything must add up (how long it takes: bench/demo.py)."""

from __future__ import annotations

import io
import re

from rich.console import Console

from hub.demo.run import run_demo


async def test_given_a_fresh_hub_when_the_demo_runs_then_everything_adds_up_and_every_channel_converges() -> (
    None
):
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=False, color_system=None)

    code = await run_demo(console, bookings_per_partner=8)

    output = out.getvalue()
    assert code == 0, output
    # bookings: the hub holds what the partners pushed, one refused push ends as a dead letter
    assert "Availability of ALPINA" in output
    assert "Dead letters (1)" in output
    assert "UnmappedRoomType" in output
    # ARI: rates and restrictions changed, and each channel shows the core's value of every cell it was sent
    changed = re.search(r"rates and restrictions set through the API \((\d+) cells changed\)", output)
    assert changed is not None and int(changed.group(1)) > 0, output
    for name, rule in (("OTA One", ""), ("OTA Two", "; 1 room(s) held back")):
        compared = re.search(
            rf"{name} in step with the core \((\d+) cells compared{re.escape(rule)}\)", output
        )
        assert compared is not None and int(compared.group(1)) > 0, output
    # the outage opened OTA One's breaker; it closed again once the channel answered
    assert re.search(r"OTA One was down: \d+ calls answered HTTP 500 and its breaker opened", output), output
    assert "closed → open" in output and "the breaker closed and it caught up" in output
    # the pulled booking: booked once, acknowledged once with the hub's confirmation
    assert re.search(r"pulled from OTA Two: booked once, acknowledged once with confirmation \w+", output), (
        output
    )
    # the stay: checked in, charged, the day closed by the night audit, checked out, the folio closed
    # at zero with an invoice number, and the ERP's day pulled
    assert re.search(r"stay: checked in to room \d+", output), output
    assert re.search(r"stay: night audit closed [\d-]+: 1 room night\(s\) charged", output), output
    assert re.search(r"Folio \w+ \(guest, closed, invoice \d+\)", output), output
    assert "The finance ERP's view of" in output
    assert "stay check: ok folio closed at zero with an invoice number" in output
    assert "stay check: ok the ERP's revenue of" in output
    # the card: held at check-in (the stay total and the deposit), captured once at check-out
    assert re.search(r"stay: pre-auth: 280\.00 EUR held at the gateway", output), output
    assert re.search(r"stay: capture: [\d.]+ EUR taken at the gateway", output), output
    assert "stay check: ok exactly one capture at the gateway, equal to the folio's total" in output
    assert "stay check: failed" not in output
    assert "everything adds up" in output
