"""The simulators' own OTA wire handling: safe parsing, plain or SOAP 1.1, credentials, OTA answers.

Written apart from the hub's codec on purpose: what the hub sends is read by a second, independent
reader, so a mistake shared by the hub's writer and reader still shows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PASSWORD_DIGEST = "#PasswordDigest"  # noqa: S105 - the WSS token type, not a secret
_RS_NAMES = {"OTA_ReadRQ": "OTA_ResRetrieveRS"}
MAX_BODY_BYTES = 20 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class WireError(Exception):
    """A request the simulator cannot read: not XML, a DOCTYPE, or no OTA message inside."""


@dataclass(frozen=True)
class Received:
    """One request as read: its OTA message, whether it came in SOAP, and the WS-Security login."""

    message: etree._Element
    soap: bool
    username: str | None = None
    password: str | None = None  # the clear password, or None when sent as a digest
    digest: tuple[str, str, str] | None = None  # (digest, nonce, created) of a PasswordDigest

    @property
    def name(self) -> str:
        """The OTA message name, e.g. OTA_HotelAvailNotifRQ."""
        return etree.QName(self.message).localname

    @property
    def echo_token(self) -> str | None:
        """The request's EchoToken, echoed in the answer."""
        return self.message.get("EchoToken")

    def wss_matches(self, username: str, password: str) -> bool:
        """True when the UsernameToken names this user with this password (text or digest)."""
        if self.username is None or not _same(self.username, username):
            return False
        if self.digest is not None:
            digest, nonce, created = self.digest
            try:
                raw = base64.b64decode(nonce) + created.encode() + password.encode()
            except (binascii.Error, ValueError):
                return False
            expected = base64.b64encode(hashlib.sha1(raw, usedforsecurity=False).digest()).decode()
            return _same(digest, expected)
        return self.password is not None and _same(self.password, password)


def ota(name: str) -> str:
    """The qualified tag of an OTA element."""
    return f"{{{OTA_NS}}}{name}"


def read(body: bytes) -> Received:
    """The OTA message of a request body, unwrapped from its SOAP 1.1 envelope if it has one."""
    if len(body) > MAX_BODY_BYTES:
        raise WireError(f"body of {len(body)} bytes is over {MAX_BODY_BYTES}")
    try:
        tree = etree.ElementTree(etree.fromstring(body, _PARSER))
    except etree.XMLSyntaxError as err:
        raise WireError(f"not XML: {err}") from err
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # type: ignore[attr-defined]  # stubs lack it
        raise WireError("a DOCTYPE is not accepted")
    root = tree.getroot()
    if etree.QName(root).namespace != SOAP11_NS:
        if etree.QName(root).namespace != OTA_NS:
            raise WireError(f"not an OTA message: {root.tag}")
        return Received(root, soap=False)
    body_el = root.find(f"{{{SOAP11_NS}}}Body")
    children = [] if body_el is None else [child for child in body_el if isinstance(child.tag, str)]
    if len(children) != 1 or etree.QName(children[0]).namespace != OTA_NS:
        raise WireError("a SOAP Body must hold exactly one OTA message")
    token = root.find(f"{{{SOAP11_NS}}}Header/{{{WSSE_NS}}}Security/{{{WSSE_NS}}}UsernameToken")
    if token is None:
        return Received(children[0], soap=True)
    username = token.findtext(f"{{{WSSE_NS}}}Username")
    password_el = token.find(f"{{{WSSE_NS}}}Password")
    password = None if password_el is None else (password_el.text or "")
    if password_el is not None and (password_el.get("Type") or "").endswith(_PASSWORD_DIGEST):
        nonce = token.findtext(f"{{{WSSE_NS}}}Nonce") or ""
        created = token.findtext(f"{{{WSU_NS}}}Created") or ""
        return Received(children[0], True, username, None, (password or "", nonce, created))
    return Received(children[0], True, username, password)


def basic_login(header: str | None) -> tuple[str, str] | None:
    """(user, password) of an HTTP Basic Authorization header, or None."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def basic_matches(header: str | None, username: str, password: str) -> bool:
    """True when an HTTP Basic header carries exactly this user and password."""
    login = basic_login(header)
    if login is None:
        return False
    return _same(login[0], username) & _same(login[1], password)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class Issue:
    """One Error or Warning of an answer, in OTA terms (EWT type, ERR code)."""

    type: str
    code: str
    text: str
    record_id: str | None = None
    node_list: str | None = None


def answer(
    request_name: str,
    *,
    echo_token: str | None,
    errors: tuple[Issue, ...] = (),
    warnings: tuple[Issue, ...] = (),
    body: tuple[etree._Element, ...] = (),
) -> etree._Element:
    """The RS of a request: Success (with Warnings) and `body`, or Errors (2015A-valid either way)."""
    name = _RS_NAMES.get(request_name) or request_name.removesuffix("RQ") + "RS"
    root = etree.Element(ota(name), nsmap={None: OTA_NS})  # type: ignore[dict-item]  # lxml's default namespace
    if echo_token:
        root.set("EchoToken", echo_token[:128])
    root.set("TimeStamp", datetime.now(UTC).isoformat(timespec="seconds"))
    root.set("Version", "1.000")
    if errors:
        holder = etree.SubElement(root, ota("Errors"))
        for issue in errors[:99]:
            _issue(holder, "Error", issue)
        return root
    etree.SubElement(root, ota("Success"))
    if warnings:
        holder = etree.SubElement(root, ota("Warnings"))
        for issue in warnings[:99]:
            _issue(holder, "Warning", issue)
    for element in body:
        root.append(element)
    return root


def malformed() -> etree._Element:
    """OTA_ErrorRS for a body that is not an OTA message at all."""
    root = etree.Element(ota("OTA_ErrorRS"), nsmap={None: OTA_NS})  # type: ignore[dict-item]
    root.set("TimeStamp", datetime.now(UTC).isoformat(timespec="seconds"))
    root.set("Version", "1.000")
    root.set("ErrorCode", "Malformed")
    root.set("Status", "NotProcessed")
    return root


def _issue(parent: etree._Element, tag: str, issue: Issue) -> None:
    element = etree.SubElement(parent, ota(tag), Type=issue.type, Code=issue.code)
    element.set("ShortText", issue.text[:64])
    if issue.record_id is not None:
        element.set("RecordID", issue.record_id[:64])
    if issue.node_list is not None and tag == "Error":
        element.set("NodeList", issue.node_list)
    element.text = issue.text


def write(message: etree._Element, *, soap: bool) -> bytes:
    """The answer's bytes: a UTF-8 document, inside a SOAP 1.1 envelope when the request came in one."""
    if soap:
        envelope = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soap": SOAP11_NS})
        etree.SubElement(envelope, f"{{{SOAP11_NS}}}Body").append(message)
        message = envelope
    return bytes(etree.tostring(message, xml_declaration=True, encoding="UTF-8"))
