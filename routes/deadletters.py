"""The dead-letter store: every message that could not be delivered, with replay and discard.

Each dead letter, replay and discard writes one JSON log line, once its transaction commits (a
batch that rolls back and runs again logs nothing twice). A replay that fails again reopens the
same letter: its attempts add up and its history gains that failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from json import dumps, loads
from typing import Any
from uuid import uuid4

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import utcnow
from routes import metrics
from routes.deadletter_context import LetterContext, context_of, partner_message_of
from routes.logged_commit import log_after_commit
from routes.tables import dead_letter_actions, dead_letters, outbox

log = logging.getLogger("hotelhub.deadletters")

P3 = "P3"
# Outbox header of a replay: the id of the dead letter it came from, carried on every retry copy.
REPLAY_OF = "x-replay-of"


class DeadLetterError(Exception):
    """A dead-letter action that cannot be done (unknown id, already resolved)."""


@dataclass(frozen=True)
class NewDeadLetter:
    """What the store needs to keep one undeliverable message."""

    message_id: str
    message_type: str
    consumer: str
    correlation_id: str
    body: str
    error_class: str
    error_text: str
    attempts: int = 1
    first_failed_at: datetime | None = None
    headers: dict[str, Any] | None = None
    partner_id: str | None = None
    property_code: str | None = None
    severity: str = P3
    # The OTA error code the partner was answered with, when the letter was refused at the door.
    ota_code: str | None = None


def replay_of(headers: dict[str, Any] | None) -> int | None:
    """The dead letter a message is a replay of, from its headers (None for a first delivery)."""
    raw = (headers or {}).get(REPLAY_OF)
    if isinstance(raw, bytes):
        raw = raw.decode(errors="replace")
    try:
        return int(raw) if raw is not None and not isinstance(raw, bool) else None
    except (TypeError, ValueError):
        return None


def _failure(letter: NewDeadLetter, at: datetime) -> dict[str, Any]:
    return {
        "at": at.isoformat(),
        "error_class": letter.error_class[:200],
        "error_text": letter.error_text[:4000],
        "attempts": letter.attempts,
    }


async def record(conn: AsyncConnection, letter: NewDeadLetter) -> int:
    """Store a dead letter in the caller's transaction and return its id.

    A replayed message that failed again updates the letter it was replayed from.
    """
    now = utcnow()
    context = await context_of(
        conn, letter.body, partner_id=letter.partner_id, property_code=letter.property_code
    )
    letter_id = await _fail_again(conn, letter, context, now)
    again = letter_id is not None
    if letter_id is None:
        result = await conn.execute(
            insert(dead_letters)
            .values(
                message_id=letter.message_id,
                message_type=letter.message_type,
                consumer=letter.consumer,
                correlation_id=letter.correlation_id,
                **context.columns(),
                body=letter.body,
                headers=letter.headers or {},
                error_class=letter.error_class[:200],
                error_text=letter.error_text[:4000],
                severity=letter.severity,
                attempts=letter.attempts,
                first_failed_at=letter.first_failed_at or now,
                last_failed_at=now,
                status="open",
                history=[_failure(letter, now)],
            )
            .returning(dead_letters.c.id)
        )
        letter_id = int(result.scalar_one())
    metrics.DEAD_LETTERS.labels(letter.consumer, letter.error_class.rsplit(".", 1)[-1]).inc()
    log_after_commit(
        conn,
        log,
        "dead letter stored again after a replay" if again else "dead letter stored",
        {
            "event": "dead_letter",
            "dead_letter_id": letter_id,
            "reason": letter.error_text[:500],
            "error_class": letter.error_class,
            "consumer": letter.consumer,
            "message_type": letter.message_type,
            "partner": context.partner_id,
            "hotel_code": context.hotel_code,
            "property": context.property_code,
            "ota_code": letter.ota_code,
            "correlation_id": letter.correlation_id,
            "attempts": letter.attempts,
        },
    )
    return letter_id


async def _fail_again(
    conn: AsyncConnection, letter: NewDeadLetter, context: LetterContext, now: datetime
) -> int | None:
    """Update the letter this one is a replay of; None when it is not a replay (or that one is gone)."""
    original = replay_of(letter.headers)
    if original is None:
        return None
    stmt = select(dead_letters).where(dead_letters.c.id == original)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = (await conn.execute(stmt)).first()
    if row is None or row.consumer != letter.consumer:
        return None
    known = {k: v for k, v in context.columns().items() if v is not None}
    await conn.execute(
        update(dead_letters)
        .where(dead_letters.c.id == original)
        .values(
            **known,
            message_id=letter.message_id,
            body=letter.body,
            error_class=letter.error_class[:200],
            error_text=letter.error_text[:4000],
            attempts=row.attempts + letter.attempts,
            last_failed_at=now,
            status="open",
            resolved_at=None,
            history=[*(row.history or []), _failure(letter, now)],
        )
    )
    return int(original)


async def list_letters(
    conn: AsyncConnection,
    *,
    status: str | None = "open",
    consumer: str | None = None,
    partner_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Dead letters, newest first, optionally filtered by status, consumer and partner."""
    stmt = select(dead_letters).order_by(dead_letters.c.id.desc()).limit(limit).offset(offset)
    if status:
        stmt = stmt.where(dead_letters.c.status == status)
    if consumer:
        stmt = stmt.where(dead_letters.c.consumer == consumer)
    if partner_id:
        stmt = stmt.where(dead_letters.c.partner_id == partner_id)
    return [dict(r._mapping) for r in await conn.execute(stmt)]


