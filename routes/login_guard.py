"""Failed partner logins, counted per (username, client address): past the limit, refused unchecked.

A partner's secret is checked with scrypt, which is slow on purpose; a client trying passwords
would otherwise get one guess per check for as long as it likes. After `failures` failed logins
within `window_s` of the first, that username from that address is refused without a check until
the window ends; a successful login clears the count. Keyed by address too, so a stranger failing
with a partner's username does not lock the partner itself out. At most `max_keys` keys are
remembered (the least recently failed are forgotten first), so random usernames cannot grow memory.

A fixed window and a bounded dict are all this needs (rate-limit libraries such as `limits` keep
no bound on their keys in memory and expire them from a thread of their own).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("hotelhub.login_guard")
# What the partner is answered while locked out: OTA EWT 4 (authentication), ERR 497.
LOCKED_OUT_OTA_CODE = "4/497"


@dataclass
class _Failures:
    since: float  # the first failure of the current window
    count: int


class LoginGuard:
    """Counts failed logins per (username, address); `failures=0` turns the guard off."""

    def __init__(
        self,
        *,
        failures: int,
        window_s: float,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.window_s = window_s
        self.max_keys = max_keys
        self._clock = clock
        self._keys: OrderedDict[tuple[str, str], _Failures] = OrderedDict()

    def refused_for(self, username: str, address: str) -> float:
        """Seconds until this username may try again from this address (0.0: it may now)."""
        entry = self._keys.get((username, address))
        if entry is None or entry.count < self.failures:
            return 0.0
        left = entry.since + self.window_s - self._clock()
        if left <= 0:
            del self._keys[(username, address)]
            return 0.0
        return left

    def failed(self, username: str, address: str, *, correlation_id: str | None = None) -> None:
        """Count one failed login; the one that reaches the limit logs the lock-out (once a window)."""
        if self.failures <= 0:
            return
        key, now = (username, address), self._clock()
        entry = self._keys.get(key)
        if entry is None or now - entry.since >= self.window_s:
            entry = self._keys[key] = _Failures(now, 0)
        entry.count += 1
        if entry.count == self.failures:
            log.warning(
                "partner login locked out",
                extra={
                    "event": "login_locked_out",
                    "reason": f"{entry.count} failed logins within {self.window_s:g} s",
                    "partner": username,
                    "address": address,
                    "ota_code": LOCKED_OUT_OTA_CODE,
                    "locked_for_s": self.window_s - (now - entry.since),
                    "correlation_id": correlation_id,
                },
            )
        self._keys.move_to_end(key)
        while len(self._keys) > self.max_keys:
            self._keys.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        """A login that passed: its failures are forgotten."""
        if self._keys:
            self._keys.pop((username, address), None)
