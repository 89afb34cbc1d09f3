"""The hub's confirmation number of a partner reservation: stable, so a re-push gets the same one."""

from __future__ import annotations

import hashlib

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# two base32 characters for each 10-bit value: five look-ups write the ten characters
_BASE32_PAIRS = tuple(a + b for a in _BASE32 for b in _BASE32)


def confirmation_for(partner_id: str, partner_reservation_id: str) -> str:
    """The hub's confirmation number: stable for a (partner, reservation), so a re-push gets the same.

    "HH" and the first 10 RFC 4648 base32 characters of the SHA-256 of the pair: its first 50 bits,
    five to a character (as base64.b32encode writes them, which is Python code and ten times slower).
    """
    digest = hashlib.sha256(f"{partner_id}\x1f{partner_reservation_id}".encode()).digest()
    bits = int.from_bytes(digest[:7], "big") >> 6
    pairs = _BASE32_PAIRS
    return (
        "HH"
        + pairs[bits >> 40]
        + pairs[(bits >> 30) & 1023]
        + pairs[(bits >> 20) & 1023]
        + pairs[(bits >> 10) & 1023]
        + pairs[bits & 1023]
    )
