"""One persistent, mandatory, confirmed publish, and what became of it."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from aiormq import spec
from aiormq.exceptions import DeliveryError
from faststream.rabbit import RabbitBroker, RabbitExchange

log = logging.getLogger("hotelhub.rabbit")

CONFIRM_TIMEOUT_S = 10.0


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
    try:
        result = await broker.publish(
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
    except DeliveryError:
        return Confirm.NACKED
    except Exception as err:  # whatever the cause, the message is not known to be queued
        log.warning("publish not confirmed", extra={"routing_key": routing_key, "error": repr(err)[:300]})
        return Confirm.FAILED
    if isinstance(result, spec.Basic.Ack):
        return Confirm.SENT
    return Confirm.RETURNED
