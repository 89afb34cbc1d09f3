"""The card vault port: exchange a PAN for a token and back; only tokens and masks travel the hub."""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from canonical.booking import CardRef
from canonical.errors import PermanentError

_MASK_BIN = re.compile(r"^(\d{6})")
_MASK_LAST4 = re.compile(r"(\d{4})$")


class InvalidCardToken(PermanentError):
    """A token this vault did not issue, or one that was altered: it cannot be detokenised."""


@runtime_checkable
class CardVault(Protocol):
    """Where PANs go at ingress (a payment gateway, or the local vault until one is wired)."""

    async def tokenize(self, pan: str, expiry: str | None) -> str:
        """Store a PAN (digits only) and return an opaque token for it."""
        ...

    async def detokenize(self, token: str) -> str:
        """Return the PAN behind a token; raise InvalidCardToken for a foreign or garbled one."""
        ...


def card_ref_from(
    *,
    token: str | None,
    mask: str | None,
    brand: str | None = None,
    expiry: str | None = None,
    holder_name: str | None = None,
) -> CardRef:
    """Build a CardRef from a token and a mask such as 411111XXXXXX1111 (BIN and last four read from it).

    Raises ValueError when the "mask" is a whole digit string: that is a card number, not a mask.
    """
    if mask and mask.isdigit() and len(mask) >= 12:
        raise ValueError("the mask holds a full card number")
    bin_match = _MASK_BIN.match(mask) if mask else None
    last4_match = _MASK_LAST4.search(mask) if mask else None
    return CardRef(
        brand=brand,
        bin=bin_match.group(1) if bin_match else None,
        last4=last4_match.group(1) if last4_match else None,
        expiry=expiry,
        holder_name=holder_name,
        token=token,
    )
