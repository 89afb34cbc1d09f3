"""Partner secrets hashed at rest (scrypt), verified in constant time, with a small verified cache."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_N, _R, _P = 2**14, 8, 1


def hash_secret(secret: str) -> str:
    """Return a self-describing scrypt hash of a partner secret."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_secret(secret: str, stored: str) -> bool:
    """True when `secret` matches the stored hash (constant-time compare)."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest_b64)
    actual = hashlib.scrypt(
        secret.encode(),
        salt=base64.b64decode(salt_b64),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(expected),
    )
    return hmac.compare_digest(actual, expected)


class VerifiedCache:
    """Remembers (stored hash, fingerprint of a secret) pairs that verified, so scrypt runs once.

    Keyed by a keyed BLAKE2 fingerprint under a per-process random key: the cache never holds a
    secret, and a changed stored hash invalidates its entries.
    """

    def __init__(self, max_entries: int = 1024) -> None:
        self._key = os.urandom(32)
        self._ok: dict[tuple[str, bytes], bool] = {}
        self._max = max_entries

    def key_of(self, secret: str, stored: str) -> tuple[str, bytes]:
        """The cache key of a pair: the stored hash and a keyed fingerprint of the secret."""
        return (stored, hashlib.blake2b(secret.encode(), key=self._key, digest_size=32).digest())

    def known(self, secret: str, stored: str) -> bool:
        """True when this pair verified before (cheap: no scrypt)."""
        return self.key_of(secret, stored) in self._ok

    def verify(self, secret: str, stored: str) -> bool:
        """verify_secret, answered from the cache when this pair verified before."""
        key = self.key_of(secret, stored)
        if key in self._ok:
            return True
        if not verify_secret(secret, stored):
            return False
        if len(self._ok) >= self._max:
            self._ok.clear()
        self._ok[key] = True
        return True
