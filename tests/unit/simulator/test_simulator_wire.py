"""The simulators' own reader: WS-Security logins (text and digest), and what it refuses to read."""

from __future__ import annotations

import base64
import hashlib

import pytest

from connectors.ota.simulator.wire import SOAP11_NS, WSSE_NS, WSU_NS, WireError, basic_matches, read

OTA_BODY = '<OTA_PingRQ xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0" EchoToken="e"/>'
DIGEST_TYPE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
)


def soap(token: str, body: str = OTA_BODY) -> bytes:
    return (
        f'<s:Envelope xmlns:s="{SOAP11_NS}" xmlns:w="{WSSE_NS}" xmlns:u="{WSU_NS}"><s:Header><w:Security>'
        f"<w:UsernameToken>{token}</w:UsernameToken></w:Security></s:Header><s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def digest_token(
    password: str, nonce: bytes = b"0123456789abcdef", created: str = "2026-05-01T10:00:00Z"
) -> str:
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()
    return (
        f'<w:Username>hub</w:Username><w:Password Type="{DIGEST_TYPE}">{digest}</w:Password>'
        f"<w:Nonce>{base64.b64encode(nonce).decode()}</w:Nonce><u:Created>{created}</u:Created>"
    )


def test_given_a_password_text_token_when_read_then_only_the_right_password_matches() -> None:
    received = read(soap("<w:Username>hub</w:Username><w:Password>s3cret</w:Password>"))
    assert (received.name, received.echo_token, received.soap) == ("OTA_PingRQ", "e", True)
    assert received.wss_matches("hub", "s3cret")
    assert not received.wss_matches("hub", "other")
    assert not received.wss_matches("someone", "s3cret")


def test_given_a_password_digest_token_when_read_then_only_the_right_password_matches() -> None:
    received = read(soap(digest_token("s3cret")))
    assert received.wss_matches("hub", "s3cret")
    assert not received.wss_matches("hub", "s3cret!")


def test_given_basic_credentials_with_non_ascii_when_compared_then_they_match_exactly() -> None:
    header = "Basic " + base64.b64encode("hüb:pässword".encode()).decode()
    assert basic_matches(header, "hüb", "pässword")
    assert not basic_matches(header, "hüb", "password")
    assert not basic_matches("Basic !!!", "hüb", "pässword")


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b'<!DOCTYPE x [<!ENTITY a "b">]><OTA_PingRQ xmlns="http://www.opentravel.org/OTA/2003/05"/>',
        b"<Other/>",
        soap("", body=OTA_BODY + OTA_BODY),
    ],
    ids=["not-xml", "doctype", "not-ota", "two-messages-in-a-body"],
)
def test_given_a_body_that_is_not_one_ota_message_when_read_then_a_wire_error(body: bytes) -> None:
    with pytest.raises(WireError):
        read(body)
