"""A payment gateway partner's settings as configuration data: key and secret variables, deposits, window.

Secrets are never in the file: it names the environment variables that hold them (the hub reads
them where it runs). Two webhook secrets are accepted while one is being rotated.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

EnvVarName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=128)]
Deposit = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=3)]

DEFAULT_TOLERANCE_S = 300  # Standard Webhooks' recommendation: five minutes either way


class PaymentGatewaySettings(BaseModel):
    """How the hub uses one payment gateway (the `payments:` section of a payments partner)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key_env: EnvVarName
    # The current secret first; during a rotation the next one beside it (both verify).
    webhook_secret_envs: tuple[EnvVarName, ...] = Field(min_length=1, max_length=2)
    # The incidentals deposit held at check-in on top of the stay total, per property code, in
    # the property's currency; a property not named holds the stay total only.
    deposit: dict[str, Deposit] = Field(default_factory=dict)
    webhook_tolerance_s: Annotated[int, Field(ge=30, le=3600)] = DEFAULT_TOLERANCE_S
    # The API version sent as the `Stripe-Version` header: answers keep this shape when the
    # gateway moves on. None: the account's default version.
    api_version: Annotated[str, Field(max_length=64)] | None = None
    # Short retries inside one call (same idempotency key) before the message goes back to its queue.
    attempts: Annotated[int, Field(ge=1, le=5)] = 3
