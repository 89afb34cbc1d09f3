"""The dead-letter store consumer: every message on the dead-letters queue becomes a dead_letters row."""

from __future__ import annotations

import asyncio
import logging

from faststream.rabbit import RabbitMessage
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from routes import deadletters
from routes.inbox import first_delivery
from routes.rabbit.headers import read_dead_letter
from routes.rabbit.topology import Topology

log = logging.getLogger("hotelhub.rabbit.deadletters")

STORE_CONSUMER = "dead-letter-store"
REQUEUE_PAUSE_S = 1.0


class DeadLetterStore:
    """Records dead letters (ours and those RabbitMQ dead-lettered itself), acking after commit."""

    def __init__(self, engine: AsyncEngine, topology: Topology) -> None:
        self.engine = engine
        self.topology = topology

    async def handle(self, message: RabbitMessage) -> None:
        """Store one dead letter, de-duplicated through the inbox, then ack it."""
        raw = message.raw_message
        arrived = read_dead_letter(
            message.body.decode("utf-8", errors="replace"),
            dict(message.headers or {}),
            message_id=raw.message_id,
            correlation_id=raw.correlation_id,
            message_type=raw.type,
            consumer_of_queue=self.topology.consumer_of_queue,
        )
        try:
            async with self.engine.begin() as conn:
                if await first_delivery(conn, arrived.key, STORE_CONSUMER):
                    await deadletters.record(conn, arrived.letter)
        except IntegrityError:
            # Same message, consumer and first failure already stored: this is that letter again.
            log.warning("dead letter %s already stored", arrived.letter.message_id)
        except Exception:
            # Never dropped: back to the queue (it has no delivery limit) once the database recovers.
            log.exception("dead letter %s not stored yet; requeueing", arrived.letter.message_id)
            await asyncio.sleep(REQUEUE_PAUSE_S)
            await message.nack(requeue=True)
            return
        await message.ack()
