"""XML attacks and broken bodies: each is refused with its OTA code before any entity is resolved,
with bounded memory (how long each takes is measured by bench/codec_abuse.py)."""

from __future__ import annotations

import psutil
import pytest
from tripwire import Tripwire
from xml_attacks import ATTACKS, BILLION_LAUGHS, DEEP_NESTING, MAX_BYTES, QUADRATIC_BLOWUP, XXE_FILE

from connectors.ota.codec import read_request
from connectors.ota.errors import MalformedMessage, MessageTooLarge

# (EWT, ERR) of each refusal, as docs/ota.md lists them: 7/450 malformed, 10/321 no body at all
CODES = {name: (10, 321) if not body.strip() else (7, 450) for name, body in ATTACKS.items()}
# What each refusal names: a DOCTYPE is refused as such, before the parser resolves any entity
# or fetches any DTD, which is what keeps the entity attacks cheap.
REASONS = {
    **{
        name: "DOCTYPE is not allowed"
        for name in ATTACKS
        if b"DOCTYPE" in ATTACKS[name].replace(b"\x00", b"")
    },
    "nesting_5000_deep": "depth",
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_given_hostile_or_broken_body_when_read_then_refused_with_its_ota_code_before_expansion(
    name: str,
) -> None:
    with pytest.raises(MalformedMessage) as caught:
        read_request(ATTACKS[name], max_bytes=MAX_BYTES)
    assert (caught.value.ota_type, caught.value.ota_code) == CODES[name]
    if name in REASONS:
        assert REASONS[name] in caught.value.message


@pytest.mark.parametrize("body", [XXE_FILE, BILLION_LAUGHS, QUADRATIC_BLOWUP, DEEP_NESTING])
def test_given_attack_repeated_when_read_then_memory_stays_bounded(body: bytes) -> None:
    process = psutil.Process()
    before = process.memory_info().rss
    for _ in range(200):
        with pytest.raises(MalformedMessage):
            read_request(body, max_bytes=MAX_BYTES)
    assert process.memory_info().rss - before < 50 * 1024 * 1024


def test_given_10_mb_body_when_read_then_too_large_before_parsing() -> None:
    # Parsed first, this body would be refused for its DOCTYPE; the size cap must answer first.
    body = BILLION_LAUGHS[: -len(b"</lolz>")] + b"x" * (10 * 1024 * 1024) + b"</lolz>"
    with pytest.raises(MessageTooLarge, match="over the limit") as caught:
        read_request(body, max_bytes=MAX_BYTES)
    assert "DOCTYPE" not in caught.value.message
    assert (caught.value.ota_type, caught.value.ota_code) == (7, 450)


def test_given_xxe_when_read_then_file_content_never_appears() -> None:
    with pytest.raises(MalformedMessage) as caught:
        read_request(XXE_FILE, max_bytes=MAX_BYTES)
    assert "root:" not in caught.value.message


def test_given_5000_deep_nesting_when_read_then_refused_by_depth_limit() -> None:
    with pytest.raises(MalformedMessage, match="depth"):
        read_request(DEEP_NESTING, max_bytes=MAX_BYTES)


def test_given_comment_mentioning_doctype_inside_root_when_read_then_accepted() -> None:
    body = b'<r xmlns="http://www.opentravel.org/OTA/2003/05"><!-- <!DOCTYPE x> --></r>'
    assert read_request(body, max_bytes=MAX_BYTES).message_name == "r"


XI_NS = "http://www.w3.org/2001/XInclude"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OTA_ROOT = '<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0"'


def naming(url: str) -> dict[str, bytes]:
    """Documents that would make a careless parser fetch `url`."""
    return {
        "external_dtd": f'<!DOCTYPE r SYSTEM "{url}">{OTA_ROOT}/>'.encode(),
        "external_entity": f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]>{OTA_ROOT}>&x;</OTA_HotelResNotifRQ>'.encode(),
        "external_parameter_entity": f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]>{OTA_ROOT}/>'.encode(),
        "xinclude": (
            f'{OTA_ROOT} xmlns:xi="{XI_NS}"><xi:include href="{url}" parse="text"/></OTA_HotelResNotifRQ>'
        ).encode(),
        "schema_location": (
            f'{OTA_ROOT} xmlns:xsi="{XSI_NS}" xsi:schemaLocation="http://www.opentravel.org/OTA/2003/05 {url}"/>'
        ).encode(),
    }


@pytest.mark.parametrize("kind", list(naming("x")))
def test_given_a_document_naming_a_url_when_read_then_the_url_is_never_contacted(
    kind: str, tripwire: Tripwire
) -> None:
    body = naming(tripwire.url(f"{kind}.xml"))[kind]
    if b"DOCTYPE" in body:
        with pytest.raises(MalformedMessage, match="DOCTYPE is not allowed"):
            read_request(body, max_bytes=MAX_BYTES)
    else:
        request = read_request(body, max_bytes=MAX_BYTES)
        # read as data: an XInclude stays an element, nothing is put in its place
        assert request.message_name == "OTA_HotelResNotifRQ"
        if kind == "xinclude":
            assert request.root.find(f"{{{XI_NS}}}include") is not None
    tripwire.assert_untouched()
