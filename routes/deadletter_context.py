"""What a dead letter is about: partner, reservation, hotel, property, stay dates and partner message.

Read once, when the letter is stored, from its envelope and payload, and from the partner's message
the hub kept: the payload itself for a kept partner message, else the inbound journal row that
caused the letter's message (its causation id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from connectors.ota.summary import OtaSummary, summarise
from routes.tables import inbound_messages


@dataclass(frozen=True)
class LetterContext:
    """The columns of a dead letter that say which booking it is about."""

    partner_id: str | None = None
    property_code: str | None = None
    partner_reservation_id: str | None = None
    hotel_code: str | None = None
    arrival: date | None = None
    departure: date | None = None
    message_name: str | None = None

    def columns(self) -> dict[str, Any]:
        """As dead_letters column values."""
        return {
            "partner_id": _cut(self.partner_id, 64),
            "property_code": _cut(self.property_code, 64),
            "partner_reservation_id": _cut(self.partner_reservation_id, 128),
            "hotel_code": _cut(self.hotel_code, 64),
            "arrival": self.arrival,
            "departure": self.departure,
            "message_name": _cut(self.message_name, 64),
        }


def envelope_of(body: str) -> dict[str, Any]:
    """A letter's body as an envelope dict ({} when it is not one)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


async def partner_message_of(conn: AsyncConnection, body: str) -> tuple[str | None, str | None]:
    """(message name, the partner's message as kept: cards already tokenised) behind a letter."""
    envelope = envelope_of(body)
    payload = envelope.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    if isinstance(payload.get("body"), str) and payload.get("protocol") == "ota":
        return _text(payload.get("message_name")), payload["body"]
    causation = _text(envelope.get("causation_id"))
    if causation is None:
        return None, None
    row = (
        await conn.execute(
            select(inbound_messages.c.message_name, inbound_messages.c.body).where(
                inbound_messages.c.message_id == causation
            )
        )
    ).first()
    return (row.message_name, row.body) if row is not None else (None, None)


async def context_of(
    conn: AsyncConnection, body: str, *, partner_id: str | None, property_code: str | None
) -> LetterContext:
    """The context of a letter with this body; what the caller already knows comes first."""
    envelope = envelope_of(body)
    payload = envelope.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    arrivals, departures = _stay_dates(payload)
    message_name, xml = await partner_message_of(conn, body)
    summary = summarise(xml) if xml else OtaSummary()
    return LetterContext(
        partner_id=partner_id or _text(payload.get("partner_id")),
        property_code=property_code
        or _text(envelope.get("property_code"))
        or _text(payload.get("property_code")),
        partner_reservation_id=_text(payload.get("partner_reservation_id")) or summary.reservation_id,
        hotel_code=summary.hotel_code,
        arrival=min(arrivals) if arrivals else summary.arrival,
        departure=max(departures) if departures else summary.departure,
        message_name=message_name or summary.message_name,
    )


def _stay_dates(payload: dict[str, Any]) -> tuple[list[date], list[date]]:
    stays = payload.get("room_stays")
    arrivals: list[date] = []
    departures: list[date] = []
    for stay in stays if isinstance(stays, list) else []:
        if isinstance(stay, dict):
            _add(arrivals, stay.get("arrival"))
            _add(departures, stay.get("departure"))
    return arrivals, departures


def _add(found: list[date], raw: object) -> None:
    if isinstance(raw, str):
        try:
            found.append(date.fromisoformat(raw))
        except ValueError:
            return


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _cut(value: str | None, length: int) -> str | None:
    return value[:length] if value else value
