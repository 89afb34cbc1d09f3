"""Plain OTA, SOAP 1.1 and 1.2 envelopes, WS-Security UsernameToken, and writing answers back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree
from ota_unit_builders import OTA_NS, PROFILE, SOAP11, SOAP12, res_notif, soap

from connectors.ota.codec import OtaRequest, UsernameToken, read_request, wrap_soap, write
from connectors.ota.errors import MalformedMessage

Parse = Callable[[bytes], OtaRequest]


def test_given_plain_ota_when_read_then_root_attributes_and_no_envelope(parse: Parse) -> None:
    req = parse(res_notif(echo="E-77", version="2.001"))
    assert req.message_name == "OTA_HotelResNotifRQ"
    assert req.namespace == OTA_NS
    assert req.soap_version is None
    assert (req.echo_token, req.version) == ("E-77", "2.001")
    assert req.username_token is None


@pytest.mark.parametrize(("version", "expected"), [("1.1", "1.1"), ("1.2", "1.2")])
def test_given_soap_envelope_with_password_text_when_read_then_ota_body_and_token(
    parse: Parse, version: str, expected: str
) -> None:
    req = parse(soap(res_notif(), version=version, username="channel-a", password="s3cret"))
    assert req.soap_version == expected
    assert req.message_name == "OTA_HotelResNotifRQ"
    assert etree.QName(req.root).namespace == OTA_NS
    assert req.username_token == UsernameToken("channel-a", "s3cret", "PasswordText")


def test_given_password_without_type_when_read_then_password_text(parse: Parse) -> None:
    req = parse(soap(res_notif(), username="u", password="p", password_type=None))
    assert req.username_token == UsernameToken("u", "p", "PasswordText")


def test_given_password_digest_when_read_then_reported_as_digest(parse: Parse) -> None:
    body = soap(
        res_notif(),
        version="1.2",
        username="u",
        password="ZGlnZXN0",
        password_type=f"{PROFILE}#PasswordDigest",
    )
    token = parse(body).username_token
    assert token is not None
    assert token.kind == "PasswordDigest"


def test_given_soap_without_security_header_when_read_then_no_token(parse: Parse) -> None:
    assert parse(soap(res_notif())).username_token is None


@pytest.mark.parametrize(
    "body",
    [
        f'<s:Envelope xmlns:s="{SOAP11}"><s:Header/></s:Envelope>'.encode(),
        f'<s:Envelope xmlns:s="{SOAP11}"><s:Body/></s:Envelope>'.encode(),
        f'<s:Envelope xmlns:s="{SOAP12}"><s:Body><s:Fault/></s:Body></s:Envelope>'.encode(),
        f'<s:Body xmlns:s="{SOAP11}"/>'.encode(),
    ],
    ids=["no_body", "empty_body", "fault", "body_as_root"],
)
def test_given_envelope_without_a_request_when_read_then_malformed(body: bytes) -> None:
    with pytest.raises(MalformedMessage):
        read_request(body, max_bytes=4096)


def test_given_unqualified_ota_when_read_then_namespace_none(parse: Parse) -> None:
    assert parse(res_notif(namespace=None)).namespace is None


def test_given_answer_when_wrapped_in_soap_12_then_reads_back_as_soap_12(parse: Parse) -> None:
    answer = etree.Element(f"{{{OTA_NS}}}OTA_HotelResNotifRS", Version="1.000")
    wrapped = parse(wrap_soap(answer, "1.2"))
    assert (wrapped.soap_version, wrapped.message_name) == ("1.2", "OTA_HotelResNotifRS")


def test_given_answer_when_written_then_utf8_document_with_declaration() -> None:
    answer = etree.Element(f"{{{OTA_NS}}}OTA_CancelRS", Status="Cancelled")
    assert write(answer).startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
