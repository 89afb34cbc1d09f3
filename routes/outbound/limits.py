"""How fast and how many at once: limiters per partner, (partner, property) and kind; an in-flight cap.

A limit of N calls per period is one aiolimiter bucket of capacity 1 refilled every period/N: calls
leave evenly spaced, so no window of one period ever holds more than N. A bucket of capacity N
(aiolimiter's own reading of N per period) lets N through at once and then one per period/N, which
puts up to 2N-1 calls into some window, and channels count per window. Calls leave a tenth
slower than the limit (`HEADROOM`): the time from the limiter to the channel's door varies (a busy
event loop, the network), and without room for it two calls would arrive closer than they left,
putting N+1 into a window at the channel.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from aiolimiter import AsyncLimiter

from routes.policy import DeliveryPolicy, RateLimit

# a tenth of the period of jitter on the way never puts one call too many into a channel's window
HEADROOM = 0.1


def spaced(limit: RateLimit) -> AsyncLimiter:
    """A limiter that never lets more than `max_rate` calls through in any `period_s` window."""
    return AsyncLimiter(1, limit.period_s / limit.max_rate * (1 + HEADROOM))


class CallLimits:
    """The limits one partner's calls wait for, in order: a slot in flight, then each rate limit."""

    def __init__(self, policy: DeliveryPolicy) -> None:
        self.policy = policy
        self._in_flight = asyncio.Semaphore(policy.max_in_flight) if policy.max_in_flight else None
        self._partner = spaced(policy.rate_limit) if policy.rate_limit else None
        self._per_property: dict[str, AsyncLimiter] = {}
        self._per_kind = {kind: spaced(limit) for kind, limit in policy.rate_limit_per_kind.items()}

    def _property(self, code: str | None) -> AsyncLimiter | None:
        limit = self.policy.rate_limit_per_property
        if limit is None or code is None:
            return None
        limiter = self._per_property.get(code)
        if limiter is None:
            limiter = self._per_property[code] = spaced(limit)
        return limiter

    @asynccontextmanager
    async def slot(self, *, property_code: str | None = None, kind: str | None = None) -> AsyncIterator[None]:
        """Hold one call's place: released when the call has its answer."""
        async with AsyncExitStack() as stack:
            # In flight first: a call granted by the rate limiter is sent at once, never bunched
            # behind another call's answer.
            if self._in_flight is not None:
                await stack.enter_async_context(self._in_flight)
            for limiter in (self._partner, self._property(property_code), self._per_kind.get(kind or "")):
                if limiter is not None:
                    await limiter.acquire()
            yield
