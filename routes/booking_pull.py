"""Booking pull: poll each pull-model channel with OTA_ReadRQ, feed every reservation into the push path,
acknowledge with OTA_NotifReportRQ only after it is durably accepted, and alarm when polls stop.

One poll, per hotel of the partner: OTA_ReadRQ through the partner's OutboundClient (its policy,
breaker and error table); each reservation of the OTA_ResRetrieveRS through `OtaIngress.accept_pulled`
(card tokenisation, translation, the journal row and the `booking.received.v1` outbox row committed
together, or a refusal kept as a dead letter as a push would be); then one OTA_NotifReportRQ naming
the hub's confirmation of each accepted reservation and the OTA error of each refused one. A
crash before the acknowledgement leaves the reservations pending at the channel: the next poll gets
them again, the core sees the same (partner, reservation, revision) and books nothing twice.

Credentials refused by the channel pause it (routes/pauses.py: one alert, no further calls until
its configuration changes); every other failure is retried at the next interval.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

import httpx
from lxml import etree
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from canonical.errors import ConfigurationError, HubError, TransientError
from connectors.ota.ari_answers import AnswerStatus, read_answer
from connectors.ota.ari_codec import Header
from connectors.ota.codec import UsernameToken, wrap_soap, write
from connectors.ota.pull import Ack, Pulled, notif_report, read_retrieved, read_rq
from connectors.ota.settings import NOTIF_REPORT_RQ, READ_RQ
from routes import pull_state
from routes.codes import CodeBook
from routes.confirmations import confirmation_for
from routes.ingress import OtaIngress
from routes.outbound.client import OutboundClient
from routes.outbound.errors import PartnerPaused
from routes.outbound.registry import OutboundClients
from routes.partners import PartnerDirectory, PartnerRecord, load_partners
from routes.pauses import pause_partner
from routes.tasks import cancel_and_wait

log = logging.getLogger("hotelhub.pull")

_REFUSED_DEFAULT = (3, 450)  # EWT 3 (business rule), ERR 450 (unable to process)
# Another process polled the partner this recently (a share of its interval): this one waits its turn.
_RECENT = 0.9
# Polls at once in one process: each holds a pooled connection for its lock and takes another for
# its state, so many pulled partners due together never drain the pool.
POLLS_AT_ONCE = 8


@dataclass(frozen=True)
class _Framing:
    """The headers and the serialisation a partner's messages go out with."""

    headers: dict[str, str]
    frame: Callable[[etree._Element], bytes]


@dataclass(frozen=True)
class PollResult:
    """What one poll of one partner did."""

    partner_id: str
    outcome: str  # ok, failed, paused, busy (another poller has it), skipped (polled recently), not-pulled
    accepted: int = 0
    refused: int = 0
    error: str | None = None


def _check_answer(request_name: str, answer_name: str | None = None) -> Callable[[httpx.Response], None]:
    """Read an HTTP success as the OTA answer it must be: auth errors pause, other errors are transient."""

    def check(response: httpx.Response) -> None:
        answer = read_answer(
            response.content, request_name=request_name, answer_name=answer_name, max_bytes=50 << 20
        )
        if answer.status is AnswerStatus.AUTH_FAILED:
            raise ConfigurationError(f"the channel refused the hub's credentials: {answer.reason()}")
        if answer.status in (AnswerStatus.FAILED, AnswerStatus.PARTIAL):
            raise TransientError(f"the channel answered {request_name} with errors: {answer.reason()}")

    return check


_CHECK_READ = _check_answer(READ_RQ, "OTA_ResRetrieveRS")
_CHECK_REPORT = _check_answer(NOTIF_REPORT_RQ)


def _refusal(answer_code: str, reason: str) -> tuple[int, int, str]:
    ewt, _, err = answer_code.partition("/")
    if ewt.isdigit() and err.isdigit():
        return int(ewt), int(err), reason
    return (*_REFUSED_DEFAULT, reason)


