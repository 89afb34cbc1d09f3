"""What the RabbitMQ transport reads from the hub's settings (hub.settings.HubSettings fits it)."""

from __future__ import annotations

from typing import Protocol


class RabbitSettings(Protocol):
    """The settings the transport and the relay need; routes never imports hub, so this is a protocol."""

    @property
    def broker_url(self) -> str | None:
        """amqp:// URL of the broker (None means the embedded transport, not this one)."""
        ...

    @property
    def rabbit_prefetch(self) -> int:
        """Unacknowledged messages a consumer may hold; also bounds one group commit."""
        ...

    @property
    def rabbit_delivery_limit(self) -> int:
        """x-delivery-limit of every consumer queue."""
        ...

    @property
    def relay_batch(self) -> int:
        """Outbox rows the relay claims and publishes at once."""
        ...

    @property
    def relay_idle_ms(self) -> float:
        """How long the relay sleeps when nothing is pending."""
        ...

    @property
    def fault_kill_after_commit(self) -> str | None:
        """Crash tests only: message type after whose commit the worker kills itself before acking."""
        ...

    @property
    def fault_kill_before_commit(self) -> str | None:
        """Crash tests only: message type whose delivery makes the worker kill itself before committing."""
        ...
