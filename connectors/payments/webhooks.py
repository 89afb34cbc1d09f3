"""Webhook signatures (Standard Webhooks): HMAC-SHA256 over `id.timestamp.body`, pure, clocked by the caller.

Headers: `webhook-id` (the message id, the replay key), `webhook-timestamp` (Unix seconds) and
`webhook-signature`, one or more space-separated `v1,<base64 HMAC-SHA256>`. A secret is
`whsec_<base64 key>`. A delivery passes when a `v1` signature matches one of the secrets (two
during a rotation), compared in constant time, its timestamp is within the tolerance of now
(either way), and its id was not seen before.

    WebhookRefused (status, reason)
     +-- MissingHeader      400  a header absent or empty
     +-- MalformedHeader    400  a timestamp that is not a number, no v1 signature at all
     +-- StaleTimestamp     401  outside the tolerance window (too old or from the future)
     +-- BadSignature       401  no signature matches any secret (tampered body, wrong secret)
     +-- ReplayedWebhook    409  an id already received
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format marker of a secret, not a secret
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
_MAX_ID = 255


class WebhookRefused(Exception):
    """A delivery the hub does not take; `status` is the HTTP answer, `reason` a short slug for logs."""

    status = 400
    reason = "refused"


class MissingHeader(WebhookRefused):
    """A signature header is absent."""

    reason = "missing_header"


class MalformedHeader(WebhookRefused):
    """A signature header cannot be read."""

    reason = "malformed_header"


class StaleTimestamp(WebhookRefused):
    """The timestamp is outside the tolerance window."""

    status = 401
    reason = "stale_timestamp"


class BadSignature(WebhookRefused):
    """No signature matches any secret."""

    status = 401
    reason = "bad_signature"


class ReplayedWebhook(WebhookRefused):
    """This webhook id was received before."""

    status = 409
    reason = "replayed"


def decode_secret(text: str) -> bytes:
    """The HMAC key of a `whsec_<base64>` secret; ValueError saying what is wrong (never echoing it)."""
    text = text.strip()
    if not text.startswith(SECRET_PREFIX):
        raise ValueError("does not start with whsec_")
    try:
        key = base64.b64decode(text[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not whsec_ followed by base64") from None
    if len(key) < 16:
        raise ValueError(f"decodes to {len(key)} bytes; at least 16 are needed")
    return key


def sign(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of a delivery."""
    signed = webhook_id.encode() + b"." + str(timestamp).encode() + b"." + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(keys: Sequence[bytes], webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers a sender adds, signed with each key (space-separated, as during a rotation)."""
    return {
        ID_HEADER: webhook_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: " ".join(sign(key, webhook_id, timestamp, body) for key in keys),
    }


@dataclass(frozen=True)
class Verified:
    """A delivery whose signature, time and id passed."""

    webhook_id: str
    timestamp: int


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if not value or not value.strip():
        raise MissingHeader(f"the {name} header is missing")
    return value.strip()


def verify(
    headers: Mapping[str, str],
    body: bytes,
    keys: Sequence[bytes],
    *,
    now: datetime,
    tolerance_s: int = 300,
    seen: Callable[[str], bool] | None = None,
) -> Verified:
    """Check one delivery; raise the WebhookRefused that says why it is refused.

    The signature is checked before the id is looked up, so an unsigned request never learns
    which ids the hub has seen.
    """
    webhook_id = _header(headers, ID_HEADER)
    stamp = _header(headers, TIMESTAMP_HEADER)
    signatures = _header(headers, SIGNATURE_HEADER)
    if len(webhook_id) > _MAX_ID:
        raise MalformedHeader(f"the {ID_HEADER} header is longer than {_MAX_ID} characters")
    if not stamp.isdigit() or len(stamp) > 12:
        raise MalformedHeader(f"the {TIMESTAMP_HEADER} header is not Unix seconds")
    timestamp = int(stamp)
    if abs(now.timestamp() - timestamp) > tolerance_s:
        raise StaleTimestamp(f"the timestamp is more than {tolerance_s}s away from now")
    offered = [part[3:] for part in signatures.split() if part.startswith("v1,")]
    if not offered:
        raise MalformedHeader(f"the {SIGNATURE_HEADER} header has no v1 signature")
    expected = [sign(key, webhook_id, timestamp, body)[3:].encode() for key in keys]
    # Every pair is compared, so the time taken says nothing of which secret or which part matched.
    matched = False
    for candidate in offered:
        for want in expected:
            matched |= hmac.compare_digest(candidate.encode(), want)
    if not matched:
        raise BadSignature("no signature matches a secret of this gateway")
    if seen is not None and seen(webhook_id):
        raise ReplayedWebhook(f"webhook {webhook_id} was received before")
    return Verified(webhook_id=webhook_id, timestamp=timestamp)
