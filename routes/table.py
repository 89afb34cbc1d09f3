"""The routing table: message type -> consumer -> handler -> policy, declared once for both transports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.envelope import Envelope
from canonical.messages import payload_type
from routes.policy import DeliveryPolicy


@dataclass
class DeliveryContext:
    """What a handler gets besides its message: the open transaction and a way to emit messages."""

    conn: AsyncConnection
    envelope: Envelope[Any]
    emitted: list[Envelope[Any]] = field(default_factory=list)

    def emit(self, message_type: str, payload: BaseModel) -> None:
        """Queue a message caused by the one being handled; written to the outbox in this transaction."""
        self.emitted.append(self.envelope.child(message_type, payload))


Handler = Callable[[Envelope[Any], DeliveryContext], Awaitable[object]]
# Handles several messages of one route in the caller's transaction, with the same effect as
# calling the Handler on each in order; raises BatchItemFailed naming the message at fault.
BatchHandler = Callable[[list[tuple[Envelope[Any], DeliveryContext]]], Awaitable[object]]


@cache
def envelope_type(message_type: str) -> type[Envelope[Any]]:
    """`Envelope[payload]` for a message type, built once.

    Parametrising a generic pydantic model is a cache lookup that costs more than validating a
    small envelope, and the class is rebuilt whenever nothing else holds it.
    """
    return Envelope[payload_type(message_type)]  # type: ignore[misc,return-value]


class BatchItemFailed(Exception):
    """A batch handler failed: `index` is the message at fault, None when none is known."""

    def __init__(self, index: int | None, error: Exception) -> None:
        super().__init__(str(error))
        self.index = index
        self.error = error


@dataclass(frozen=True)
class Route:
    """One consumer of one message type, with the policy its deliveries follow."""

    message_type: str
    consumer: str
    handler: Handler
    policy: DeliveryPolicy = DeliveryPolicy()
    description: str = ""
    batch_handler: BatchHandler | None = None

    @property
    def payload_type(self) -> type[BaseModel]:
        """The canonical payload model carried by this route's messages."""
        return payload_type(self.message_type)

    def decode(self, body: str | bytes) -> Envelope[Any]:
        """Parse an envelope of this route's message type (pydantic ValidationError when malformed)."""
        return envelope_type(self.message_type).model_validate_json(body)


class RoutingTable:
    """All routes of the hub, looked up by message type or by consumer name."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes: tuple[Route, ...] = tuple(routes)
        self._by_consumer: dict[str, Route] = {}
        self._by_type: dict[str, list[Route]] = {}
        for route in self.routes:
            if route.consumer in self._by_consumer:
                raise ValueError(f"consumer {route.consumer!r} is declared twice")
            self._by_consumer[route.consumer] = route
            self._by_type.setdefault(route.message_type, []).append(route)

    def for_type(self, message_type: str) -> list[Route]:
        """Every route that consumes a message type (empty when nobody does)."""
        return self._by_type.get(message_type, [])

    def consumer(self, name: str) -> Route:
        """The route of a consumer, KeyError naming it when unknown."""
        try:
            return self._by_consumer[name]
        except KeyError:
            raise KeyError(f"no route has consumer {name!r}") from None

    @property
    def message_types(self) -> list[str]:
        """The message types at least one route consumes."""
        return list(self._by_type)

    def with_policy(self, policy_for: Callable[[Route], DeliveryPolicy]) -> RoutingTable:
        """A copy whose routes take their policy from `policy_for` (settings overrides, tests)."""
        return RoutingTable(
            Route(r.message_type, r.consumer, r.handler, policy_for(r), r.description, r.batch_handler)
            for r in self.routes
        )
