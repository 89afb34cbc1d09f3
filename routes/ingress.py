"""OTA ingress: authenticate, parse safely, tokenise cards, map codes, journal durably, answer.

Nothing a partner sent with valid credentials is lost: an accepted message is committed before the
answer; a message refused for an unmapped code is answered with its OTA error AND kept as a dead
letter that staff can replay once the mapping is fixed.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from datetime import datetime
from uuid import UUID, uuid4

from prometheus_client import Counter
from sqlalchemy import select

from canonical.base import utcnow
from canonical.booking import (
    BOOKING_RECEIVED_V1,
    PARTNER_MESSAGE_RECEIVED_V1,
    BookingReceived,
    PartnerMessageReceived,
)
from canonical.cards import CardVault
from canonical.envelope import Envelope
from connectors.ota import codec, errors, responses
from connectors.ota.cards import tokenise_cards
from connectors.ota.codec import OtaRequest
from connectors.ota.intents import no_change
from connectors.ota.settings import ARI_MESSAGES, HOTEL_AVAIL_RQ
from connectors.ota.translate import hotel_codes, translate_booking
from pms_core.adapters.tables import bookings
from routes import deadletters, metrics
from routes.ari_inbound import AriDoor
from routes.codes import CodeBook, PartnerCodeBook
from routes.confirmations import confirmation_for
from routes.door_answers import (
    Answer,
    ari_hotel_codes,
    first_hotel,
    refused,
    sniff_message_name,
    unavailable,
)
from routes.journal import IngressJournal, JournalEntry
from routes.login_guard import LoginGuard
from routes.outbox import outbox_values
from routes.partner_messages import KNOWN_MESSAGES, allowed_messages, check_allowed
from routes.partners import PartnerDirectory, PartnerRecord
from routes.refusals import Refusal, log_refusal

log = logging.getLogger("hotelhub.ingress")

SUPPORTED = frozenset({"OTA_HotelResNotifRQ", "OTA_CancelRQ"})  # the booking messages
# A partner's own correlation id is kept when it is printable ASCII of at most 100 characters.
_CORRELATION_ID = re.compile(r"[\x21-\x7e]{1,100}")


TRANSLATE_CONSUMER = "ota.translate"
VAULT_PROVIDER = "hotelhub-vault"
# Parametrised envelope classes resolved once: Envelope[T] is a cache lookup on every use.
_RawEnvelope = Envelope[PartnerMessageReceived]
_BookingEnvelope = Envelope[BookingReceived]
# Labelled metric children by label values: prometheus_client's labels() locks and checks each call.
_COUNTERS: dict[tuple[str, str], Counter] = {}
_SECONDS = metrics.INGRESS_SECONDS.labels("ota")


def _count(partner_id: str, outcome: str) -> None:
    counter = _COUNTERS.get((partner_id, outcome))
    if counter is None:
        counter = _COUNTERS[(partner_id, outcome)] = metrics.INGRESS.labels(partner_id, "ota", outcome)
    counter.inc()


def _credentials(request: OtaRequest, basic_auth: tuple[str, str] | None) -> tuple[str, str] | None:
    """(username, secret) from a WS-Security UsernameToken, else from HTTP Basic; None when neither.

    Only a plain-text UsernameToken can be checked against the stored hash (a digest cannot).
    """
    if request.username_token is not None:
        username, secret, kind = request.username_token
        return (username, secret) if kind == "PasswordText" else None
    return basic_auth


class OtaIngress:
    """The door partners push OpenTravel messages through."""

    def __init__(
        self,
        *,
        directory: PartnerDirectory,
        codes: CodeBook,
        vault: CardVault,
        journal: IngressJournal,
        max_body_bytes: int,
        login_guard: LoginGuard | None = None,
        clock: Callable[[], datetime] = utcnow,
        ari: AriDoor | None = None,
    ) -> None:
        self.directory = directory
        self.codes = codes
        self.vault = vault
        self.journal = journal
        self.max_body_bytes = max_body_bytes
        self.login_guard = login_guard or LoginGuard(failures=0, window_s=0.0)
        self.clock = clock  # when a push counts as received: a stay over by then is refused
        self.ari = ari  # ARI notifications and availability requests (routes/ari_inbound.py)

    async def handle(
        self,
        body: bytes,
        *,
        basic_auth: tuple[str, str] | None,
        correlation_id: str | None = None,
        client: str | None = None,
    ) -> Answer:
        """Answer one partner request; never raises for anything the partner sent.

        `client` is the sender's address, which failed logins are counted under (routes/login_guard.py).
        """
        started = time.perf_counter()
        if correlation_id is not None and _CORRELATION_ID.fullmatch(correlation_id) is None:
            # it is stored in 100-character columns and logged: one that does not fit is replaced
            correlation_id = None
        correlation_id = correlation_id or str(uuid4())
        try:
            answer = await self._handle(body, basic_auth, correlation_id, client or "-")
        except Exception as err:
            answer = unavailable(None, body, err)
        _count(answer.partner_id or "-", answer.outcome)
        _SECONDS.observe(time.perf_counter() - started)
        _log(answer, correlation_id)
        return answer

    async def accept_pulled(self, request: OtaRequest, partner: PartnerRecord, correlation_id: str) -> Answer:
        """A reservation the hub pulled from `partner`, through the push path after the login (the hub
        called the partner): the same checks, card tokenisation, translation, journal and outbox rows.

        Raises only when nothing could be stored (the database away): then nothing is acknowledged.
        """
        try:
            answer = await self._accept(request, partner, correlation_id)
        except errors.OtaError as err:
            hotel = getattr(err, "hotel_code", None) or first_hotel(request)
            body = responses.error_response(request, [err], None)
            answer = Answer(
                200, body, type(err).__name__, partner.id, refusal=Refusal.of(err, hotel_code=hotel)
            )
        _count(partner.id, answer.outcome)
        _log(answer, correlation_id)
        return answer

    async def _translated(
        self, request: OtaRequest, codes: PartnerCodeBook, partner_id: str, received_at: datetime
    ) -> list[BookingReceived]:
        """The message's bookings; a Commit for a stay now over is refused unless the hub holds that
        reservation already (a re-send, which the core answers as the duplicate it is)."""
        known: set[str] = set()
        while True:
            try:
                return translate_booking(
                    request,
                    codes.partner_codes,
                    partner_id=partner_id,
                    confirmation_for=lambda res_id: confirmation_for(partner_id, res_id),
                    now=received_at,
                    known=frozenset(known),
                )
            except errors.PastStay as err:
                # only the refusal path pays for the look-up: a push on time never makes it
                if err.reservation_id in known or not await self._holds(partner_id, err.reservation_id):
                    raise
                known.add(err.reservation_id)

    async def _holds(self, partner_id: str, reservation_id: str) -> bool:
        async with self.journal.engine.connect() as conn:
            found = await conn.execute(
                select(bookings.c.id)
                .where(
                    bookings.c.partner_id == partner_id, bookings.c.partner_reservation_id == reservation_id
                )
                .limit(1)
            )
            return found.first() is not None

    def too_large(self, prefix: bytes = b"", correlation_id: str | None = None) -> Answer:
        """The answer to a body over the size cap, which is never read in full nor parsed."""
        err = errors.MessageTooLarge(f"message larger than {self.max_body_bytes} bytes")
        return self._unread(413, err, prefix, "too-large", correlation_id)

    def not_xml(self, content_type: str, correlation_id: str | None = None) -> Answer:
        """The answer to a push whose Content-Type is not XML (HTTP 415); its body is not read."""
        shown = content_type.split(";", 1)[0].strip()[:64]
        err = errors.NotXmlMediaType(
            f"Content-Type {shown!r} is not XML: send text/xml, application/xml or application/soap+xml"
        )
        return self._unread(415, err, b"", "media-type", correlation_id)

    def _unread(
        self, status: int, err: errors.OtaError, prefix: bytes, outcome: str, correlation_id: str | None
    ) -> Answer:
        _count("-", outcome)
        body = responses.error_response(None, [err], sniff_message_name(prefix))
        answer = Answer(status, body, outcome, refusal=Refusal.of(err))
        _log(answer, correlation_id)
        return answer

    async def _handle(
        self, body: bytes, basic_auth: tuple[str, str] | None, correlation_id: str, client: str
    ) -> Answer:
        try:
            request = codec.read_request(body, max_bytes=self.max_body_bytes)
        except errors.OtaError as err:
            status = 413 if isinstance(err, errors.MessageTooLarge) else 200
            answer = responses.error_response(None, [err], sniff_message_name(body))
            return Answer(status, answer, "malformed", refusal=Refusal.of(err))
        try:
            credentials = _credentials(request, basic_auth)
            if credentials is None:
                return refused(request, "unknown partner or wrong credentials", None)
            username, secret = credentials
            wait = self.login_guard.refused_for(username, client)
            if wait > 0:
                seconds = math.ceil(wait)
                reason = f"too many failed logins: try again in {seconds} s"
                return refused(request, reason, username, retry_after_s=seconds)
            partner = await self.directory.authenticate(username, secret)
            if partner is None:
                self.login_guard.failed(username, client, correlation_id=correlation_id)
                return refused(request, "unknown partner or wrong credentials", username)
            self.login_guard.succeeded(username, client)
            try:
                return await self._accept(request, partner, correlation_id)
            except errors.OtaError as err:
                answer = responses.error_response(request, [err], None)
                hotel = getattr(err, "hotel_code", None) or first_hotel(request)
                refusal = Refusal.of(err, hotel_code=hotel)
                return Answer(200, answer, type(err).__name__, partner.id, refusal=refusal)
        except Exception as err:
            return unavailable(request, body, err)  # answered as the request came: in SOAP if it was

    async def _accept(self, request: OtaRequest, partner: PartnerRecord, correlation_id: str) -> Answer:
        if allowed_messages(partner.kind) is None:
            raise errors.AuthenticationFailed(f"partner {partner.id} is not an OTA partner")
        name = request.message_name
        if name not in KNOWN_MESSAGES or (name not in SUPPORTED and self.ari is None):
            raise errors.UnsupportedMessage(f"{name} is not supported here")
        check_allowed(partner.id, partner.kind, name)
        codes = await self.codes.for_partner(partner)
        touched: set[str] = set()
        named = (
            ari_hotel_codes(request) if name in ARI_MESSAGES else hotel_codes(request, codes.partner_codes)
        )
        for hotel in named:
            property_code = codes.property_for(hotel)
            if property_code is None:
                raise errors.UnknownHotel(hotel)
            if property_code not in partner.grants:
                raise errors.HotelNotGranted(hotel)
            touched.add(property_code)
        if self.ari is not None and name in ARI_MESSAGES:
            return await self.ari.notification(request, partner, codes, correlation_id)
        if self.ari is not None and name == HOTEL_AVAIL_RQ:
            return await self.ari.availability(request, partner, codes)
        nothing = no_change(request)
        if nothing is not None:
            # a quote, phase one of a cancellation, an ignore: answered, nothing stored or changed
            log.info("push changes nothing: %s", nothing.reason, extra={"correlation_id": correlation_id})
            return Answer(200, responses.no_change_response(request, nothing.status), "no-change", partner.id)
        # a kept message is filed under its property (support staff filter and read by it)
        kept_property = next(iter(touched)) if len(touched) == 1 else None
        await tokenise_cards(request.root, self.vault, VAULT_PROVIDER)
        scrubbed = codec.write(request.root).decode()
        # the raw message's envelope is only written out for a dead letter: its id is enough here
        raw_id = uuid4()
        received_at = self.clock()
        inbound = {
            "message_id": str(raw_id),
            "partner_id": partner.id,
            "protocol": "ota",
            "message_name": request.message_name,
            "correlation_id": correlation_id,
            "received_at": received_at,
            "body": scrubbed,
        }
        try:
            bookings = await self._translated(request, codes, partner.id, received_at)
        except errors.OtaRejected as err:
            if isinstance(err, errors.UnknownHotel):
                # No property to file it under, and possibly another tenant's: refuse, keep nothing.
                raise
            if isinstance(err, errors.NotCommitted):
                # a quote, hold or enquiry: there is nothing a replay could book
                raise
            # Answer the partner AND keep the message, so staff can replay it after fixing a mapping.
            raw = _RawEnvelope(
                message_id=raw_id,
                message_type=PARTNER_MESSAGE_RECEIVED_V1,
                correlation_id=correlation_id,
                occurred_at=received_at,
                property_code=kept_property,
                payload=PartnerMessageReceived(
                    partner_id=partner.id, protocol="ota", message_name=request.message_name, body=scrubbed
                ),
            )
            await self.journal.write(
                JournalEntry(
                    inbound={**inbound, "outcome": "dead-letter", "error": str(err), "references": []},
                    dead_letter=deadletters.NewDeadLetter(
                        message_id=str(raw.message_id),
                        message_type=PARTNER_MESSAGE_RECEIVED_V1,
                        consumer=TRANSLATE_CONSUMER,
                        correlation_id=correlation_id,
                        body=raw.model_dump_json(),
                        error_class=f"{type(err).__module__}.{type(err).__qualname__}",
                        error_text=str(err),
                        partner_id=partner.id,
                        property_code=kept_property,
                        ota_code=f"{err.ota_type}/{err.ota_code}",
                    ),
                )
            )
            raise
        envelopes = [self._envelope(b, correlation_id, raw_id) for b in bookings]
        await self.journal.write(
            JournalEntry(
                inbound={
                    **inbound,
                    "outcome": "accepted",
                    "error": None,
                    "references": [[b.partner_reservation_id, b.confirmation] for b in bookings],
                },
                outbox_rows=[outbox_values(e) for e in envelopes],
            )
        )
        results = [(b.partner_reservation_id, b.confirmation) for b in bookings]
        warnings = [
            (b.partner_reservation_id, w) for b in bookings for stay in b.room_stays for w in stay.warnings
        ]
        if warnings:
            log.warning(
                "push accepted with warnings: %s",
                "; ".join(f"{res_id}: {w.detail}" for res_id, w in warnings),
                extra={
                    "event": "push_warned",
                    "partner": partner.id,
                    "warnings": sorted({w.kind.value for _, w in warnings}),
                    "correlation_id": correlation_id,
                },
            )
        answer = responses.success_response(request, results, warnings)
        return Answer(200, answer, "accepted-with-warnings" if warnings else "accepted", partner.id)

    @staticmethod
    def _envelope(booking: BookingReceived, correlation_id: str, raw_id: UUID) -> Envelope[BookingReceived]:
        return _BookingEnvelope(
            message_type=BOOKING_RECEIVED_V1,
            correlation_id=correlation_id,
            causation_id=str(raw_id),
            property_code=booking.property_code,
            payload=booking,
        )


def _log(answer: Answer, correlation_id: str | None) -> None:
    """Every refused push is logged here, once."""
    if answer.refusal is not None:
        log_refusal(
            answer.refusal,
            status=answer.status_code,
            outcome=answer.outcome,
            partner_id=answer.partner_id,
            correlation_id=correlation_id,
        )
