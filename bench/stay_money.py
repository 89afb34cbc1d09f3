"""What the money routes cost the night audit on PostgreSQL: the close with and without them, and the
raise-the-hold deliveries its postings cause, drained by the embedded dispatcher.

    python -m bench.stay_money [--rooms 100 1000] [--occupancy 0.9] [--url postgresql+asyncpg://...]

Per size, two fresh databases seeded as bench/stays.py seeds them (N rooms at 90 % in house, each
stay with its guest folio). One is closed with the routing table of `hotelhub audit close` (no
payment routes), the other with the hub's own (the payment routes: every folio the audit posts to
writes a `folio.line_posted.v1`). Then those messages are delivered to `payments.folio_top_up`;
no folio has a hold, so each delivery reads the folio's payment operations and calls nobody (a
gateway call is the partner's latency, bench/payments.py). One JSON line per size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from bench.stays import AT, DAY, DEFAULT_URL, HOTEL, _fresh_database, _seed
from canonical.base import utcnow
from hub.ari_outbox import offline_table
from hub.audit_close import close_day
from hub.db import create_engine
from hub.schema import upgrade
from routes.codes import CodeBook
from routes.embedded import EmbeddedDispatcher
from routes.outbound.registry import OutboundClients
from routes.partners import PartnerDirectory
from routes.payment_gateways import GatewayBook
from routes.payments import PaymentFlow
from routes.table import RoutingTable
from routes.tables import outbox
from routes.wiring import build_routing_table


def _money_table(engine: Any) -> RoutingTable:
    directory = PartnerDirectory(engine)
    book = GatewayBook(engine=engine, directory=directory, clients=OutboundClients(), secrets={})
    return build_routing_table(
        directory=directory,
        codes=CodeBook(engine),
        max_body_bytes=0,
        payments=PaymentFlow(engine=engine, gateways=book),
    )


async def _close(base: str, size: int, occupancy: float, *, money: bool) -> dict[str, Any]:
    url = await _fresh_database(base, f"bench_stay_money_{size}_{int(money)}")
    await asyncio.to_thread(upgrade, url)
    await _seed(url, size, occupancy)
    engine = create_engine(url)
    try:
        table = _money_table(engine) if money else offline_table(engine)
        async with engine.connect() as conn:  # a warm pool, as a running hub has
            await conn.execute(select(func.count()).select_from(outbox))
        started = time.perf_counter()
        _, rows = await close_day(engine, table, HOTEL, DAY, clock=lambda: AT + timedelta(hours=7))
        figures: dict[str, Any] = {"close_s": round(time.perf_counter() - started, 3), "outbox_rows": rows}
        if money:
            async with engine.begin() as conn:  # the close was clocked in 2031: its rows are due now
                await conn.execute(update(outbox).values(available_at=utcnow()))
            dispatcher = EmbeddedDispatcher(engine, table, batch=64)
            started = time.perf_counter()
            delivered = await dispatcher.drain()
            seconds = time.perf_counter() - started
            figures |= {"top_up_deliveries": delivered, "drain_s": round(seconds, 3)}
            figures["deliveries_per_s"] = round(delivered / seconds) if seconds else None
        return figures
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--occupancy", type=float, default=0.9)
    parser.add_argument(
        "--url", default=DEFAULT_URL, help="a PostgreSQL server (bench_stay_money_* replaced)"
    )
    args = parser.parse_args()
    for size in args.rooms:
        without = await _close(args.url, size, args.occupancy, money=False)
        with_money = await _close(args.url, size, args.occupancy, money=True)
        print(
            json.dumps({"rooms": size, "without_payment_routes": without, "with_payment_routes": with_money})
        )


if __name__ == "__main__":
    asyncio.run(main())
