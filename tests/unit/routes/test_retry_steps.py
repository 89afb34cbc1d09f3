"""The route's retry policy as both transports read it: retry, wait uncounted, or dead letter."""

from __future__ import annotations

import pytest

from canonical.booking import BOOKING_RECEIVED_V1
from canonical.errors import ConfigurationError, PermanentError, TransientError
from routes.delivery import Outcome, Verdict, note_failure
from routes.outbound.errors import BreakerOpen, PartnerPaused
from routes.policy import DeliveryPolicy, RetryPolicy
from routes.rabbit.consumer import tier_for
from routes.retry import PAUSED_WAIT_S, NextStep, Step, next_step
from routes.table import Route

ROUTE = Route(
    BOOKING_RECEIVED_V1, "chan", lambda e, c: None, DeliveryPolicy(retry=RetryPolicy(delays_s=(1.0, 5.0)))
)  # type: ignore[arg-type,return-value]


def _outcome(err: Exception) -> Outcome:
    outcome = Outcome(Verdict.DONE, partner_id="from-payload")
    note_failure(outcome, err)
    return outcome


def test_given_transient_failures_when_schedule_runs_out_then_dead_letter() -> None:
    failed = _outcome(TransientError("HTTP 503"))
    assert next_step(ROUTE, failed, 0) == NextStep(Step.RETRY, 1.0, 1)
    assert next_step(ROUTE, failed, 1) == NextStep(Step.RETRY, 5.0, 2)
    assert next_step(ROUTE, failed, 2) == NextStep(Step.DEAD, 0.0, 3)


def test_given_retry_after_when_next_step_then_it_is_the_delay() -> None:
    assert next_step(ROUTE, _outcome(TransientError("429", retry_after_s=42.0)), 0) == NextStep(
        Step.RETRY, 42.0, 1
    )


def test_given_permanent_failure_when_next_step_then_dead_letter_at_once() -> None:
    assert next_step(ROUTE, _outcome(PermanentError("unmapped room type")), 0).step is Step.DEAD


@pytest.mark.parametrize(
    ("err", "delay"),
    [
        (BreakerOpen("open", retry_after_s=12.5), 12.5),
        (PartnerPaused("paused", retry_after_s=PAUSED_WAIT_S), PAUSED_WAIT_S),
        (ConfigurationError("HTTP 401", partner_id="chan"), PAUSED_WAIT_S),
    ],
    ids=["breaker-open", "paused", "credentials-refused"],
)
def test_given_call_not_made_or_refused_credentials_when_next_step_then_wait_with_attempts_uncounted(
    err: Exception, delay: float
) -> None:
    # However often it waits, it never reaches the dead-letter store.
    assert next_step(ROUTE, _outcome(err), 7) == NextStep(Step.WAIT, delay, 7)


def test_given_configuration_error_when_noted_then_the_partner_it_names_is_paused() -> None:
    assert _outcome(ConfigurationError("HTTP 403", partner_id="chan")).pause_partner == "chan"
    assert _outcome(ConfigurationError("HTTP 403")).pause_partner == "from-payload"


def test_given_retry_tiers_when_a_wait_is_wanted_then_shortest_tier_that_covers_it_else_longest() -> None:
    assert tier_for((1.0, 5.0, 30.0), 4.0) == 5.0
    assert tier_for((1.0, 5.0, 30.0), 0.0) == 1.0
    assert tier_for((1.0, 5.0, 30.0), 600.0) == 30.0
