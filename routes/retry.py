"""The route's retry policy, one piece both transports call: short in-process retries, then the next step.

In process: up to `retry.in_process_attempts` deliveries with tenacity, `in_process_wait_s` apart,
unless the partner said when to come back. Then the transport carries out `next_step`: a delayed
redelivery after the schedule's delay (or the partner's Retry-After), a wait that does not count
as an attempt (open breaker, paused partner), or the dead-letter store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from tenacity import AsyncRetrying, retry_if_result, stop_after_attempt, wait_fixed

from routes.delivery import Delivery, Outcome, Verdict, retry_delay
from routes.table import Route

# A paused partner's message looks again this often (no call is made while the pause holds).
PAUSED_WAIT_S = 60.0


class Step(StrEnum):
    """What a transport does with a delivery that failed."""

    RETRY = "retry"  # redeliver after delay_s, one more attempt counted
    WAIT = "wait"  # redeliver after delay_s, attempts as they were
    DEAD = "dead"  # the dead-letter store


@dataclass(frozen=True)
class NextStep:
    """The step, its delay, and the attempts count the message carries on."""

    step: Step
    delay_s: float
    attempts: int


def _retry_now(outcome: Outcome, wait_s: float) -> bool:
    return outcome.verdict is Verdict.RETRY and (outcome.retry_after_s or 0.0) <= wait_s


async def retry_in_process(
    deliver: Callable[[Delivery], Awaitable[Outcome]], delivery: Delivery, outcome: Outcome
) -> Outcome:
    """Deliver again in process while the route's policy allows; return the last outcome."""
    policy = delivery.route.policy.retry
    if policy.in_process_attempts <= 1 or not _retry_now(outcome, policy.in_process_wait_s):
        return outcome
    await asyncio.sleep(policy.in_process_wait_s)
    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.in_process_attempts - 1),
        wait=wait_fixed(policy.in_process_wait_s),
        retry=retry_if_result(lambda o: _retry_now(o, policy.in_process_wait_s)),
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else outcome,
    )

    async def attempt(again: Delivery) -> Outcome:
        # a coroutine function, so tenacity awaits it (a partial or lambda would hand back a coroutine)
        return await deliver(again)

    result: Outcome = await retrying(attempt, delivery)
    return result


def next_step(route: Route, outcome: Outcome, attempts: int) -> NextStep:
    """After `attempts` earlier failed deliveries and this outcome: retry, wait or dead-letter."""
    if outcome.verdict in (Verdict.WAIT, Verdict.PAUSE):
        wait = outcome.retry_after_s
        return NextStep(Step.WAIT, PAUSED_WAIT_S if wait is None else wait, attempts)
    counted = attempts + 1
    if outcome.verdict is Verdict.RETRY:
        delay = retry_delay(route, counted)
        if delay is not None:
            if outcome.retry_after_s is not None:
                delay = outcome.retry_after_s  # the partner said when
            return NextStep(Step.RETRY, delay, counted)
    return NextStep(Step.DEAD, 0.0, counted)
