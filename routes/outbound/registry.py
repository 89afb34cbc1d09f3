"""Every partner's outbound client, kept per process and rebuilt when the partner's configuration changes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import httpx

from canonical.base import utcnow
from routes.outbound.client import OutboundClient, build_outbound
from routes.partners import PartnerRecord


def _configuration(record: PartnerRecord) -> PartnerRecord:
    return replace(record, paused_at=None, paused_reason=None)


class OutboundClients:
    """One `OutboundClient` per partner, so its limits and breaker hold for every route sending to it.

    A client paused by a configuration failure stays paused until a record with another
    configuration arrives (`config apply` changed the partner, which also clears the stored pause);
    a record the database holds as paused pauses the client, so a process that did not see the
    failure makes no call either.
    """

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.transport = transport
        self.clock = clock
        self.wall_clock = wall_clock
        self._clients: dict[str, tuple[PartnerRecord, OutboundClient]] = {}
        self._retired: list[OutboundClient] = []

    def for_partner(self, record: PartnerRecord) -> OutboundClient:
        """The client of this partner as configured now."""
        configuration = _configuration(record)
        held = self._clients.get(record.id)
        if held is None or held[0] != configuration:
            if held is not None:
                self._retired.append(held[1])
            client = build_outbound(
                record, record.policy, transport=self.transport, clock=self.clock, wall_clock=self.wall_clock
            )
            self._clients[record.id] = (configuration, client)
        else:
            client = held[1]
        if record.paused_at is not None and client.paused is None:
            client.pause(record.paused_reason or "paused")
        return client

    async def aclose(self) -> None:
        """Close every client's connections."""
        for client in [*self._retired, *(c for _, c in self._clients.values())]:
            await client.aclose()
        self._retired.clear()
        self._clients.clear()
