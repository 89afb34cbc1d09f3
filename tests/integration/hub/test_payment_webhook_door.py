"""POST /webhooks/payments/{partner} on SQLite and PostgreSQL: refusals change nothing, an accepted event is stored once."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from payment_builders import SECRET_NEW, SECRET_OLD, fixture_bytes
from payment_hub import WEBHOOK, PaymentHub, payment_hub
from sqlalchemy import select

from connectors.payments.webhooks import decode_secret, signed_headers
from routes.payment_tables import payment_webhook_receipts

BODY = fixture_bytes("event_amount_capturable_updated")


@pytest.fixture
async def door(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[PaymentHub]:
    """A hub with the gateway partner `stripe` configured (two webhook secrets: a rotation)."""
    async with payment_hub(database_url, tmp_path, monkeypatch) as running:
        yield running


def _headers(
    secret: str = SECRET_NEW, *, webhook_id: str = "msg_1", stamp: int | None = None
) -> dict[str, str]:
    now = int(time.time()) if stamp is None else stamp
    return {
        **signed_headers([decode_secret(secret)], webhook_id, now, BODY),
        "content-type": "application/json",
    }


async def _receipts(door: PaymentHub) -> list[tuple[str, str, str | None, int | None]]:
    async with door.hub.engine.connect() as conn:
        rows = await conn.execute(
            select(
                payment_webhook_receipts.c.webhook_id,
                payment_webhook_receipts.c.event_type,
                payment_webhook_receipts.c.object_id,
                payment_webhook_receipts.c.amount_minor,
            )
        )
        return [tuple(r) for r in rows]


async def test_given_signed_events_when_posted_twice_then_accepted_once_and_the_replay_is_409(
    door: PaymentHub,
) -> None:
    headers = _headers()

    first = await door.http.post(WEBHOOK, content=BODY, headers=headers)
    again = await door.http.post(WEBHOOK, content=BODY, headers=headers)
    # mid-rotation: the secret being retired still verifies
    rotated = await door.http.post(WEBHOOK, content=BODY, headers=_headers(SECRET_OLD, webhook_id="msg_old"))

    assert first.status_code == 200, first.text
    assert first.json()["event_type"] == "payment_intent.amount_capturable_updated"
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert rotated.status_code == 200
    assert sorted(await _receipts(door)) == [
        ("msg_1", "payment_intent.amount_capturable_updated", "pi_3MtwBwLkdIwHu7ix28a3tqPa", 48000),
        ("msg_old", "payment_intent.amount_capturable_updated", "pi_3MtwBwLkdIwHu7ix28a3tqPa", 48000),
    ]


async def test_given_bad_deliveries_when_posted_then_each_refused_4xx_and_nothing_stored(
    door: PaymentHub, caplog: pytest.LogCaptureFixture
) -> None:
    foreign = "whsec_" + "Zm9yZWlnbi1zZWNyZXQtb2YtMzItYnl0ZXMtLi4uLg=="
    cases = [
        ("tampered", BODY.replace(b"48000", b"4800"), _headers(), 401),
        ("stale", BODY, _headers(stamp=int(time.time()) - 301), 401),
        ("wrong secret", BODY, _headers(foreign), 401),
        ("unsigned", BODY, {"content-type": "application/json"}, 400),
        (
            "not an event",
            b"[]",
            {**signed_headers([decode_secret(SECRET_NEW)], "msg_x", int(time.time()), b"[]")},
            400,
        ),
    ]
    statuses = []
    for _, body, headers, _status in cases:
        statuses.append((await door.http.post(WEBHOOK, content=body, headers=headers)).status_code)
    unknown = await door.http.post("/webhooks/payments/nobody", content=BODY, headers=_headers())

    assert statuses == [status for *_, status in cases]
    assert unknown.status_code == 404
    assert await _receipts(door) == []
    refusals = [r for r in caplog.records if r.getMessage().startswith("payment webhook refused")]
    assert [r.reason for r in refusals] == [  # type: ignore[attr-defined]
        "bad_signature",
        "stale_timestamp",
        "bad_signature",
        "missing_header",
        "malformed_header",
        "unknown_partner",
    ]
