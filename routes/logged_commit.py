"""Log lines that wait for their transaction: written when it commits, dropped when it rolls back.

A dead letter or a dead-letter action is logged once, as it becomes true; a batch that rolls back
and is run again would otherwise log the same letter twice. The lines wait on the database
connection and are written as the commit is sent.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

_PENDING = "hotelhub.logged_commit"

_Line = tuple[logging.Logger, str, dict[str, Any]]


def log_after_commit(
    conn: AsyncConnection, logger: logging.Logger, message: str, extra: dict[str, Any]
) -> None:
    """Write one warning line with `extra` once the transaction `conn` is in commits."""
    if not conn.in_transaction():
        logger.warning(message, extra=extra)
        return
    sync = conn.sync_connection
    if sync is None:
        logger.warning(message, extra=extra)
        return
    # Listened on this connection only, and only once it has a line waiting: the hot paths'
    # connections keep running without events.
    if not event.contains(sync, "commit", _written):
        event.listen(sync, "commit", _written)
        event.listen(sync, "rollback", _dropped)
    sync.info.setdefault(_PENDING, []).append((logger, message, extra))


def _written(conn: Connection) -> None:
    for logger, message, extra in conn.info.pop(_PENDING, []):
        logger.warning(message, extra=extra)


def _dropped(conn: Connection) -> None:
    conn.info.pop(_PENDING, None)
