"""How fast and how many at once: limiters per partner, (partner, property) and kind; an in-flight cap.

A limit of N calls per period is one aiolimiter bucket of capacity 1 refilled every period/N: calls
leave evenly spaced, so no window of one period ever holds more than N as they leave. A bucket of
capacity N (aiolimiter's own reading of N per period) lets N through at once and then one per
period/N, which puts up to 2N-1 calls into some window, and channels count per window.

Channels count where calls arrive, and the time from the limiter to the channel's door varies: a
new connection's handshake, a busy event loop, the network. Measured against the push-channel
simulator, a burst's first call on a fresh connection arrived 150 ms late and the next on time,
N+1 in one second at the door. So each limit also keeps a window (`_Window`): a call leaves only
once a period has passed since the answer to the call N before it. The channel had that call
before it answered, so no period at the channel's door ever holds more than N, whatever the
jitter; it costs one answer's latency per N calls.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from aiolimiter import AsyncLimiter

from routes.policy import DeliveryPolicy, RateLimit


def spaced(limit: RateLimit) -> AsyncLimiter:
    """A limiter that never lets more than `max_rate` calls through in any `period_s` window."""
    return AsyncLimiter(1, limit.period_s / limit.max_rate)


class _Window:
    """At most `count` calls reach the partner in any `window_s`, however late each arrives."""

    def __init__(self, limit: RateLimit) -> None:
        if limit.max_rate >= 1:
            self.count, self.window_s = math.floor(limit.max_rate), limit.period_s
        else:  # fewer than one a period: one per period/max_rate
            self.count, self.window_s = 1, limit.period_s / limit.max_rate
        self._answers: deque[asyncio.Future[float]] = deque()
        self._turn = asyncio.Lock()

    async def enter(self) -> asyncio.Future[float]:
        """Wait until a call may leave; the future to answer (`answered`) when it has its answer."""
        loop = asyncio.get_running_loop()
        async with self._turn:  # calls leave in the order they asked
            if len(self._answers) >= self.count:
                answered_at = await asyncio.shield(self._answers[0])
                wait = answered_at + self.window_s - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._answers.popleft()
            answer: asyncio.Future[float] = loop.create_future()
            self._answers.append(answer)
            return answer


def _answered(answers: list[asyncio.Future[float]]) -> None:
    now = asyncio.get_running_loop().time()
    for answer in answers:
        if not answer.done():
            answer.set_result(now)


class _Limit:
    """One rate limit: evenly spaced as calls leave, and never more than N a period as they arrive."""

    def __init__(self, limit: RateLimit) -> None:
        self.spacing = spaced(limit)
        self.window = _Window(limit)

    async def acquire(self) -> asyncio.Future[float]:
        """Wait for this limit; the future to answer once the call has its answer."""
        answer = await self.window.enter()
        try:
            await self.spacing.acquire()
        except BaseException:
            _answered([answer])
            raise
        return answer


class CallLimits:
    """The limits one partner's calls wait for, in order: a slot in flight, then each rate limit."""

    def __init__(self, policy: DeliveryPolicy) -> None:
        self.policy = policy
        self._in_flight = asyncio.Semaphore(policy.max_in_flight) if policy.max_in_flight else None
        self._partner = _Limit(policy.rate_limit) if policy.rate_limit else None
        self._per_property: dict[str, _Limit] = {}
        self._per_kind = {kind: _Limit(limit) for kind, limit in policy.rate_limit_per_kind.items()}

    def _property(self, code: str | None) -> _Limit | None:
        limit = self.policy.rate_limit_per_property
        if limit is None or code is None:
            return None
        limiter = self._per_property.get(code)
        if limiter is None:
            limiter = self._per_property[code] = _Limit(limit)
        return limiter

    @asynccontextmanager
    async def slot(self, *, property_code: str | None = None, kind: str | None = None) -> AsyncIterator[None]:
        """Hold one call's place: released when the call has its answer."""
        answers: list[asyncio.Future[float]] = []
        async with AsyncExitStack() as stack:
            # In flight first: a call granted by the rate limiter is sent at once, never bunched
            # behind another call's answer.
            if self._in_flight is not None:
                await stack.enter_async_context(self._in_flight)
            stack.callback(_answered, answers)  # answered or abandoned, the call is over
            for limiter in (self._partner, self._property(property_code), self._per_kind.get(kind or "")):
                if limiter is not None:
                    answers.append(await limiter.acquire())
            yield
