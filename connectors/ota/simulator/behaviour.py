"""How a simulated channel is told to answer: the failure modes a test or the demo switches on.

Set through `POST /_control` (JSON, only the fields given change) or `channel.behave(...)`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_HOLD_S = 300.0  # a held request is answered after this at the latest, so nothing hangs for ever


class Answer(StrEnum):
    """What the channel answers to its next calls."""

    SUCCESS = "success"  # OTA Success; the message is applied
    WARNINGS = "warnings"  # OTA Success with Warnings; the message is applied
    PARTIAL_ERRORS = "partial_errors"  # OTA Errors for the items matching `error_items`; the rest applied
    SERVER_ERROR = "server_error"  # HTTP 500
    TIMEOUT = "timeout"  # the request is held `hold_s` (or until the client gives up), then 504
    RATE_LIMITED = "rate_limited"  # HTTP 429 with Retry-After: `retry_after_s`
    UNAUTHORIZED = "unauthorized"  # credentials rejected, as `auth_failure` says, whatever was sent


class AuthFailure(StrEnum):
    """How rejected credentials are answered."""

    HTTP = "http"  # HTTP 401 with WWW-Authenticate
    OTA = "ota"  # HTTP 200 with OTA Errors Type 4 Code 497


class ItemSelector(BaseModel):
    """Which items `partial_errors` refuses: every field given must match (room type, plan, a night)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    room_type: str | None = None
    rate_plan: str | None = None
    night: date | None = None
    code: str = "450"  # the ERR code the Error carries
    text: str = "Unable to process"


class Behaviour(BaseModel):
    """The channel's current answers; the defaults are a healthy channel that checks the XSD."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    answer: Answer = Answer.SUCCESS
    every_other: bool = False  # apply `answer` to the 1st, 3rd, 5th... call only; the others succeed
    retry_after_s: Annotated[int, Field(ge=0, le=3600)] = 1
    hold_s: Annotated[float, Field(ge=0, le=MAX_HOLD_S)] = 30.0
    # every request takes this long to answer: requests sent side by side then overlap in flight
    latency_s: Annotated[float, Field(ge=0, le=MAX_HOLD_S)] = 0.0
    error_items: tuple[ItemSelector, ...] = ()
    warning_text: str = "Accepted with a warning"
    auth_failure: AuthFailure = AuthFailure.HTTP
    validate_xsd: bool = True  # only where the channel was given a schema folder
