"""PmsUnitOfWork: the core's work inside a transaction its caller owns, and the events it raised."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import utcnow
from pms_core.adapters.lookups import CatalogCache, for_transaction


class PmsUnitOfWork:
    """Holds the caller's connection and collects domain events for the caller's outbox.

    The caller begins and commits the transaction, because delivery writes its inbox and
    outbox rows in the same one; the core never commits or rolls back. Property set-ups are
    read once per transaction: every unit of work made on the same open transaction shares
    one CatalogCache unless the caller passes its own.
    """

    def __init__(
        self,
        conn: AsyncConnection,
        *,
        message_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        catalog: CatalogCache | None = None,
        ari_events: bool = False,
    ) -> None:
        self.conn = conn
        # Availability events of bookings cost work on every booking: raised only when asked
        # (a route consumes ari.changed.v1). ARI and out-of-order changes raise theirs always.
        self.ari_events = ari_events
        self.message_id = message_id
        self.events: list[tuple[str, BaseModel]] = []
        self.catalog = catalog if catalog is not None else for_transaction(conn)
        self._clock = clock

    @property
    def dialect(self) -> str:
        """The database backend's name ("sqlite" or "postgresql")."""
        return self.conn.dialect.name

    def now(self) -> datetime:
        """The current aware time, from the injected clock."""
        return self._clock()

    def collect(self, routing_key: str, payload: BaseModel) -> None:
        """Remember an event for the caller to write to the outbox with this transaction."""
        self.events.append((routing_key, payload))
