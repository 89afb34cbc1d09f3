"""Delivery core shared by both transports: decode, de-duplicate, handle, classify the failure."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.errors import ConfigurationError, PermanentError, TransientError
from routes import metrics
from routes.context import correlation_id
from routes.inbox import first_delivery
from routes.outbound.errors import Waiting
from routes.outbox import add_to_outbox, outbox_values
from routes.table import DeliveryContext, Route

log = logging.getLogger("hotelhub.delivery")


class Verdict(StrEnum):
    """What became of one delivery."""

    DONE = "done"
    DUPLICATE = "duplicate"
    RETRY = "retry"
    DEAD = "dead"
    # Not tried: the partner's breaker is open or it is paused; waits with its attempts uncounted.
    WAIT = "wait"
    # A configuration failure: the partner is paused (alert once) and the message waits.
    PAUSE = "pause"


@dataclass
class Delivery:
    """One message body for one consumer, with how often it was delivered before."""

    route: Route
    body: str
    attempts: int = 0
    headers: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """The verdict on a delivery, and the error behind a retry or a dead letter."""

    verdict: Verdict
    error_class: str = ""
    error_text: str = ""
    message_id: str = ""
    correlation_id: str = ""
    property_code: str | None = None
    partner_id: str | None = None
    # When the partner said when to come back (Retry-After), or how long a wait lasts.
    retry_after_s: float | None = None
    # The partner a configuration failure pauses.
    pause_partner: str | None = None


def classify(err: BaseException) -> Verdict:
    """Transient errors are retried, permanent ones dead-lettered, configuration ones pause the
    partner, a call not made waits; the unknown is retried (bounded)."""
    if isinstance(err, ConfigurationError):
        return Verdict.PAUSE
    if isinstance(err, Waiting):
        return Verdict.WAIT
    if isinstance(err, PermanentError | ValidationError | KeyError):
        return Verdict.DEAD
    if isinstance(err, TransientError | OperationalError | DBAPIError | OSError | TimeoutError):
        return Verdict.RETRY
    return Verdict.RETRY


def note_failure(outcome: Outcome, err: BaseException) -> None:
    """Record on an outcome what a failure means for the message: verdict, error, when to come back."""
    outcome.verdict = classify(err)
    outcome.error_class = error_name(err)
    outcome.error_text = str(err) or outcome.error_class
    if isinstance(err, TransientError | Waiting):
        outcome.retry_after_s = err.retry_after_s
    if isinstance(err, ConfigurationError):
        outcome.pause_partner = err.partner_id or outcome.partner_id


def error_name(err: BaseException) -> str:
    """The error's class as module.Qualname, for the dead-letter store and metrics."""
    cls = type(err)
    return f"{cls.__module__}.{cls.__qualname__}"


async def deliver_one(conn: AsyncConnection, delivery: Delivery) -> Outcome:
    """Run one delivery inside a savepoint of the caller's transaction.

    The inbox row, the handler's effect and the messages it emits commit together or not at all;
    a failure rolls back to the savepoint and leaves the rest of the batch intact.
    """
    route = delivery.route
    started = time.perf_counter()
    outcome = Outcome(Verdict.DONE)
    try:
        async with conn.begin_nested():
            envelope = route.decode(delivery.body)
            outcome.message_id = str(envelope.message_id)
            outcome.correlation_id = envelope.correlation_id
            correlation_id.set(envelope.correlation_id)
            outcome.property_code = envelope.property_code
            outcome.partner_id = getattr(envelope.payload, "partner_id", None)
            if not await first_delivery(conn, outcome.message_id, route.consumer):
                outcome.verdict = Verdict.DUPLICATE
            else:
                ctx = DeliveryContext(conn=conn, envelope=envelope)
                await route.handler(envelope, ctx)
                await add_to_outbox(conn, [outbox_values(e) for e in ctx.emitted])
    except Exception as err:  # every failure is classified, none escapes the batch
        note_failure(outcome, err)
        log.warning(
            "delivery failed",
            extra={
                "consumer": route.consumer,
                "message_id": outcome.message_id,
                "correlation_id": outcome.correlation_id,
                "verdict": outcome.verdict.value,
                "error": outcome.error_text[:500],
            },
        )
    metrics.MESSAGES.labels(route.consumer, outcome.verdict.value).inc()
    metrics.HANDLER_SECONDS.labels(route.consumer).observe(time.perf_counter() - started)
    return outcome


def retry_delay(route: Route, attempts: int) -> float | None:
    """Seconds before the next delivery after `attempts` failed ones; None when retries ran out."""
    delays = route.policy.retry.delays_s
    if attempts > len(delays):
        return None
    return delays[attempts - 1]
