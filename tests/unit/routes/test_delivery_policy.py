"""The delivery policy as the configuration gives it: per-property and per-kind limits, in-flight cap."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from canonical.booking import BOOKING_RECEIVED_V1
from routes.policy import DeliveryPolicy, RateLimit
from routes.table import Route

CHANNEL_POLICY = {
    "rate_limit": {"max_rate": 20, "period_s": 1},
    "rate_limit_per_property": {"max_rate": 20, "period_s": 60},
    "rate_limit_per_kind": {
        "rate": {"max_rate": 10, "period_s": 60},
        "availability": {"max_rate": 10, "period_s": 60},
    },
    "max_in_flight": 1,
}


def test_given_channel_limits_when_read_then_each_kind_has_its_own_limit() -> None:
    policy = DeliveryPolicy.model_validate(CHANNEL_POLICY)
    assert policy.rate_limit_per_kind["rate"] == RateLimit(max_rate=10, period_s=60)
    assert policy.max_in_flight == 1
    assert DeliveryPolicy.model_validate(policy.model_dump(mode="json")) == policy


def test_given_policy_with_per_kind_limits_when_its_route_is_hashed_then_equal_policies_hash_alike() -> None:
    # Routes are frozen dataclasses used as keys (routes/rabbit/intake.py).
    first = Route(BOOKING_RECEIVED_V1, "chan", print, DeliveryPolicy.model_validate(CHANNEL_POLICY))  # type: ignore[arg-type]
    again = Route(BOOKING_RECEIVED_V1, "chan", print, DeliveryPolicy.model_validate(CHANNEL_POLICY))  # type: ignore[arg-type]
    assert hash(first) == hash(again) and {first: 1}[again] == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"max_in_flight": 0},
        {"rate_limit_per_kind": {"Rate Plans": {"max_rate": 1}}},
        {"rate_limit_per_property": {"max_rate": 0}},
    ],
)
def test_given_impossible_limits_when_read_then_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DeliveryPolicy.model_validate(bad)
