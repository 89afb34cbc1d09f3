"""Where the third-party OTA conformance material lives, and helpers to run a sample through ingress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from ota_schemas import require_conformance

from canonical.booking import BookingReceived
from connectors.ota.cards import find_cards, tokenise_cards
from connectors.ota.codec import OtaRequest, read_request, write
from connectors.ota.fields import read_timestamp
from connectors.ota.translate import PartnerCodes, PropertyCodes, hotel_codes, translate_booking
from connectors.payments.vault import LocalCardVault

MESSAGES = frozenset({"OTA_HotelResNotifRQ", "OTA_CancelRQ"})
SAMPLE_HOTEL = "SAMPLE"  # the code map's only hotel when a sample names none


def discover(root: Path) -> set[str]:
    """Every XML file under `root` whose root element is a booking push message (relative paths)."""
    found: set[str] = set()
    for path in root.rglob("*.xml"):
        try:
            for _, element in etree.iterparse(
                str(path), events=("start",), resolve_entities=False, no_network=True, load_dtd=False
            ):
                if etree.QName(element).localname in MESSAGES:
                    found.add(path.relative_to(root).as_posix())
                break
        except etree.XMLSyntaxError:
            continue  # not well-formed (e.g. a dev-kit file whose XML declaration is not first)
    return found


def permissive_codes(req: OtaRequest) -> PartnerCodes:
    """Each hotel, room type and rate plan code of the sample mapped to itself."""
    rooms = {e.get("RoomTypeCode", "") for e in req.root.iter("{*}RoomType", "{*}RoomRate")}
    plans = {e.get("RatePlanCode", "") for e in req.root.iter("{*}RatePlan", "{*}RoomRate")}
    property_codes = {
        hotel: PropertyCodes(
            hub_property=f"P-{hotel}",
            currency="EUR",
            room_types={code: code for code in rooms if code},
            rate_plans={code: code for code in plans if code},
        )
        for hotel in hotel_codes(req) or [SAMPLE_HOTEL]
    }
    return PartnerCodes(hotels=property_codes)


def secrets_in(req: OtaRequest) -> set[str]:
    """Every card number and CVV value the message carries, as written."""
    found: set[str] = set()
    for slot in find_cards(req.root):
        element = slot.element
        for value in (element.get("CardNumber"), element.get("SeriesCode")):
            if value and any(ch.isdigit() for ch in value):
                found.add(value.strip())
        for plain in element.iter("{*}PlainText"):
            if plain.text and plain.text.strip():
                found.add(plain.text.strip())
    return found


def card_values(req: OtaRequest) -> set[str]:
    """Every attribute value and text inside the message's PaymentCards."""
    values: set[str] = set()
    for slot in find_cards(req.root):
        for element in slot.element.iter():
            values.update(str(value).strip() for value in element.attrib.values())
            if element.text and element.text.strip():
                values.add(element.text.strip())
    return values


async def load(relative: str, vault: LocalCardVault) -> OtaRequest:
    """Read a sample, tokenise its cards, and check that nothing secret is left in it."""
    req = read_request((require_conformance() / relative).read_bytes(), max_bytes=1024 * 1024)
    secrets = secrets_in(req)
    await tokenise_cards(req.root, vault, "hotelhub")
    written = write(req.root).decode()
    left = card_values(req)
    for secret in secrets:
        # a card number must not appear anywhere; a CVV ("123") may, by chance, outside the cards
        assert secret not in (written if len(secret) >= 12 else left), f"card data left in {relative}"
    assert "SeriesCode" not in written and "PlainText" not in written
    assert not any(slot.holds_card_data for slot in find_cards(req.root))
    return req


def sent_at(req: OtaRequest) -> datetime:
    """The sample's day, the clock it is translated at (its stays are years past by now): the
    earliest of its TimeStamp, CreateDateTimes and first arrival (noon UTC), because a sample may be
    dated after its own stay (AlpineBits 2018-10 was created in March for a stay in January)."""
    stamps = [
        req.root.get("TimeStamp"),
        *(r.get("CreateDateTime") for r in req.root.iter("{*}HotelReservation")),
    ]
    found = [read_timestamp(stamp, field="TimeStamp") for stamp in stamps if stamp]
    starts = sorted(span.get("Start", "") for span in req.root.iter("{*}TimeSpan") if span.get("Start"))
    if starts:
        found.append(datetime.fromisoformat(starts[0][:10]).replace(hour=12, tzinfo=UTC))
    return min((stamp for stamp in found if stamp is not None), default=datetime.now(UTC))


def translate(
    req: OtaRequest, codes: PartnerCodes | None = None, *, now: datetime | None = None
) -> list[BookingReceived]:
    """Translate for partner "sample" with confirmations "HH-<id>", the clock set to the sample's day."""
    return translate_booking(
        req,
        codes or permissive_codes(req),
        partner_id="sample",
        confirmation_for=lambda partner_res_id: f"HH-{partner_res_id}",
        now=now or sent_at(req),
    )


def assert_answer_valid(raw: bytes, schema: Callable[[str], etree.XMLSchema]) -> None:
    """The answer's OTA element validates against the 2015A XSD of its message."""
    parsed = read_request(raw, max_bytes=1024 * 1024)
    xsd = schema(parsed.message_name)
    document = etree.ElementTree(etree.fromstring(etree.tostring(parsed.root)))
    assert xsd.validate(document), str(xsd.error_log)
