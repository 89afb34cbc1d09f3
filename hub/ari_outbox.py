"""Changes of the core made through the API or the CLI: their events go to the outbox, if routed.

The PMS core collects `ari.changed.v1` for every change; like the core's booking events, they are
written to the outbox (in the change's own transaction) only when a route consumes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import uuid4

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.envelope import Envelope
from canonical.revenue import REVENUE_DAY_CLOSED_V1
from canonical.stay import STAY_EVENT_TYPES
from routes.ari_out import make_ari_route
from routes.codes import CodeBook
from routes.outbound.registry import OutboundClients
from routes.outbox import add_to_outbox, outbox_values
from routes.partners import PartnerDirectory
from routes.payment_gateways import GatewayBook
from routes.payments import PaymentFlow
from routes.table import RoutingTable
from routes.wiring import build_routing_table

# Kept in the outbox even while no route consumes them (left there as unrouted): the partners to come
# (door locks, the ERP's journal, the travel-expense vendor) take them up from there.
KEPT_UNROUTED = frozenset({REVENUE_DAY_CLOSED_V1, *STAY_EVENT_TYPES})


def is_written(table: RoutingTable, message_type: str) -> bool:
    """Whether an event of this type goes to the outbox: some route consumes it, or it is kept anyway."""
    return message_type in KEPT_UNROUTED or bool(table.for_type(message_type))


async def write_routed(
    conn: AsyncConnection,
    table: RoutingTable,
    events: Iterable[tuple[str, BaseModel]],
    *,
    property_code: str | None,
    correlation_id: str | None = None,
    now: datetime | None = None,
) -> int:
    """Write the events that go to the outbox (is_written) in this transaction; how many were written."""
    correlation = correlation_id or str(uuid4())
    rows = [
        outbox_values(
            Envelope[Any](
                message_type=key, correlation_id=correlation, property_code=property_code, payload=payload
            ),
            now=now,
        )
        for key, payload in events
        if is_written(table, key)
    ]
    await add_to_outbox(conn, rows)
    return len(rows)


def offline_table(engine: AsyncEngine) -> RoutingTable:
    """The routing table a change outside a running hub consults (CLI, `config apply`) to learn
    which messages some route consumes; built as `build_hub` builds it, nothing of it runs."""
    directory = PartnerDirectory(engine)
    payments = PaymentFlow(
        engine=engine,
        gateways=GatewayBook(engine=engine, directory=directory, clients=OutboundClients(), secrets={}),
    )
    return build_routing_table(
        directory=directory,
        codes=CodeBook(engine),
        max_body_bytes=0,
        ari_routes=[make_ari_route()],
        payments=payments,
    )
