"""Payment figures as JSON: webhook verifications a second, and gateway calls through the outbound seam.

    python bench/payments.py [--verifications 20000] [--holds 500]

`verify_per_s`: Standard Webhooks checks of a recorded event with two secrets configured (a
rotation), one CPU. `hold_capture_ms`: one authorise + capture pair through OutboundClient.run and
the connector against the simulated gateway in-process (no network): the hub's own cost per check-out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx

from canonical.payments import MinorAmount
from connectors.payments.client import StripeGateway
from connectors.payments.codec import CardDetails
from connectors.payments.simulator import GatewaySimulator
from connectors.payments.webhooks import signed_headers, verify
from routes.outbound.client import build_outbound
from routes.policy import DeliveryPolicy

BODY = (
    Path(__file__).parent.parent / "tests/contract/payments/fixtures/event_amount_capturable_updated.json"
).read_bytes()


class _Partner:
    id, kind, outbound_url = "bench-gateway", "payments", "http://gateway.sim"


def verifications(count: int) -> float:
    """Verified deliveries a second."""
    old, new = b"o" * 32, b"n" * 32
    now = datetime.now(UTC)
    headers = signed_headers([new], "msg_bench", int(now.timestamp()), BODY)
    started = time.perf_counter()
    for _ in range(count):
        verify(headers, BODY, [old, new], now=now)
    return count / (time.perf_counter() - started)


async def holds(count: int) -> list[float]:
    """Milliseconds of each authorise + capture pair."""
    sim = GatewaySimulator()
    seam = build_outbound(_Partner(), DeliveryPolicy(), transport=httpx.ASGITransport(app=sim.app))
    gateway = StripeGateway(seam.http, base_url="http://gateway.sim", api_key=sim.api_key, partner="bench")
    token = await gateway.tokenise(CardDetails("4242424242424242", 8, 2030), idempotency_key="tok")
    amount = MinorAmount(value=48000, currency="EUR")
    times: list[float] = []
    for i in range(count):
        started = time.perf_counter()
        hold = await seam.run(
            partial(gateway.authorise, token, amount, idempotency_key=f"a{i}", reference="F")
        )
        await seam.run(partial(gateway.capture, hold.authorisation_id, amount, idempotency_key=f"c{i}"))
        times.append((time.perf_counter() - started) * 1000)
    await seam.aclose()
    assert sim.ledger.captures == count
    return times


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verifications", type=int, default=20000)
    parser.add_argument("--holds", type=int, default=500)
    args = parser.parse_args()
    pairs = asyncio.run(holds(args.holds))
    figures = {
        "verify_per_s": round(verifications(args.verifications)),
        "hold_capture_ms_p50": round(statistics.median(pairs), 2),
        "hold_capture_ms_p99": round(statistics.quantiles(pairs, n=100)[98], 2),
        "holds": args.holds,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
