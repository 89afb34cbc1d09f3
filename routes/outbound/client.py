"""One partner's outbound HTTP client, built in one place from its policy: timeout, limits, breaker, errors.

Every partner client (the ARI distributor first; payments, locks, POS, ERP, travel expense after)
sends through `OutboundClient.send`, so each gets the same answers to the same failures. Tests hand
in `transport=httpx.MockTransport(...)` (or use respx) instead of patching anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Protocol, TypeVar

import httpx

from canonical.base import utcnow
from canonical.errors import ConfigurationError, HubError, PermanentError, TransientError
from routes import metrics
from routes.outbound.breaker import CircuitBreaker
from routes.outbound.errors import (
    PartnerPaused,
    StatusRules,
    error_for_exception,
    error_for_response,
    rules_for,
)
from routes.outbound.limits import CallLimits
from routes.partners import PartnerKind
from routes.policy import DeliveryPolicy
from routes.retry import PAUSED_WAIT_S

log = logging.getLogger("hotelhub.outbound")
_T = TypeVar("_T")

# Reads an answer the status table called a success (an OTA body with Errors, say) and raises
# one of the three classes when it is not.
AnswerCheck = Callable[[httpx.Response], None]


class OutboundPartner(Protocol):
    """What the seam needs to know of a partner (routes.partners.PartnerRecord has it)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def outbound_url(self) -> str | None: ...


class OutboundClient:
    """Sends to one partner under its policy; raises TransientError, PermanentError, ConfigurationError
    or Waiting (BreakerOpen, PartnerPaused: no call was made)."""

    def __init__(
        self,
        partner_id: str,
        http: httpx.AsyncClient,
        policy: DeliveryPolicy,
        *,
        url: str | None = None,
        rules: StatusRules,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.partner_id = partner_id
        self.url = url
        self.http = http
        self.policy = policy
        self.rules = rules
        self.wall_clock = wall_clock
        self.limits = CallLimits(policy)
        self.breaker = CircuitBreaker(partner_id, policy.breaker, clock=clock) if policy.breaker else None
        self.paused: str | None = None

    def pause(self, reason: str) -> None:
        """Refuse every call from now on (until a new client is built from a changed configuration)."""
        self.paused = reason

    async def send(
        self,
        method: str,
        path: str = "",
        *,
        content: bytes = b"",
        headers: Mapping[str, str] | None = None,
        property_code: str | None = None,
        kind: str | None = None,
        check: AnswerCheck | None = None,
    ) -> httpx.Response:
        """Make one call to the partner's URL (or `path` relative to it) and return the answer when
        it is a success; raise its class otherwise."""
        if self.paused is not None:
            metrics.OUTBOUND_CALLS.labels(self.partner_id, "refused").inc()
            why = f"partner {self.partner_id} is paused: {self.paused}"
            raise PartnerPaused(why, retry_after_s=PAUSED_WAIT_S)
        if len(content) > self.policy.max_message_bytes:
            raise PermanentError(
                f"message of {len(content)} bytes is over partner {self.partner_id}'s "
                f"max_message_bytes ({self.policy.max_message_bytes})"
            )
        if not self.url:
            raise ConfigurationError(
                f"partner {self.partner_id} has no outbound url", partner_id=self.partner_id
            )
        target = str(httpx.URL(self.url).join(path)) if path else self.url
        probe = self.breaker.admit() if self.breaker is not None else False
        try:
            async with self.limits.slot(property_code=property_code, kind=kind):
                try:
                    response = await self.http.request(method, target, content=content, headers=headers)
                except httpx.HTTPError as err:
                    raise error_for_exception(err, partner_id=self.partner_id) from err
            now = self.wall_clock()
            error = error_for_response(response, self.rules, partner_id=self.partner_id, now=now)
            if error is not None:
                raise error
            if check is not None:
                check(response)
        except HubError as err:
            self._settle(probe, err)
            raise
        except BaseException:
            if self.breaker is not None:
                self.breaker.abandoned(probe)
            raise
        self._settle(probe, None)
        return response

    async def run(
        self,
        call: Callable[[], Awaitable[_T]],
        *,
        property_code: str | None = None,
        kind: str | None = None,
    ) -> _T:
        """Run one call a connector's own client makes on `self.http` (the payment gateway's, which
        reads its partner's error bodies itself) under this partner's pause, breaker and limits.

        The call raises the three classes itself; an httpx error it lets through is mapped here.
        """
        if self.paused is not None:
            metrics.OUTBOUND_CALLS.labels(self.partner_id, "refused").inc()
            why = f"partner {self.partner_id} is paused: {self.paused}"
            raise PartnerPaused(why, retry_after_s=PAUSED_WAIT_S)
        probe = self.breaker.admit() if self.breaker is not None else False
        try:
            async with self.limits.slot(property_code=property_code, kind=kind):
                try:
                    result = await call()
                except httpx.HTTPError as err:
                    raise error_for_exception(err, partner_id=self.partner_id) from err
        except HubError as err:
            self._settle(probe, err)
            raise
        except BaseException:
            if self.breaker is not None:
                self.breaker.abandoned(probe)
            raise
        self._settle(probe, None)
        return result

    def _settle(self, probe: bool, err: HubError | None) -> None:
        outcome = "ok"
        if isinstance(err, TransientError):
            outcome = "transient"
        elif isinstance(err, ConfigurationError):
            outcome = "configuration"
            err.partner_id = err.partner_id or self.partner_id
            self.pause(str(err))
        elif err is not None:
            outcome = "permanent"
        metrics.OUTBOUND_CALLS.labels(self.partner_id, outcome).inc()
        if self.breaker is None:
            return
        if outcome == "transient":
            self.breaker.failed(probe)
        else:
            self.breaker.succeeded(probe)

    async def aclose(self) -> None:
        """Close the connections this client holds."""
        await self.http.aclose()


def build_outbound(
    partner: OutboundPartner,
    policy: DeliveryPolicy,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], datetime] = utcnow,
    rules: StatusRules | None = None,
) -> OutboundClient:
    """The client of one partner: its URL; timeout, connection cap and limits from its policy."""
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(policy.timeout_s),
        limits=httpx.Limits(max_connections=policy.max_in_flight or 100),
        follow_redirects=False,
        transport=transport,
    )
    return OutboundClient(
        partner.id,
        http,
        policy,
        url=partner.outbound_url,
        rules=rules if rules is not None else rules_for(PartnerKind(partner.kind)),
        clock=clock,
        wall_clock=wall_clock,
    )
