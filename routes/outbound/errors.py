"""Partner answers and httpx failures as data: status -> (action, error class), mapped once for every client.

HubError
 +-- TransientError       5xx, 408, 429/503 (Retry-After honoured), timeouts, connect errors, resets
 +-- PermanentError       other 4xx: the message is wrong as sent
 +-- ConfigurationError   401/403/407, redirects, an unusable URL: the partner is paused
 +-- Waiting              the call was not made: the breaker is open or the partner is paused;
      +-- BreakerOpen     the message waits, neither failed nor dead-lettered
      +-- PartnerPaused

A partner kind extends the default table rather than writing `if status == …` in its client:
``OTA_RULES = DEFAULT_RULES | {404: Rule(Action.PAUSE, ConfigurationError)}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

import httpx

from canonical.errors import ConfigurationError, HubError, PermanentError, TransientError
from routes.partners import PartnerKind


class Waiting(HubError):
    """The call was not made and the message waits, attempts uncounted, for `retry_after_s`."""

    def __init__(self, *args: object, retry_after_s: float) -> None:
        super().__init__(*args)
        self.retry_after_s = retry_after_s


class BreakerOpen(Waiting):
    """The partner's circuit is open (or its half-open probes are all out): no call is made."""


class PartnerPaused(Waiting):
    """The partner is paused by a configuration failure: no call is made until its configuration changes."""


class Action(StrEnum):
    """What an answer means for the message that caused it."""

    SUCCEED = "succeed"
    RETRY = "retry"  # transient: back off by the route's schedule
    RETRY_AFTER = "retry_after"  # transient: the answer's Retry-After, when it has one, is the delay
    FAIL = "fail"  # permanent: dead letter
    PAUSE = "pause"  # configuration: pause the partner, alert once


@dataclass(frozen=True)
class Rule:
    """An action and the error class that carries it (None for success)."""

    action: Action
    error: type[HubError] | None = None


_RETRY = Rule(Action.RETRY, TransientError)
_RETRY_AFTER = Rule(Action.RETRY_AFTER, TransientError)
_FAIL = Rule(Action.FAIL, PermanentError)
_PAUSE = Rule(Action.PAUSE, ConfigurationError)

# Keys are a status or a class of statuses ("4xx"); an exact status wins over its class.
StatusRules = Mapping[int | str, Rule]

DEFAULT_RULES: dict[int | str, Rule] = {
    "2xx": Rule(Action.SUCCEED),
    # The hub follows no redirect: an endpoint that moved is a URL to fix in the configuration.
    "3xx": _PAUSE,
    "4xx": _FAIL,
    401: _PAUSE,
    403: _PAUSE,
    407: _PAUSE,
    408: _RETRY,
    425: _RETRY,
    429: _RETRY_AFTER,
    "5xx": _RETRY,
    501: _FAIL,
    503: _RETRY_AFTER,
}

RULES_BY_KIND: dict[PartnerKind, StatusRules] = {
    # An OTA endpoint that is not there is a wrong URL in the configuration, not a wrong message.
    PartnerKind.OTA: DEFAULT_RULES | {404: _PAUSE},
}


def rules_for(kind: PartnerKind | str) -> StatusRules:
    """The status table of a partner kind (the default table when the kind adds nothing)."""
    return RULES_BY_KIND.get(PartnerKind(kind), DEFAULT_RULES)


def rule_for(rules: StatusRules, status: int) -> Rule:
    """The rule for one status: exact, else its class, else retry (a status nobody expected)."""
    return rules.get(status) or rules.get(f"{status // 100}xx") or _RETRY


def retry_after_s(value: str | None, now: datetime) -> float | None:
    """Seconds a `Retry-After` asks to wait (delay-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def error_for_response(
    response: httpx.Response, rules: StatusRules, *, partner_id: str, now: datetime
) -> HubError | None:
    """The error an answer stands for under `rules`, or None when it is a success."""
    rule = rule_for(rules, response.status_code)
    if rule.action is Action.SUCCEED or rule.error is None:
        return None
    text = f"partner {partner_id} answered HTTP {response.status_code}"
    snippet = response.text[:200].strip() if response.content else ""
    if snippet:
        text += f": {snippet}"
    if rule.action is Action.PAUSE:
        return ConfigurationError(text, partner_id=partner_id)
    if rule.action is Action.RETRY_AFTER:
        return TransientError(text, retry_after_s=retry_after_s(response.headers.get("Retry-After"), now))
    return rule.error(text)


def error_for_exception(err: httpx.HTTPError, *, partner_id: str) -> HubError:
    """One httpx failure as one of the three classes (httpx's own tree, mapped once)."""
    text = f"partner {partner_id}: {type(err).__name__}: {err}".rstrip(": ")
    if isinstance(err, httpx.UnsupportedProtocol | httpx.TooManyRedirects):
        return ConfigurationError(text, partner_id=partner_id)
    if isinstance(err, httpx.LocalProtocolError):
        return PermanentError(text)  # the request itself cannot be sent as built
    # Timeouts, connect errors, resets (ReadError/WriteError), remote protocol errors, proxies, decoding.
    return TransientError(text)
