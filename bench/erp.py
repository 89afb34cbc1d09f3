"""The finance ERP pull's server work: read a range of closed days, write it as JSON or CSV, hash it
(the ETag); per pull, for one day and for the longest range (92 days); prints JSON.

    python bench/erp.py [--pulls 50] [--database-url URL]

Without --database-url: a fresh SQLite file (embedded mode). A PostgreSQL URL must name an empty
database the bench may migrate. HTTP and authentication are left out: this is what a pull adds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from erp_builders import BUSINESS_DATE, closed_days

from canonical.property import DefineProperty, RoomTypeDefinition
from connectors.erp.codec import encode_csv, encode_json
from connectors.erp.settings import MAX_RANGE_DAYS
from hub.db import create_engine
from hub.http_erp import entity_tag
from hub.schema import upgrade_async
from pms_core.adapters.tables import properties
from pms_core.day_closes import store_closed_day
from pms_core.setup import apply_property
from routes.erp import DayRange, read_closed_days

HOTEL = "ALPINA"


async def main(args: argparse.Namespace) -> dict[str, object]:
    """Run the bench; the figures."""
    folder = tempfile.mkdtemp(prefix="erp-bench-")
    url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
    await upgrade_async(url)
    engine = create_engine(url, pool_size=2)
    figures: dict[str, object] = {"database": url.split(":", 1)[0], "pulls": args.pulls}
    try:
        double = RoomTypeDefinition(code="DBL", name="Double", max_occupancy=2, rooms=("1",))
        prop = DefineProperty(
            code=HOTEL, name="Bench", timezone="Europe/Rome", currency="EUR", room_types=(double,)
        )
        async with engine.begin() as conn:
            await apply_property(conn, prop)
            property_id = (await conn.execute(select(properties.c.id))).scalar_one()
            for day in closed_days(BUSINESS_DATE, MAX_RANGE_DAYS, property_code=HOTEL):
                await store_closed_day(conn, property_id, day)
        for label, days in (("one_day", 1), ("range_92_days", MAX_RANGE_DAYS)):
            span = DayRange(BUSINESS_DATE, BUSINESS_DATE + timedelta(days=days - 1))
            for media in ("json", "csv"):
                started = time.perf_counter()
                for _ in range(args.pulls):
                    async with engine.connect() as conn:
                        found = await read_closed_days(conn, HOTEL, span)
                    body = (
                        encode_json(HOTEL, span.first, span.last, found)
                        if media == "json"
                        else encode_csv(HOTEL, found)
                    )
                    entity_tag(body)
                elapsed = time.perf_counter() - started
                figures[f"{label}_{media}_ms"] = round(elapsed / args.pulls * 1000, 2)
                figures[f"{label}_{media}_bytes"] = len(body)
    finally:
        await engine.dispose()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pulls", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
