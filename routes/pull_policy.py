"""How a pull-model partner is polled, and how the hub logs in to a partner: configuration as data."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Channels start their own fallback (an e-mail to the hotel) after 30 minutes without the hub:
# the alarm rings at half of that, while there is still time to act.
DEFAULT_ALARM_AFTER_S = 15 * 60.0


class PullPolicy(BaseModel):
    """Poll the partner every `interval_s`; alarm when no poll succeeded for `alarm_after_s`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    interval_s: Annotated[float, Field(ge=1, le=86400)] = 60.0
    alarm_after_s: Annotated[float, Field(gt=0, le=7 * 86400)] = DEFAULT_ALARM_AFTER_S
    # plain: OTA XML with HTTP Basic; soap11: inside a SOAP 1.1 envelope, the hub's login in its
    # WS-Security UsernameToken (PasswordText), as the channel requires.
    envelope: Literal["plain", "soap11"] = "plain"

    @model_validator(mode="after")
    def _alarm_after_a_poll(self) -> PullPolicy:
        if self.alarm_after_s <= self.interval_s:
            raise ValueError(
                f"alarm_after_s ({self.alarm_after_s:g}) must be longer than interval_s "
                f"({self.interval_s:g}): a partner would be overdue between two polls"
            )
        return self


class OutboundLogin(BaseModel):
    """The hub's login at a partner: a username and the NAME of the variable holding the password."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=128)]
    password_env: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=128)]
