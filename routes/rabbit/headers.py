"""AMQP headers the transport writes on retry copies and dead letters, and reads back from them."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid4, uuid5

from canonical.base import utcnow
from routes.deadletters import NewDeadLetter

ATTEMPTS = "x-hotelhub-attempts"
FIRST_FAILED_AT = "x-hotelhub-first-failed-at"
CONSUMER = "x-hotelhub-consumer"
ERROR_CLASS = "x-hotelhub-error-class"
ERROR_TEXT = "x-hotelhub-error-text"
LAST_ERROR = "x-hotelhub-last-error"
DEAD_LETTER_ID = "x-hotelhub-dead-letter-id"

# Headers RabbitMQ adds when it dead-letters or redelivers; a copy we publish starts without them,
# since our own headers carry the attempt count and first failure.
_BROKER_HEADERS = ("x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason")
_BROKER_HEADERS_ALSO = ("x-delivery-count", "x-last-death-exchange", "x-last-death-queue")
ERROR_TEXT_MAX = 2000


def attempts_of(headers: Mapping[str, Any]) -> int:
    """Failed delivery rounds recorded on a message (0 for a first delivery)."""
    try:
        return int(headers.get(ATTEMPTS, 0))
    except (TypeError, ValueError):
        return 0


def first_failed_of(headers: Mapping[str, Any]) -> datetime | None:
    """When the message first failed, if a retry copy says so."""
    raw = headers.get(FIRST_FAILED_AT)
    if isinstance(raw, datetime):
        return _aware(raw)
    if isinstance(raw, str | bytes):
        try:
            return _aware(datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else raw))
        except ValueError:
            return None
    return None


def _carried(headers: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in headers.items()
        if k not in _BROKER_HEADERS and k not in _BROKER_HEADERS_ALSO and not k.startswith("x-last-death")
    }


def retry_headers(
    headers: Mapping[str, Any], *, attempts: int, first_failed_at: datetime, error: str
) -> dict[str, Any]:
    """Headers of the copy sent to a delayed-retry queue."""
    return {
        **_carried(headers),
        ATTEMPTS: attempts,
        FIRST_FAILED_AT: first_failed_at.isoformat(),
        LAST_ERROR: error[:ERROR_TEXT_MAX],
    }


def dead_letter_headers(
    headers: Mapping[str, Any],
    *,
    consumer: str,
    attempts: int,
    first_failed_at: datetime,
    error_class: str,
    error_text: str,
) -> dict[str, Any]:
    """Headers of the copy sent to the dead-letter exchange: everything the store records."""
    return {
        **_carried(headers),
        DEAD_LETTER_ID: str(uuid4()),
        CONSUMER: consumer,
        ATTEMPTS: attempts,
        FIRST_FAILED_AT: first_failed_at.isoformat(),
        ERROR_CLASS: error_class[:200],
        ERROR_TEXT: error_text[:ERROR_TEXT_MAX],
    }


@dataclass(frozen=True)
class ArrivedDeadLetter:
    """A message read from the dead-letters queue, ready for the store, with its de-duplication key."""

    key: str
    letter: NewDeadLetter


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def _envelope_fields(body: str) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def read_dead_letter(
    body: str,
    headers: Mapping[str, Any],
    *,
    message_id: str | None,
    correlation_id: str | None,
    message_type: str | None,
    consumer_of_queue: Callable[[str], str | None],
) -> ArrivedDeadLetter:
    """Turn a dead-lettered message into a store record: ours carry x-hotelhub-* headers,
    ones RabbitMQ dead-lettered itself (delivery limit) carry x-death."""
    envelope = _envelope_fields(body)
    payload = envelope.get("payload")
    message_id = message_id or _text(envelope.get("message_id")) or str(uuid4())
    message_type = message_type or _text(envelope.get("message_type")) or "unknown"
    correlation_id = correlation_id or _text(envelope.get("correlation_id")) or message_id
    partner_id = _text(payload.get("partner_id")) or None if isinstance(payload, dict) else None
    property_code = _text(envelope.get("property_code")) or None
    if ERROR_CLASS in headers:
        letter = NewDeadLetter(
            message_id=message_id,
            message_type=message_type,
            correlation_id=correlation_id,
            body=body,
            partner_id=partner_id,
            property_code=property_code,
            consumer=_text(headers.get(CONSUMER)) or "unknown",
            error_class=_text(headers.get(ERROR_CLASS)),
            error_text=_text(headers.get(ERROR_TEXT)),
            attempts=max(1, attempts_of(headers)),
            first_failed_at=first_failed_of(headers),
            headers=_jsonable(headers),
        )
        key = _text(headers.get(DEAD_LETTER_ID)) or str(
            uuid5(NAMESPACE_URL, f"{message_id}:{letter.consumer}:{headers.get(FIRST_FAILED_AT)}")
        )
        return ArrivedDeadLetter(key, letter)
    deaths = headers.get("x-death") or []
    death = deaths[0] if deaths and isinstance(deaths[0], Mapping) else {}
    queue = _text(death.get("queue"))
    reason = _text(death.get("reason")) or "unknown"
    died_at = _aware(death.get("time"))
    delivery_count = headers.get("x-delivery-count")
    letter = NewDeadLetter(
        message_id=message_id,
        message_type=message_type,
        correlation_id=correlation_id,
        body=body,
        partner_id=partner_id,
        property_code=property_code,
        consumer=consumer_of_queue(queue) or queue or "unknown",
        error_class=f"rabbitmq.{reason}",
        error_text=(
            f"RabbitMQ dead-lettered the message from queue {queue!r}: {reason}"
            + (f" after {delivery_count} redeliveries" if delivery_count is not None else "")
        ),
        attempts=max(1, attempts_of(headers) + 1),
        first_failed_at=first_failed_of(headers) or died_at or utcnow(),
        headers=_jsonable(headers),
    )
    # RabbitMQ gives no id to a death; queue, reason, count and time name it well enough.
    key = str(uuid5(NAMESPACE_URL, f"{message_id}:{queue}:{reason}:{death.get('count')}:{died_at}"))
    return ArrivedDeadLetter(key, letter)


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _jsonable(headers: Mapping[str, Any]) -> dict[str, Any]:
    """Headers as JSON for the dead-letter row (x-death holds datetimes and nested tables)."""
    result: dict[str, Any] = json.loads(json.dumps(dict(headers), default=_text))
    return result
