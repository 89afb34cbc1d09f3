"""Delivery policies as data: retries, rate limits, in-flight cap, circuit breaker, timeout, size cap."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class RetryPolicy(BaseModel):
    """Short in-process retries, then delayed redeliveries, then the dead-letter store."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    in_process_attempts: Annotated[int, Field(ge=1, le=10)] = 3
    in_process_wait_s: Annotated[float, Field(ge=0, le=10)] = 0.05
    delays_s: tuple[Annotated[float, Field(gt=0, le=86400)], ...] = (1.0, 5.0, 30.0, 120.0)

    @property
    def max_deliveries(self) -> int:
        """How many times a message is delivered before it is dead-lettered."""
        return len(self.delays_s) + 1


class RateLimit(BaseModel):
    """At most `max_rate` calls in any `period_s` seconds (aiolimiter, one call every period/max_rate)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_rate: Annotated[float, Field(gt=0)] = 20.0
    period_s: Annotated[float, Field(gt=0)] = 1.0


class BreakerPolicy(BaseModel):
    """Open after `failure_threshold` failures in a row, stay open `open_s`, then probe."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    failure_threshold: Annotated[int, Field(ge=1)] = 5
    open_s: Annotated[float, Field(gt=0)] = 30.0
    half_open_probes: Annotated[int, Field(ge=1)] = 1


MessageKind = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.-]*$")]


class DeliveryPolicy(BaseModel):
    """Everything that governs how one route or partner is delivered to.

    Rate limits stack: a call waits for the partner's limit, then its property's, then its kind's
    (e.g. `availability` and `rate` counted apart, as channels count them).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    retry: RetryPolicy = RetryPolicy()
    rate_limit: RateLimit | None = None
    rate_limit_per_property: RateLimit | None = None
    rate_limit_per_kind: dict[MessageKind, RateLimit] = Field(default_factory=dict)
    max_in_flight: Annotated[int, Field(ge=1, le=1000)] | None = None
    breaker: BreakerPolicy | None = None
    timeout_s: Annotated[float, Field(gt=0, le=300)] = 10.0
    max_message_bytes: Annotated[int, Field(ge=1024)] = 1024 * 1024

    def __hash__(self) -> int:
        # Routes (frozen dataclasses) are hashed with their policy; the per-kind dict is not hashable.
        return hash(self.model_dump_json())
