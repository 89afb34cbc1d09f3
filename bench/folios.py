"""Folio postings through the PMS core: charges with taxes, payments and closes per second, one
transaction each, as the REST API runs them; prints JSON.

    python bench/folios.py [--folios 200] [--charges 10] [--concurrency 8] [--database-url URL]

Without --database-url: a fresh SQLite file (embedded mode). A PostgreSQL URL must name an empty
database the bench may migrate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from folio_builders import a_code_book

from canonical.folio import CloseFolio, FolioKind, OpenFolio, PostCharge, PostPayment
from canonical.property import DefineProperty, RoomTypeDefinition
from hub.db import create_engine
from hub.schema import upgrade_async
from pms_core import folio_handlers as handlers
from pms_core.setup import apply_property
from pms_core.unit_of_work import PmsUnitOfWork

T = TypeVar("T")
HOTEL = "HOTEL1"


async def _once(engine: AsyncEngine, use: Callable[[PmsUnitOfWork], Awaitable[T]]) -> T:
    async with engine.begin() as conn:
        return await use(PmsUnitOfWork(conn))


async def _folio(engine: AsyncEngine, charges: int, latencies: list[float]) -> None:
    opened = await _once(
        engine,
        lambda uow: handlers.handle_open_folio(OpenFolio(property_code=HOTEL, kind=FolioKind.MASTER), uow),
    )
    folio = opened.folio_id
    balance = Decimal(0)
    for n in range(charges):
        code = ("ROOM", "FNB", "MINIBAR")[n % 3]
        cmd = PostCharge(
            property_code=HOTEL,
            folio_id=folio,
            transaction_code=code,
            unit_amount=Decimal("110.00"),
            persons=2,
        )
        started = time.perf_counter()
        balance = (await _once(engine, lambda uow, cmd=cmd: handlers.handle_post_charge(cmd, uow))).balance
        latencies.append(time.perf_counter() - started)
    pay = PostPayment(property_code=HOTEL, folio_id=folio, method="CARD", amount=balance)
    await _once(engine, lambda uow: handlers.handle_post_payment(pay, uow))
    await _once(
        engine, lambda uow: handlers.handle_close_folio(CloseFolio(property_code=HOTEL, folio_id=folio), uow)
    )


async def main(args: argparse.Namespace) -> dict[str, object]:
    """Run the bench; the figures."""
    folder = tempfile.mkdtemp(prefix="folio-bench-")
    url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
    await upgrade_async(url)
    engine = create_engine(url, pool_size=args.concurrency)
    try:
        double = RoomTypeDefinition(code="DBL", name="Double", max_occupancy=2, rooms=("1",))
        prop = DefineProperty(
            code=HOTEL, name="Bench", timezone="Europe/Vienna", currency="EUR", room_types=(double,)
        )
        async with engine.begin() as conn:
            await apply_property(conn, prop)
        await _once(engine, lambda uow: handlers.apply_folio_codes(uow, a_code_book()))
        latencies: list[float] = []
        gate = asyncio.Semaphore(args.concurrency)

        async def one() -> None:
            async with gate:
                await _folio(engine, args.charges, latencies)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(args.folios)))
        elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    latencies.sort()
    transactions = args.folios * (args.charges + 3)
    return {
        "database": url.split(":", 1)[0],
        "folios": args.folios,
        "charges_per_folio": args.charges,
        "concurrency": args.concurrency,
        "seconds": round(elapsed, 2),
        "transactions_per_s": round(transactions / elapsed, 1),
        "charge_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "charge_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "invoices": args.folios,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folios", type=int, default=200)
    parser.add_argument("--charges", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=None)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