class BookingPull:
    """Polls every pull-model partner at its interval, one poller per partner across processes."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        directory: PartnerDirectory,
        codes: CodeBook,
        ingress: OtaIngress,
        clients: OutboundClients,
        secrets: Mapping[str, str],
        clock: Callable[[], datetime] = utcnow,
        tick_s: float = 1.0,
        kill_before_ack: bool = False,
    ) -> None:
        self.engine = engine
        self.directory = directory
        self.codes = codes
        self.ingress = ingress
        self.clients = clients
        self.secrets = secrets  # the process environment: outbound passwords by variable name
        self.clock = clock
        self.tick_s = tick_s
        self.kill_before_ack = kill_before_ack  # the crash tests' fault: die between accept and ack
        self._task: asyncio.Task[None] | None = None
        self._polls: dict[str, asyncio.Task[PollResult]] = {}
        self._started: dict[str, float] = {}
        self._slots = asyncio.Semaphore(POLLS_AT_ONCE)

    # The schedule
    def start(self) -> None:
        """Start the scheduler in this event loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="booking-pull")

    async def stop(self) -> None:
        """Stop the scheduler; a poll in flight is cancelled before its acknowledgement at the latest,
        which the next poll makes up for."""
        task, self._task = self._task, None
        await cancel_and_wait(task)
        for poll in list(self._polls.values()):
            await cancel_and_wait(poll)
        self._polls.clear()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                records = await self.pulled()
                for record in records:
                    assert record.pull is not None
                    running = self._polls.get(record.id)
                    started = self._started.get(record.id)
                    due = started is None or loop.time() - started >= record.pull.interval_s
                    if due and (running is None or running.done()):
                        self._started[record.id] = loop.time()
                        self._polls[record.id] = asyncio.create_task(
                            self.poll(record.id), name=f"booking-pull-{record.id}"
                        )
                # a partner whose poll is under way is judged by its outcome: a hub started after
                # a long stop polls first and alarms only if that poll fails too
                idle = [r for r in records if (task := self._polls.get(r.id)) is None or task.done()]
                await self.watch(idle)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("booking pull: scheduling round failed; trying again", exc_info=True)
            await asyncio.sleep(self.tick_s)

    async def pulled(self) -> list[PartnerRecord]:
        """Every enabled pull-model partner, as stored now."""
        async with self.directory.engine.connect() as conn:
            return [r for r in await load_partners(conn) if r.pull is not None and r.enabled]

    async def watch(self, records: list[PartnerRecord] | None = None) -> list[str]:
        """Raise the alarm of each pulled partner (of `records`, else as stored) overdue by the clock
        now; the ids it was raised for."""
        now = self.clock()
        raised = []
        for record in await self.pulled() if records is None else records:
            async with self.engine.begin() as conn:
                if await pull_state.check_overdue(conn, record, now):
                    raised.append(record.id)
        return raised

    # One poll
    async def poll(self, partner_id: str, *, force: bool = False) -> PollResult:
        """Poll one partner now, unless another poller holds it or (without `force`) polled it within
        its interval."""
        async with self._slots:
            return await self._poll_one(partner_id, force)

    async def _poll_one(self, partner_id: str, force: bool) -> PollResult:
        await self.directory.refresh()  # a paused, resumed or changed partner as it is now
        record = await self.directory.get(partner_id)
        if record is None or record.pull is None or not record.enabled:
            return PollResult(partner_id, "not-pulled", error=f"partner {partner_id} is not a pulled partner")
        async with pull_state.poll_lock(self.engine, partner_id) as mine:
            if not mine:
                return self._counted(PollResult(partner_id, "busy"))
            now = self.clock()
            async with self.engine.begin() as conn:
                last = await pull_state.last_attempt(conn, partner_id)
                if (
                    not force
                    and last is not None
                    and (now - last).total_seconds() < record.pull.interval_s * _RECENT
                ):
                    return self._counted(PollResult(partner_id, "skipped"))
                await pull_state.attempted(conn, partner_id, now)
            result = await self._poll(record)
            async with self.engine.begin() as conn:
                if result.outcome == "ok":
                    await pull_state.succeeded(
                        conn, partner_id, self.clock(), result.accepted + result.refused
                    )
                else:
                    await pull_state.failed(conn, partner_id, self.clock(), result.error or result.outcome)
        return self._counted(result)

    @staticmethod
    def _counted(result: PollResult) -> PollResult:
        pull_state.POLLS.labels(result.partner_id, result.outcome).inc()
        pull_state.PULLED.labels(result.partner_id, "accepted").inc(result.accepted)
        pull_state.PULLED.labels(result.partner_id, "refused").inc(result.refused)
        return result

    async def _poll(self, record: PartnerRecord) -> PollResult:
        if record.paused_at is not None:
            return PollResult(record.id, "paused", error=f"paused: {record.paused_reason or 'paused'}")
        client = self.clients.for_partner(record)
        tally = [0, 0]
        try:
            framing = self._framing(record)
            book = await self.codes.for_partner(record)
            hotels = sorted((hotel, code) for hotel, code in book.hotels.items() if code in record.grants)
            for hotel, property_code in hotels:
                await self._poll_hotel(record, client, framing, hotel, property_code, tally)
        except ConfigurationError as err:
            async with self.engine.begin() as conn:
                await pause_partner(conn, record.id, str(err))
            return PollResult(record.id, "paused", tally[0], tally[1], str(err))
        except PartnerPaused as err:
            return PollResult(record.id, "paused", tally[0], tally[1], str(err))
        except HubError as err:
            log.warning("partner %s: poll failed: %s", record.id, err, extra={"partner": record.id})
            return PollResult(record.id, "failed", tally[0], tally[1], str(err))
        except Exception as err:  # a poll never takes the scheduler down; the next one tries again
            log.warning("partner %s: poll failed", record.id, exc_info=True, extra={"partner": record.id})
            return PollResult(record.id, "failed", tally[0], tally[1], f"{type(err).__name__}: {err}")
        return PollResult(record.id, "ok", tally[0], tally[1])

    def _framing(self, record: PartnerRecord) -> _Framing:
        """How the partner takes a message: plain XML with HTTP Basic, or a SOAP 1.1 envelope whose
        WS-Security UsernameToken carries the hub's login."""
        login = record.outbound_login
        secret = None
        if login is not None:
            secret = self.secrets.get(login.password_env)
            if not secret:
                # this process's environment lacks it: not the partner's fault, so no pause
                raise TransientError(
                    f"partner {record.id}: environment variable {login.password_env} is not set"
                )
        soap = record.pull is not None and record.pull.envelope == "soap11"
        headers = {"Content-Type": "text/xml; charset=utf-8"}
        if soap:
            headers["SOAPAction"] = '""'
            token = None
            if login is not None and secret is not None:
                token = UsernameToken(login.username, secret, "PasswordText")
            return _Framing(headers, lambda message: wrap_soap(message, "1.1", username_token=token))
        if login is not None and secret is not None:
            basic = base64.b64encode(f"{login.username}:{secret}".encode()).decode()
            headers["Authorization"] = f"Basic {basic}"
        return _Framing(headers, write)

    async def _poll_hotel(
        self,
        record: PartnerRecord,
        client: OutboundClient,
        framing: _Framing,
        hotel: str,
        property_code: str,
        tally: list[int],
    ) -> None:
        correlation_id = f"pull-{uuid4()}"
        asked = framing.frame(read_rq(hotel, Header(uuid4().hex, self.clock())))
        answer = await client.send(
            "POST",
            content=asked,
            headers=framing.headers,
            property_code=property_code,
            kind="read",
            check=_CHECK_READ,
        )
        retrieved = read_retrieved(answer.content)
        acks: list[Ack] = []
        failure: BaseException | None = None
        for pulled in retrieved.reservations:
            try:
                ack = await self._accept(record, pulled, hotel, correlation_id)
            except Exception as err:
                # nothing more can be stored now: acknowledge what was, the rest comes again next poll
                failure = err
                break
            if ack is not None:
                acks.append(ack)
                tally[0 if ack.refusal is None else 1] += 1
        if acks:
            if self.kill_before_ack:
                os.kill(os.getpid(), signal.SIGKILL)
            report = framing.frame(notif_report(acks, Header(uuid4().hex, self.clock())))
            await client.send(
                "POST",
                content=report,
                headers=framing.headers,
                property_code=property_code,
                kind="ack",
                check=_CHECK_REPORT,
            )
        if failure is not None:
            raise TransientError(f"reservation not stored: {type(failure).__name__}: {failure}") from failure

    async def _accept(
        self, record: PartnerRecord, pulled: Pulled, hotel: str, correlation_id: str
    ) -> Ack | None:
        answer = await self.ingress.accept_pulled(pulled.request, record, correlation_id)
        reservation_id = pulled.partner_reservation_id
        if reservation_id is None:
            return None  # nothing to name it by: the channel keeps it, and the refusal was logged
        if answer.refusal is not None:
            refusal = _refusal(answer.refusal.ota_code, answer.refusal.reason)
            return Ack(reservation_id, pulled.id_type, hotel_code=hotel, refusal=refusal)
        confirmation = (
            confirmation_for(record.id, reservation_id) if answer.outcome.startswith("accepted") else None
        )
        return Ack(reservation_id, pulled.id_type, hotel_code=hotel, confirmation=confirmation)

    async def statuses(self) -> list[pull_state.PullStatus]:
        """The poll state of every pulled partner (disabled ones included)."""
        async with self.engine.connect() as conn:
            return await pull_state.statuses(conn, await load_partners(conn))
