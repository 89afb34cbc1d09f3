"""LocalCardVault: AES-256-GCM tokens that carry the PAN encrypted under the hub's own key."""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from canonical.cards import InvalidCardToken

TOKEN_PREFIX = "hhv1."  # noqa: S105 - the token format marker, not a secret
# The version is bound as associated data, so a token cannot be replayed under another format.
_ASSOCIATED_DATA = b"hotelhub-card-token:v1"
_NONCE_BYTES = 12
_KEY_BYTES = 32
_TAG_BYTES = 16


def generate_key() -> bytes:
    """A fresh random 256-bit vault key."""
    return AESGCM.generate_key(bit_length=256)


def decode_key(text: str) -> bytes:
    """A vault key from its base64 text; ValueError saying what is wrong (never echoing the key)."""
    text = text.strip()
    if not text:
        raise ValueError("is empty: it must be a base64-encoded 32-byte key (`openssl rand -base64 32`)")
    try:
        # validate=True: a stray character is an error, not silently dropped into another key.
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            "is not base64: it must be a base64-encoded 32-byte key (`openssl rand -base64 32`)"
        ) from None
    if len(key) != _KEY_BYTES:
        raise ValueError(
            f"decodes to {len(key)} bytes, not {_KEY_BYTES}: it must be a base64-encoded "
            f"{_KEY_BYTES}-byte key (`openssl rand -base64 32`)"
        )
    return key


class LocalCardVault:
    """A CardVault that needs no gateway: the token is the PAN sealed with AES-256-GCM.

    Expiry is not sealed: it travels beside the token (PaymentCard@ExpireDate, CardRef.expiry).
    """

    def __init__(self, key: bytes) -> None:
        if len(key) != _KEY_BYTES:
            raise ValueError(f"the vault key must be {_KEY_BYTES} bytes, got {len(key)}")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "LocalCardVault(key=<hidden>)"

    async def tokenize(self, pan: str, expiry: str | None) -> str:
        """Seal a PAN (digits only) into a token "hhv1.<urlsafe-b64(nonce + ciphertext)>"."""
        if not pan.isdigit():
            raise ValueError("a PAN is digits only")
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, pan.encode("ascii"), _ASSOCIATED_DATA)
        return TOKEN_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")

    async def detokenize(self, token: str) -> str:
        """Open a token this vault issued; raise InvalidCardToken for a foreign or altered one."""
        if not token.startswith(TOKEN_PREFIX):
            raise InvalidCardToken("not a local vault token (no hhv1. prefix)")
        body = token[len(TOKEN_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCardToken("the token is not valid base64") from None
        if len(raw) <= _NONCE_BYTES + _TAG_BYTES:
            raise InvalidCardToken("the token is too short")
        try:
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _ASSOCIATED_DATA)
        except InvalidTag:
            raise InvalidCardToken("the token was not issued by this vault or was altered") from None
        return plain.decode("ascii")
