"""The payment flow: a canonical payment command -> one gateway call through the outbound seam -> an event.

Entry points for check-in and check-out (each takes the id of the message that caused it):

- ``hold_for_check_in(cause, property_code, folio_id, card_token, stay_total)``: holds the stay
  total plus the property's incidentals deposit (PaymentGatewaySettings.deposit).
- ``top_up(cause, property_code, folio_id, hold, balance)``: when the folio balance passed the
  hold, raises it to the balance plus the deposit (None when it still covers the balance).
- ``handle(envelope)``: any PaymentCommand (AuthorisePayment, IncrementAuthorisation,
  CapturePayment at check-out, VoidAuthorisation, RefundPayment); ``run(command, cause)`` the same
  for a command caused by another message (a check-out captures under its own id).

Each takes ``conn``: a route handler passes its delivery's transaction, and the call is recorded
in it (on SQLite a second writer would wait for the one holding the delivery's write lock).

Every call carries the idempotency key ``hotelhub:<operation>:<causing message id>``: a message
delivered twice, or retried after a timeout, reaches the gateway with the same key and moves money
once. A decline is an answer, not a failure: it comes back as PaymentDeclined (the folio stays
open) and raises one P2 alert. The gateway being down is retried in-process with the same key
(`attempts` of the gateway's settings), counts on the partner's breaker, then raises
TransientError (the message's route retries it later) or Waiting (breaker open). Refused
credentials pause the partner (one alert) and raise ConfigurationError.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.base import Money, utcnow
from canonical.envelope import Envelope
from canonical.errors import ConfigurationError, PermanentError, TransientError
from canonical.payments import (
    AuthorisationIncremented,
    AuthorisationVoided,
    AuthorisePayment,
    CapturePayment,
    Hold,
    IncrementAuthorisation,
    MinorAmount,
    PaymentAuthorised,
    PaymentCaptured,
    PaymentCommand,
    PaymentDeclined,
    PaymentEvent,
    PaymentOperation,
    PaymentRefunded,
    RefundPayment,
    RefundRecord,
    VoidAuthorisation,
)
from connectors.payments import errors as gateway_errors
from routes.outbound.errors import Waiting
from routes.pauses import pause_partner
from routes.payment_gateways import Gateway, GatewayBook
from routes.payment_tables import payment_operations

log = logging.getLogger("hotelhub.payments")

_OPERATIONS: dict[type[PaymentCommand], PaymentOperation] = {
    AuthorisePayment: PaymentOperation.AUTHORISE,
    IncrementAuthorisation: PaymentOperation.INCREMENT,
    CapturePayment: PaymentOperation.CAPTURE,
    VoidAuthorisation: PaymentOperation.VOID,
    RefundPayment: PaymentOperation.REFUND,
}
_MAX_WAIT_S = 2.0  # an in-process retry never waits longer; a longer Retry-After goes to the route


def idempotency_key(operation: PaymentOperation, cause: UUID | str) -> str:
    """The gateway idempotency key of the call `cause` makes: the same message, the same key."""
    return f"hotelhub:{operation.value}:{cause}"


class NoGateway(PermanentError):
    """No payment gateway is configured for the property."""


class PaymentFlow:
    """Runs payment commands against the property's gateway; see the module docstring for the entry points."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        gateways: GatewayBook,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.gateways = gateways
        self.sleep = sleep
        self.clock = clock

    async def hold_for_check_in(
        self,
        cause: UUID,
        property_code: str,
        folio_id: str,
        card_token: str,
        stay_total: Money,
        *,
        conn: AsyncConnection | None = None,
    ) -> PaymentEvent:
        """Pre-authorise the stay total plus the property's incidentals deposit at check-in."""
        gateway = await self._gateway(property_code)
        deposit = gateway.settings.deposit.get(property_code, Decimal(0))
        amount = MinorAmount.of(stay_total.amount + deposit, stay_total.currency)
        command = AuthorisePayment(
            property_code=property_code, folio_id=folio_id, card_token=card_token, amount=amount
        )
        return await self._run(gateway, command, cause, conn)

    async def top_up(
        self,
        cause: UUID,
        property_code: str,
        folio_id: str,
        hold: Hold,
        balance: Money,
        *,
        conn: AsyncConnection | None = None,
    ) -> PaymentEvent | None:
        """When the folio balance passed the hold, raise it to the balance plus the incidentals deposit
        (a cushion again, so the next charge does not raise it once more); None while it covers it."""
        owed = MinorAmount.of(balance.amount, balance.currency)
        if owed.currency != hold.authorised.currency:
            raise PermanentError(
                f"folio {folio_id}: balance in {owed.currency}, hold in {hold.authorised.currency}"
            )
        if owed.value <= hold.authorised.value:
            return None
        gateway = await self._gateway(property_code)
        deposit = gateway.settings.deposit.get(property_code, Decimal(0))
        wanted = MinorAmount.of(balance.amount + deposit, balance.currency)
        command = IncrementAuthorisation(
            property_code=property_code,
            folio_id=folio_id,
            authorisation_id=hold.authorisation_id,
            amount=wanted,
        )
        return await self._run(gateway, command, cause, conn)

    async def handle(self, envelope: Envelope[PaymentCommand]) -> PaymentEvent:
        """Run any payment command; the envelope's message id makes the idempotency key."""
        command = envelope.payload
        return await self._run(await self._gateway(command.property_code), command, envelope.message_id)

    async def run(
        self, command: PaymentCommand, cause: UUID, *, conn: AsyncConnection | None = None
    ) -> PaymentEvent:
        """Run a payment command the message `cause` made: the key is derived from that message."""
        return await self._run(await self._gateway(command.property_code), command, cause, conn)

    async def _gateway(self, property_code: str) -> Gateway:
        gateway = await self.gateways.for_property(property_code)
        if gateway is None:
            raise NoGateway(f"property {property_code} has no payment gateway configured")
        return gateway

    async def _run(
        self,
        gateway: Gateway,
        command: PaymentCommand,
        cause: UUID | str,
        conn: AsyncConnection | None = None,
    ) -> PaymentEvent:
        operation = _OPERATIONS[type(command)]
        key = idempotency_key(operation, cause)
        try:
            event = await self._attempts(gateway, command, key)
        except gateway_errors.PaymentDeclined as err:
            declined = PaymentDeclined(
                property_code=command.property_code,
                folio_id=command.folio_id,
                gateway=gateway.partner_id,
                operation=operation,
                authorisation_id=getattr(command, "authorisation_id", None),
                code=err.code,
                decline_code=err.decline_code,
                message=err.message,
            )
            log.error(
                "payment declined: folio %s stays open (%s)",
                command.folio_id,
                err.decline_code or err.code or "declined",
                extra={"alert": "P2", "property": command.property_code, "partner": gateway.partner_id},
            )
            await self._record(gateway, command, operation, key, cause, "declined", err.message, None, conn)
            return declined
        except ConfigurationError as err:
            if conn is None:  # a delivery's transport pauses the partner its error names
                async with self.engine.begin() as own:
                    await pause_partner(own, gateway.partner_id, str(err))
            raise
        held = getattr(event, "hold", None)
        await self._record(gateway, command, operation, key, cause, "done", None, held, conn)
        return event

    async def _attempts(self, gateway: Gateway, command: PaymentCommand, key: str) -> PaymentEvent:
        attempts = gateway.settings.attempts
        for attempt in range(1, attempts + 1):
            try:
                return await gateway.outbound.run(
                    lambda: self._call(gateway, command, key), property_code=command.property_code
                )
            except Waiting:
                raise
            except TransientError as err:
                if attempt == attempts or (err.retry_after_s or 0) > _MAX_WAIT_S:
                    raise
                log.warning("payment gateway %s: %s; retrying with the same key", gateway.partner_id, err)
                await self.sleep(err.retry_after_s or min(0.1 * 2**attempt, _MAX_WAIT_S))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _call(self, gateway: Gateway, command: PaymentCommand, key: str) -> PaymentEvent:
        client = gateway.client
        common = {
            "property_code": command.property_code,
            "folio_id": command.folio_id,
            "gateway": gateway.partner_id,
        }
        if isinstance(command, AuthorisePayment):
            hold = await client.authorise(
                command.card_token, command.amount, idempotency_key=key, reference=command.folio_id
            )
            return PaymentAuthorised(hold=hold, **common)
        if isinstance(command, IncrementAuthorisation):
            hold = await client.increment(command.authorisation_id, command.amount, idempotency_key=key)
            return AuthorisationIncremented(hold=hold, **common)
        if isinstance(command, CapturePayment):
            hold = await client.capture(command.authorisation_id, command.amount, idempotency_key=key)
            return PaymentCaptured(hold=hold, amount=hold.captured, **common)
        if isinstance(command, VoidAuthorisation):
            return AuthorisationVoided(
                hold=await client.void(command.authorisation_id, idempotency_key=key), **common
            )
        refund: RefundRecord = await client.refund(
            command.authorisation_id, command.amount, idempotency_key=key
        )
        return PaymentRefunded(refund=refund, **common)

    async def _record(
        self,
        gateway: Gateway,
        command: PaymentCommand,
        operation: PaymentOperation,
        key: str,
        cause: UUID | str,
        outcome: str,
        detail: str | None,
        hold: Hold | None = None,
        conn: AsyncConnection | None = None,
    ) -> None:
        amount: MinorAmount | None = getattr(command, "amount", None)
        # An authorisation's id is the gateway's answer: kept, so check-out finds the hold to capture.
        authorisation_id = getattr(command, "authorisation_id", None) or (
            hold.authorisation_id if hold else None
        )
        values = {
            "partner_id": gateway.partner_id,
            "property_code": command.property_code,
            "folio_id": command.folio_id,
            "operation": operation.value,
            "message_id": str(cause),
            "authorisation_id": authorisation_id,
            "amount_minor": amount.value if amount else None,
            "currency": amount.currency if amount else None,
            "outcome": outcome,
            "detail": detail,
            "at": self.clock(),
        }
        if conn is not None:
            await _upsert(conn, key, values)
            return
        async with self.engine.begin() as own:
            await _upsert(own, key, values)


async def _upsert(conn: AsyncConnection, key: str, values: dict[str, object]) -> None:
    # The gateway answered a replay with the same result: the row is updated, never doubled.
    table = payment_operations
    found = (
        await conn.execute(select(table.c.idempotency_key).where(table.c.idempotency_key == key))
    ).first()
    if found is None:
        await conn.execute(table.insert().values(idempotency_key=key, **values))
    else:
        await conn.execute(update(table).where(table.c.idempotency_key == key).values(**values))
