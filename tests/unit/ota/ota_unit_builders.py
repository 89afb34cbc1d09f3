"""Builders of OTA request bodies for the connector's unit tests: one booking, varied by keyword."""

from __future__ import annotations

from datetime import UTC, datetime

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"

# when the builders' partner sends (their CreateDateTime): every stay below is still ahead
NOW = datetime(2030, 1, 10, 10, 0, tzinfo=UTC)
VISA = "4111111111111111"
CVV = "737"

ATTRIBUTE_CARD = (
    f'<PaymentCard CardCode="VI" CardType="1" CardNumber="{VISA}" SeriesCode="{CVV}" '
    'ExpireDate="0931"><CardHolderName>Ada Lovelace</CardHolderName></PaymentCard>'
)
CHILD_CARD = (
    '<PaymentCard CardCode="MC" ExpireDate="1130"><CardHolderName>Ada Lovelace</CardHolderName>'
    "<CardNumber><PlainText>5555 5555 5555 4444\n  </PlainText></CardNumber>"
    f"<SeriesCode><PlainText>{CVV}</PlainText></SeriesCode></PaymentCard>"
)
TOKEN_CARD = (
    '<PaymentCard CardCode="VI" ExpireDate="0931"><CardHolderName>Ada Lovelace</CardHolderName>'
    '<CardNumber Token="tok123" Mask="411111XXXXXX1111" TokenProviderID="hotelhub"/></PaymentCard>'
)
NA_CARD = '<PaymentCard CardCode="N/A" CardType="N/A" CardNumber="N/A" ExpireDate="N/A"/>'

ADULTS_2 = '<GuestCount AgeQualifyingCode="10" Count="2"/>'
RATE_3_NIGHTS = (
    '<Rate EffectiveDate="2030-05-01" ExpireDate="2030-05-04" RateTimeUnit="Day">'
    '<Base AmountBeforeTax="90.00" AmountAfterTax="100.00" CurrencyCode="EUR"/></Rate>'
)


def guarantee(card: str = TOKEN_CARD) -> str:
    """A Guarantee element holding one accepted card."""
    return (
        '<Guarantee GuaranteeCode="CC" GuaranteeType="GuaranteeRequired"><GuaranteesAccepted>'
        f"<GuaranteeAccepted>{card}</GuaranteeAccepted></GuaranteesAccepted></Guarantee>"
    )


def room_stay(
    *,
    hotel: str | None = "H1",
    room_type: str | None = "DBL",
    rate_plan: str | None = "BAR",
    start: str = "2030-05-01",
    end: str = "2030-05-04",
    rates: str = RATE_3_NIGHTS,
    guest_counts: str = ADULTS_2,
    extra: str = "",
    units: str = "",
    total: str = '<Total AmountAfterTax="300.00" CurrencyCode="EUR"/>',
) -> str:
    """One RoomStay in schema order; `extra` is appended at the end (out of order on purpose)."""
    room_types = f'<RoomTypes><RoomType RoomTypeCode="{room_type}"{units}/></RoomTypes>' if room_type else ""
    rate_plans = f'<RatePlans><RatePlan RatePlanCode="{rate_plan}"/></RatePlans>' if rate_plan else ""
    room_rates = f"<RoomRates><RoomRate><Rates>{rates}</Rates></RoomRate></RoomRates>" if rates else ""
    info = f'<BasicPropertyInfo HotelCode="{hotel}"/>' if hotel else ""
    return (
        f"<RoomStay>{room_types}{rate_plans}{room_rates}<GuestCounts>{guest_counts}</GuestCounts>"
        f'<TimeSpan Start="{start}" End="{end}"/>{total}{info}{extra}</RoomStay>'
    )


def reservation(
    *,
    status: str | None = "Commit",
    res_id: str | None = "R-1001",
    stays: tuple[str, ...] | None = None,
    create: str | None = "2030-01-10T10:00:00Z",
    modify: str | None = None,
    global_info: str = "",
) -> str:
    """One HotelReservation; a partner UniqueID Type 14 unless `res_id` is None."""
    attributes = "".join(
        f' {name}="{value}"'
        for name, value in (
            ("ResStatus", status),
            ("CreateDateTime", create),
            ("LastModifyDateTime", modify),
        )
        if value is not None
    )
    unique = f'<UniqueID Type="14" ID="{res_id}"/>' if res_id else ""
    stays_xml = "".join(stays if stays is not None else (room_stay(),))
    guests = (
        '<ResGuests><ResGuest PrimaryIndicator="true"><Profiles><ProfileInfo><Profile><Customer>'
        "<PersonName><GivenName>Ada</GivenName><Surname>Lovelace</Surname></PersonName>"
        "<Email>ada@example.org</Email></Customer></Profile></ProfileInfo></Profiles></ResGuest>"
        "</ResGuests>"
    )
    globals_xml = f"<ResGlobalInfo>{global_info}</ResGlobalInfo>" if global_info else ""
    return (
        f"<HotelReservation{attributes}>{unique}<RoomStays>{stays_xml}</RoomStays>{guests}"
        f"{globals_xml}</HotelReservation>"
    )


def res_notif(
    *reservations: str,
    timestamp: str | None = None,
    root_status: str | None = None,
    echo: str = "E-1",
    version: str = "1.003",
    namespace: str | None = OTA_NS,
    pos: str = "",
    name: str = "OTA_HotelResNotifRQ",
) -> bytes:
    """An OTA_HotelResNotifRQ (or another root `name`) holding the given reservations."""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    stamp = f' TimeStamp="{timestamp}"' if timestamp else ""
    status = f' ResStatus="{root_status}"' if root_status else ""
    body = "".join(reservations or (reservation(),))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{name}{xmlns} EchoToken="{echo}" '
        f'Version="{version}"{stamp}{status}>{pos}<HotelReservations>{body}</HotelReservations>'
        f"</{name}>"
    ).encode()


def cancel_rq(
    *,
    unique_ids: str = '<UniqueID Type="14" ID="R-1001"/>',
    cancel_type: str | None = "Commit",
    sector: str | None = None,
    verification: str = "",
    timestamp: str | None = "2030-02-01T08:00:00Z",
) -> bytes:
    """An OTA_CancelRQ for the given UniqueIDs."""
    attributes = "".join(
        f' {name}="{value}"'
        for name, value in (
            ("CancelType", cancel_type),
            ("TravelSector", sector),
            ("TimeStamp", timestamp),
        )
        if value is not None
    )
    return (
        f'<OTA_CancelRQ xmlns="{OTA_NS}" Version="2.001"{attributes}>{unique_ids}'
        f"{verification}</OTA_CancelRQ>"
    ).encode()


def soap(
    message: bytes,
    *,
    version: str = "1.1",
    username: str | None = None,
    password: str = "",
    password_type: str | None = f"{PROFILE}#PasswordText",
) -> bytes:
    """Wrap an OTA message in a SOAP envelope, with a WS-Security UsernameToken when `username`."""
    ns = SOAP11 if version == "1.1" else SOAP12
    payload = message.decode().split("?>", 1)[-1]
    header = ""
    if username is not None:
        kind = f' Type="{password_type}"' if password_type else ""
        header = (
            f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
            f"<wsse:Username>{username}</wsse:Username>"
            f"<wsse:Password{kind}>{password}</wsse:Password>"
            "</wsse:UsernameToken></wsse:Security>"
        )
    return (
        f'<soap:Envelope xmlns:soap="{ns}"><soap:Header>{header}</soap:Header>'
        f"<soap:Body>{payload}</soap:Body></soap:Envelope>"
    ).encode()
