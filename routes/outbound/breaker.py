"""A per-partner circuit breaker on an injected clock: open after N failures in a row, probe, close.

Written here rather than taken from a library: `purgatory` (asyncio-native, per-circuit state)
reads `time.time()` inside its state classes, so neither a test nor a clock jump can be
controlled, and its half-open state lets every concurrent call through where the policy allows
`half_open_probes`; `circuitbreaker` has the same two gaps (module-level clock, unbounded half-open)
and `aiobreaker` is unmaintained since 2021.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import IntEnum

from routes import metrics
from routes.outbound.errors import BreakerOpen
from routes.policy import BreakerPolicy

# Half-open with every probe out: the others wait about as long as a probe answer takes.
PROBE_WAIT_S = 1.0


class BreakerState(IntEnum):
    """The breaker's state, as the gauge shows it."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitBreaker:
    """Counts failed calls to one partner; refuses calls while open; lets probes through half-open."""

    def __init__(
        self, partner_id: str, policy: BreakerPolicy, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.partner_id = partner_id
        self.policy = policy
        self.clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probes_out = 0
        self._probes_ok = 0
        self._show()

    @property
    def state(self) -> BreakerState:
        """The state now: an open breaker whose time is up is half-open."""
        if self._state is BreakerState.OPEN and self.clock() - self._opened_at >= self.policy.open_s:
            self._move(BreakerState.HALF_OPEN)
        return self._state

    def admit(self) -> bool:
        """Let one call through or raise BreakerOpen; True when the call is a half-open probe."""
        state = self.state
        if state is BreakerState.CLOSED:
            return False
        if state is BreakerState.OPEN:
            left = self.policy.open_s - (self.clock() - self._opened_at)
            raise BreakerOpen(
                f"partner {self.partner_id}: circuit open for {left:.1f}s more", retry_after_s=max(left, 0.0)
            )
        if self._probes_out + self._probes_ok >= self.policy.half_open_probes:
            raise BreakerOpen(
                f"partner {self.partner_id}: circuit half-open, probes in flight", retry_after_s=PROBE_WAIT_S
            )
        self._probes_out += 1
        return True

    def succeeded(self, probe: bool) -> None:
        """A call got an answer from the partner (even a refusal: the partner is up)."""
        if probe:
            self._probes_out -= 1
            if self._state is BreakerState.HALF_OPEN:
                self._probes_ok += 1
                if self._probes_ok >= self.policy.half_open_probes:
                    self._move(BreakerState.CLOSED)
            return
        if self._state is BreakerState.CLOSED:
            self._failures = 0

    def failed(self, probe: bool) -> None:
        """A call failed transiently (5xx, 429, timeout, connection): count it, open at the threshold."""
        if probe:
            self._probes_out -= 1
        if self._state is BreakerState.HALF_OPEN and probe:
            self._open()
        elif self._state is BreakerState.CLOSED:
            self._failures += 1
            if self._failures >= self.policy.failure_threshold:
                self._open()

    def abandoned(self, probe: bool) -> None:
        """A call ended without an answer that says anything of the partner (cancelled)."""
        if probe:
            self._probes_out -= 1

    def _open(self) -> None:
        self._opened_at = self.clock()
        self._move(BreakerState.OPEN)

    def _move(self, state: BreakerState) -> None:
        self._state = state
        self._failures = 0
        self._probes_ok = 0
        self._show()

    def _show(self) -> None:
        metrics.BREAKER_STATE.labels(self.partner_id).set(int(self._state))
