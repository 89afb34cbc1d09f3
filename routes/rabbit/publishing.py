"""One persistent, mandatory, confirmed publish, and what became of it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from enum import StrEnum
from typing import Any, cast

from aio_pika.abc import AbstractRobustChannel
from aiormq import Channel, spec
from aiormq.exceptions import DeliveryError
from faststream.rabbit import RabbitBroker, RabbitExchange

log = logging.getLogger("hotelhub.rabbit")

CONFIRM_TIMEOUT_S = 10.0
# What the hub's broker puts in app_id (routes.rabbit.transport.hub_broker).
APP_ID = "hotelhub"


class Confirm(StrEnum):
    """The broker's answer to one publish; only SENT means a queue holds the message."""

    SENT = "sent"
    RETURNED = "returned"  # mandatory and no queue bound for the routing key
    NACKED = "nacked"  # the broker refused it (queue full with reject-publish, internal error)
    FAILED = "failed"  # no answer: connection lost, channel closed, timeout


async def publish_confirmed(
    broker: RabbitBroker,
    body: bytes,
    *,
    exchange: RabbitExchange | None,
    routing_key: str,
    message_id: str,
    correlation_id: str | None = None,
    message_type: str | None = None,
    headers: dict[str, Any] | None = None,
    confirm_timeout_s: float = CONFIRM_TIMEOUT_S,
) -> Confirm:
    """Publish persistent + mandatory and wait for the confirm; never raises.

    The message id must be set: the client matches a returned message to its publish by it, and
    without one a return would be followed by a plain ack and read as delivered.
    """
    publish = broker.publish(
        body,
        exchange=exchange,
        routing_key=routing_key,
        mandatory=True,
        persist=True,
        timeout=confirm_timeout_s,
        message_id=message_id,
        correlation_id=correlation_id,
        message_type=message_type,
        headers=headers,
        content_type="application/json",
    )
    return await confirm_of(publish, routing_key)


async def confirm_of(publish: Awaitable[object], routing_key: str) -> Confirm:
    """What became of a mandatory, confirmed publish: await it and read the broker's answer."""
    try:
        result = await publish
    except DeliveryError:
        return Confirm.NACKED
    except Exception as err:  # whatever the cause, the message is not known to be queued
        log.warning("publish not confirmed", extra={"routing_key": routing_key, "error": repr(err)[:300]})
        return Confirm.FAILED
    if isinstance(result, spec.Basic.Ack):
        return Confirm.SENT
    return Confirm.RETURNED  # aiormq gives the returned message itself


class ConfirmChannel:
    """The relay's own publisher-confirm channel on the broker's connection, published to through aiormq.

    The relay publishes every message the hub moves, so its path is kept short: one AMQP publish
    and its confirm, without FastStream's per-publish command objects and middlewares, aio-pika's
    Message, or a socket drain awaited per frame (`wait=False`: the confirm is what is awaited).
    Measured on the worker under load, that path cost about as much CPU as the publish itself.
    The channel belongs to FastStream's robust connection, so it is restored after a reconnect.
    """

    def __init__(self, broker: RabbitBroker) -> None:
        self.broker = broker
        self._channel: AbstractRobustChannel | None = None
        self._opening: asyncio.Future[AbstractRobustChannel] | None = None

    async def _underlay(self) -> Channel:
        if self._channel is None or self._channel.is_closed:
            if self._opening is None or self._opening.done():
                self._opening = asyncio.ensure_future(self._open())
            # every publisher that found it closed goes on in the same loop turn once it is open
            # (a lock would let them through one a turn); shielded from one caller's timeout
            self._channel = await asyncio.shield(self._opening)
        # waits for a reconnect in progress (bounded by the caller's timeout)
        return cast(Channel, await self._channel.get_underlay_channel())

    async def _open(self) -> AbstractRobustChannel:
        connection = await self.broker.connect()
        return await connection.channel(publisher_confirms=True, on_return_raises=False)

    async def publish(
        self,
        body: bytes,
        *,
        exchange: str,
        routing_key: str,
        message_id: str,
        correlation_id: str | None = None,
        message_type: str | None = None,
        headers: dict[str, Any] | None = None,
        confirm_timeout_s: float = CONFIRM_TIMEOUT_S,
    ) -> Confirm:
        """Publish persistent + mandatory and wait for the confirm; never raises (see publish_confirmed)."""
        properties = spec.Basic.Properties(
            content_type="application/json",
            delivery_mode=2,
            message_id=message_id,
            correlation_id=correlation_id,
            message_type=message_type,
            headers=headers or {},
            app_id=APP_ID,
        )

        async def publish() -> object:
            async with asyncio.timeout(confirm_timeout_s):
                channel = await self._underlay()
                return await channel.basic_publish(
                    body,
                    exchange=exchange,
                    routing_key=routing_key,
                    properties=properties,
                    mandatory=True,
                    wait=False,
                )

        return await confirm_of(publish(), routing_key)

    async def close(self) -> None:
        """Close the channel (the connection stays FastStream's)."""
        channel, self._channel = self._channel, None
        if channel is not None and not channel.is_closed:
            with contextlib.suppress(Exception):
                await channel.close()
