"""The hub's AMQP socket: frames written in one event-loop turn leave in one socket write
(`routes/coalescing.py`).

aiormq writes each frame as it comes (a publish, an ack), and every write is a `send` on the
socket. On loopback that system call runs the peer's receive path too; measured on the worker
under load it was the largest single cost of the process (about a fifth of its CPU), for frames
that were queued within microseconds of each other. Here the writer's transport gathers the frames
of one loop turn and sends them together at the end of it: a batch of acks or a relay batch of
publishes becomes one `send` instead of a hundred. Nothing waits longer than that one turn, and
flow control is the socket's own, as before.

aio-pika passes connection keywords through to `aiormq.connect`, whose `transport_factory` is
the hook; `HubRobustConnection` sets it for every (re)connection of the broker's robust connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiormq.connection
from aio_pika import RobustConnection
from aiormq.connection import TransportFactory
from yarl import URL

from routes.coalescing import CoalescingTransport

__all__ = ["FRAME_QUEUE", "CoalescingTransport", "CoalescingTransportFactory", "HubRobustConnection"]

# what asyncio.open_connection uses for its StreamReader
_READ_LIMIT = 2**16
# aiormq queues at most FRAME_BUFFER_SIZE (10) frames for its writer; a publisher that finds the
# queue full waits holding its channel's lock, after which one publish a loop turn gets through and
# nothing is left to coalesce. A relay batch or a batch of acks (a few hundred frames of a few KB)
# fits in this many. The class constant is aiormq's knob for it; the hub's processes are its only users.
FRAME_QUEUE = 1024
aiormq.connection.Connection.FRAME_BUFFER_SIZE = max(
    aiormq.connection.Connection.FRAME_BUFFER_SIZE, FRAME_QUEUE
)


class CoalescingTransportFactory(TransportFactory):
    """aiormq's TCP/TLS connection, with its writer on a CoalescingTransport."""

    def __init__(self) -> None:
        self.transport: CoalescingTransport | None = None  # the latest connection's

    async def create(self, url: URL, **kwargs: Any) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Open the socket as aiormq's own factories do (TLS for amqps://)."""
        provider = kwargs.pop("ssl_context_provider", None)
        ssl = await provider.get_context() if url.scheme == "amqps" and provider is not None else None
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=_READ_LIMIT, loop=loop)
        protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
        try:
            transport, _ = await loop.create_connection(
                lambda: protocol, host=url.host or "localhost", port=url.port or 5672, ssl=ssl, **kwargs
            )
        except OSError as err:
            from aiormq.exceptions import AMQPConnectionError

            raise AMQPConnectionError(*err.args) from err
        self.transport = CoalescingTransport(transport, loop)
        return reader, asyncio.StreamWriter(self.transport, protocol, reader, loop)


class HubRobustConnection(RobustConnection):
    """aio-pika's robust connection whose every (re)connection writes through CoalescingTransport."""

    def __init__(self, url: URL, loop: asyncio.AbstractEventLoop | None = None, **kwargs: Any) -> None:
        super().__init__(url, loop, **kwargs)
        self.wire = CoalescingTransportFactory()
        # passed on, untouched, to aiormq.connect() on each connect
        self.kwargs["transport_factory"] = self.wire
