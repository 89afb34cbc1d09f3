"""The one shape both transports have, so the hub holds either without knowing which."""

from __future__ import annotations

from typing import Protocol


class Transport(Protocol):
    """Runs the routing table: the embedded dispatcher (SQLite outbox) or RabbitMQ (routes/rabbit)."""

    async def start(self, *, consume: bool = True, relay: bool = True) -> None:
        """Start consuming (a worker) and relaying the outbox (every process that writes it)."""

    async def stop(self) -> None:
        """Finish the messages in hand, then stop."""

    def notify(self) -> None:
        """New outbox rows were committed: deliver or publish them now rather than at the next poll."""

    @property
    def ready(self) -> bool:
        """Able to deliver (for /readyz)."""
