"""The Idempotency-Key header of the direct-booking API: validation, request fingerprint, replay."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import Header
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.base import utcnow
from hub.problems import Problem
from pms_core import queries
from pms_core.views import BookingView
from routes.idempotency import KeyScope, claim

REPLAYED_HEADER = "Idempotent-Replayed"
# 1 to 255 printable ASCII characters (space included); anything else is refused with 400.
_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description=(
            "Makes a retry safe: the same key with the same body within the key's lifetime answers "
            "201 with the booking made the first time and `Idempotent-Replayed: true`, and books "
            "nothing more; with another body it is refused (422). 1 to 255 printable ASCII characters, "
            "scoped to the caller and the property. A refused booking keeps no key."
        ),
    ),
]


def key_scope(caller: str, property_code: str, header: str | None) -> KeyScope | None:
    """The key's scope for this request, None without a key; 400 problem for a malformed key."""
    if header is None:
        return None
    if not _VALID_KEY.fullmatch(header):
        raise Problem(
            400,
            "invalid-idempotency-key",
            "Invalid Idempotency-Key",
            "the Idempotency-Key header must be 1 to 255 printable ASCII characters",
        )
    return KeyScope(caller=caller, property_code=property_code, key=header)


def fingerprint(body: BaseModel) -> str:
    """sha256 (hex) of the validated request body dumped as sorted JSON."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def replayed_booking_id(
    conn: AsyncConnection, scope: KeyScope, body: BaseModel, ttl_hours: float
) -> UUID | None:
    """Claim the key in this transaction (None: go on and book), or the booking to answer with again.

    Raises a 422 problem when the key was used for another request body, and a 409 problem when
    its booking is not written yet (cannot happen while writers wait on the key; kept as a guard).
    """
    mine = fingerprint(body)
    held = await claim(conn, scope, mine, now=utcnow(), ttl=timedelta(hours=ttl_hours))
    if held is None:
        return None
    if held.fingerprint != mine:
        raise Problem(
            422,
            "idempotency-key-reused",
            "Idempotency-Key reused",
            "this Idempotency-Key was used for a different request body",
        )
    if held.booking_id is None:
        raise Problem(
            409,
            "idempotency-key-in-flight",
            "Idempotency-Key in flight",
            "a request with this Idempotency-Key is still being processed; retry shortly",
        )
    return held.booking_id


async def stored_booking(reader: AsyncEngine, property_code: str, booking_id: UUID) -> BookingView:
    """The booking a key made, read back as GET .../bookings/{id} reads it (as it is now)."""
    async with reader.connect() as conn:
        detail = await queries.get_booking(conn, property_code, booking_id)
    if detail is None:  # bookings are never deleted; only a hand-edited database gets here
        raise Problem(
            404, "unknown-booking", "Unknown booking", f"no booking {booking_id} in {property_code}"
        )
    return BookingView.model_validate(detail.model_dump(include=set(BookingView.model_fields)))