async def count_open(conn: AsyncConnection) -> int:
    """How many dead letters wait for staff."""
    result = await conn.execute(
        select(func.count()).select_from(dead_letters).where(dead_letters.c.status == "open")
    )
    return int(result.scalar_one())


async def get_letter(conn: AsyncConnection, letter_id: int) -> dict[str, Any] | None:
    """One dead letter with its audited actions, or None."""
    row = (await conn.execute(select(dead_letters).where(dead_letters.c.id == letter_id))).first()
    if row is None:
        return None
    letter = dict(row._mapping)
    actions = await conn.execute(
        select(dead_letter_actions)
        .where(dead_letter_actions.c.dead_letter_id == letter_id)
        .order_by(dead_letter_actions.c.id)
    )
    letter["actions"] = [dict(a._mapping) for a in actions]
    _, letter["partner_message"] = await partner_message_of(conn, letter["body"])
    return letter


async def _open_letter(conn: AsyncConnection, letter_id: int) -> dict[str, Any]:
    stmt = select(dead_letters).where(dead_letters.c.id == letter_id)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = (await conn.execute(stmt)).first()
    if row is None:
        raise DeadLetterError(f"dead letter {letter_id} does not exist")
    if row.status != "open":
        raise DeadLetterError(f"dead letter {letter_id} is already {row.status}")
    return dict(row._mapping)


async def _audit(
    conn: AsyncConnection,
    letter_id: int,
    action: str,
    actor: str,
    reason: str | None,
    new_message_id: str | None = None,
) -> None:
    await conn.execute(
        insert(dead_letter_actions).values(
            dead_letter_id=letter_id,
            action=action,
            actor=actor,
            reason=reason,
            new_message_id=new_message_id,
            at=utcnow(),
        )
    )


async def replay(conn: AsyncConnection, letter_id: int, *, actor: str, body: str | None = None) -> str:
    """Send a dead letter back to its consumer through the outbox; return the outbox message id.

    A plain replay keeps the message id (the consumer's inbox never recorded it, since it failed);
    an edited replay (`body` given) is a new message and gets a new id.
    """
    letter = await _open_letter(conn, letter_id)
    now = utcnow()
    message_id = letter["message_id"]
    new_body = letter["body"]
    if body is not None:
        edited = loads(body)
        message_id = str(uuid4())
        edited["message_id"] = message_id
        new_body = dumps(edited)
    await conn.execute(
        insert(outbox).values(
            message_id=message_id,
            message_type=letter["message_type"],
            consumer=letter["consumer"],
            body=new_body,
            headers={REPLAY_OF: letter_id},
            correlation_id=letter["correlation_id"],
            status="pending",
            attempts=0,
            created_at=now,
            available_at=now,
        )
    )
    await conn.execute(
        update(dead_letters).where(dead_letters.c.id == letter_id).values(status="replayed", resolved_at=now)
    )
    action = "edit-replay" if body else "replay"
    await _audit(conn, letter_id, action, actor, None, message_id)
    _log_action(conn, letter, action, actor, f"replayed as message {message_id}")
    return str(message_id)


async def discard(conn: AsyncConnection, letter_id: int, *, actor: str, reason: str) -> None:
    """Close a dead letter without delivering it; the reason is required and audited."""
    if not reason.strip():
        raise DeadLetterError("a discard needs a reason")
    letter = await _open_letter(conn, letter_id)
    await conn.execute(
        update(dead_letters)
        .where(dead_letters.c.id == letter_id)
        .values(status="discarded", resolved_at=utcnow())
    )
    await _audit(conn, letter_id, "discard", actor, reason)
    _log_action(conn, letter, "discard", actor, reason)


def _log_action(conn: AsyncConnection, letter: dict[str, Any], action: str, actor: str, reason: str) -> None:
    log_after_commit(
        conn,
        log,
        f"dead letter {action}",
        {
            "event": f"dead_letter_{action.replace('-', '_')}",
            "dead_letter_id": letter["id"],
            "actor": actor,
            "reason": reason[:500],
            "consumer": letter["consumer"],
            "partner": letter["partner_id"],
            "hotel_code": letter.get("hotel_code"),
            "property": letter["property_code"],
            "correlation_id": letter["correlation_id"],
        },
    )
