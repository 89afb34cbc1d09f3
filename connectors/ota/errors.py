"""The OTA connector's errors, each carrying the OpenTravel EWT (type) and ERR (code) it answers with.

    OtaError                          ota_type / ota_code / short_text / message
     +-- OtaRejected (PermanentError)    never accepted as sent: answer Errors, dead-letter
     |    +-- MalformedMessage      7/450   not XML, not well-formed, DOCTYPE, not OTA, SOAP without a body
     |    |    +-- MessageTooLarge  7/450   body over the size cap (refused before parsing)
     |    |    +-- EmptyMessage    10/321   no body at all (or only white space)
     |    |    +-- NotXmlMediaType  7/450   a Content-Type that is not XML (HTTP 415, never read)
     |    +-- UnsupportedMessage    2/450   a message type or travel sector the hub does not take
     |    +-- UnsupportedAction     3/356   a ResStatus / CancelType the hub does not take
     |    |    +-- NotCommitted     3/356   a quote, hold or enquiry: answered, never kept nor booked
     |    +-- MissingField         10/321   a required element or attribute is absent
     |    +-- InvalidField          3/320   a value that cannot be read (amount, count, currency)
     |    |    +-- InvalidDate      3/15    a date or timestamp that is not one
     |    |         +-- PastStay       3/122   a new booking whose stay ended before the property's today
     |    +-- UnknownHotel          3/392   a HotelCode the partner's mapping does not know
     |    +-- UnmappedRoomType      3/402   a RoomTypeCode with no hub room type
     |    +-- UnmappedRatePlan      3/436   a RatePlanCode with no hub rate plan
     |    +-- ReservationNotFound   3/385   a modify/cancel for a reservation the hub never had
     +-- OtaUnavailable (TransientError) may work later: answer Errors, the partner retries
     |    +-- ServiceUnavailable   12/187
     +-- OtaAuthFailed                    configuration problem: answer Errors, alert
          +-- AuthenticationFailed  4/497   unknown partner, wrong secret, PasswordDigest
          +-- HotelNotGranted       6/392   authenticated, but the hotel is not granted to it

HotelNotGranted answers EWT 6 (Authorization) rather than 3, so a partner can tell "you may not
write this hotel" from "no such hotel"; it keeps ERR 392 (Invalid hotel code), the code channel
managers use for it. UntokenisedCard is not an OtaError: it is a programming error in ingress.
"""

from __future__ import annotations

from typing import ClassVar

from canonical.errors import PermanentError, TransientError


class OtaError(Exception):
    """Base of every OTA connector error: an EWT type, an ERR code and a human message."""

    ota_type: ClassVar[int] = 1
    ota_code: ClassVar[int] = 450
    short_text: ClassVar[str] = "Unable to process"

    def __init__(self, message: str, *, tag: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.tag = tag


class OtaRejected(OtaError, PermanentError):
    """The message will never be accepted as sent."""

    ota_type = 3


class OtaUnavailable(OtaError, TransientError):
    """The hub cannot take the message now; the partner should send it again later."""

    ota_type = 12
    ota_code = 187
    short_text = "System currently unavailable"


class OtaAuthFailed(OtaError):
    """The partner is not who it says, or may not do what it asks: a configuration problem."""

    ota_type = 4
    ota_code = 497
    short_text = "Authorization error"


class MalformedMessage(OtaRejected):
    """The body is not a well-formed, DOCTYPE-free OTA message (or SOAP envelope holding one)."""

    ota_type = 7
    ota_code = 450
    short_text = "Unable to process"


class MessageTooLarge(MalformedMessage):
    """The body is larger than the partner's size cap; it was not parsed."""


class EmptyMessage(MalformedMessage):
    """The request has no body (or white space only): the whole message is missing."""

    ota_type = 10
    ota_code = 321
    short_text = "Required field missing"


class NotXmlMediaType(MalformedMessage):
    """The request's Content-Type is not an XML one; its body was not read."""


class UnsupportedMessage(OtaRejected):
    """A well-formed OTA message the hub does not take at this endpoint."""

    ota_type = 2
    ota_code = 450
    short_text = "Unable to process"


class UnsupportedAction(OtaRejected):
    """A ResStatus or CancelType the hub does not act on."""

    ota_code = 356
    short_text = "Invalid action/status code"


class NotCommitted(UnsupportedAction):
    """A quote, hold or enquiry (ResStatus Quote, Requested, Hold, Initiate...): nothing to book.

    Answered with its error and neither booked nor kept: there is nothing for staff to replay.
    """


class MissingField(OtaRejected):
    """A required element or attribute is absent."""

    ota_type = 10
    ota_code = 321
    short_text = "Required field missing"


class InvalidField(OtaRejected):
    """A value is present but cannot be read: amount, count, currency, code form."""

    ota_code = 320
    short_text = "Invalid value"


class InvalidDate(InvalidField):
    """A date or timestamp that is not a valid one, or dates out of order."""

    ota_code = 15
    short_text = "Invalid date"


class PastStay(InvalidDate):
    """A new booking that departs before today in the property's time zone: the guest has gone."""

    ota_code = 122
    short_text = "End date has passed"

    def __init__(self, message: str, *, reservation_id: str, tag: str | None = None) -> None:
        super().__init__(message, tag=tag)
        self.reservation_id = reservation_id  # the door lets it through when the hub holds it already


class UnknownHotel(OtaRejected):
    """The partner's HotelCode is not in its mapping."""

    ota_code = 392
    short_text = "Invalid hotel code"

    def __init__(self, hotel_code: str) -> None:
        super().__init__(f"hotel code {hotel_code!r} is not mapped", tag="HotelCode")
        self.code = hotel_code


class UnmappedRoomType(OtaRejected):
    """The partner's RoomTypeCode has no hub room type for that hotel."""

    ota_code = 402
    short_text = "Invalid room type"

    def __init__(self, room_type: str, *, hotel_code: str) -> None:
        super().__init__(
            f"room type {room_type!r} is not mapped for hotel {hotel_code!r}", tag="RoomTypeCode"
        )
        self.code = room_type
        self.hotel_code = hotel_code


class UnmappedRatePlan(OtaRejected):
    """The partner's RatePlanCode has no hub rate plan for that hotel."""

    ota_code = 436
    short_text = "Rate does not exist"

    def __init__(self, rate_plan: str, *, hotel_code: str) -> None:
        super().__init__(
            f"rate plan {rate_plan!r} is not mapped for hotel {hotel_code!r}", tag="RatePlanCode"
        )
        self.code = rate_plan
        self.hotel_code = hotel_code


class ReservationNotFound(OtaRejected):
    """A modification or cancellation names a reservation the hub does not hold."""

    ota_code = 385
    short_text = "Invalid confirmation or cancellation number"


class ServiceUnavailable(OtaUnavailable):
    """The hub is up but cannot store the message now (database busy, shutting down)."""


class AuthenticationFailed(OtaAuthFailed):
    """Unknown partner, wrong secret, or a credential form the hub cannot check."""


class HotelNotGranted(OtaAuthFailed):
    """The authenticated partner may not write this hotel."""

    ota_type = 6
    ota_code = 392
    short_text = "Invalid hotel code"

    def __init__(self, hotel_code: str) -> None:
        super().__init__(f"hotel code {hotel_code!r} is not granted to this partner", tag="HotelCode")
        self.code = hotel_code


class UntokenisedCard(RuntimeError):
    """A payment card still holds a PAN or CVV at translation: ingress skipped tokenisation."""
