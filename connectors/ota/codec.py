"""Bytes <-> lxml tree for OTA messages, plain or in a SOAP 1.1/1.2 envelope; safe against XML attacks."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal, NamedTuple

from lxml import etree

from connectors.ota.errors import EmptyMessage, MalformedMessage, MessageTooLarge
from connectors.ota.settings import (
    SOAP11_NS,
    SOAP12_NS,
    SOAP_NAMESPACES,
    WSS_PASSWORD_DIGEST,
    WSS_PASSWORD_TEXT,
    WSSE_NS,
)

SoapVersion = Literal["1.1", "1.2"]
PasswordKind = Literal["PasswordText", "PasswordDigest", "Unknown"]

_SOAP_VERSIONS: dict[str, SoapVersion] = {SOAP11_NS: "1.1", SOAP12_NS: "1.2"}
_WSSE_SECURITY = f"{{{WSSE_NS}}}Security"
_WSSE_TOKEN = f"{{{WSSE_NS}}}UsernameToken"
_WSSE_USERNAME = f"{{{WSSE_NS}}}Username"
_WSSE_PASSWORD = f"{{{WSSE_NS}}}Password"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UsernameToken(NamedTuple):
    """A WS-Security UsernameToken as sent: the hub checks PasswordText only (secrets are hashed)."""

    username: str
    password: str
    kind: PasswordKind


@dataclass(frozen=True)
class OtaRequest:
    """A parsed OTA request: the OTA element and what the envelope and root attributes said."""

    root: etree._Element
    message_name: str
    soap_version: SoapVersion | None
    echo_token: str | None
    version: str | None
    username_token: UsernameToken | None
    namespace: str | None


_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parser objects must not be shared between threads; one per thread, built once.
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            dtd_validation=False,
            attribute_defaults=False,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


def read_request(body: bytes, *, max_bytes: int) -> OtaRequest:
    """Parse a request body safely; raise MalformedMessage (MessageTooLarge) for anything unsafe or broken."""
    if len(body) > max_bytes:
        raise MessageTooLarge(f"body of {len(body)} bytes is over the limit of {max_bytes} bytes")
    if not body.strip():
        raise EmptyMessage("the request has no body: send the OTA message as the POST body")
    if not _looks_like_xml(body):
        raise MalformedMessage("the body is not XML: an OTA message starts with '<'")
    if _prolog_has_doctype(body):
        raise MalformedMessage("a DOCTYPE is not allowed")
    try:
        root = etree.fromstring(body, _parser())
    except (etree.XMLSyntaxError, ValueError) as err:
        raise MalformedMessage(f"not well-formed XML: {err}") from None
    docinfo = root.getroottree().docinfo
    # lxml-stubs lacks DocInfo.doctype; it is there at run time
    doctype = docinfo.doctype  # type: ignore[union-attr]
    if doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise MalformedMessage("a DOCTYPE is not allowed")
    return _to_request(root)


def _to_request(root: etree._Element) -> OtaRequest:
    qname = etree.QName(root)
    soap_version = _SOAP_VERSIONS.get(qname.namespace or "")
    token = None
    if soap_version is not None:
        if qname.localname != "Envelope":
            raise MalformedMessage(f"SOAP element {qname.localname} where Envelope was expected")
        header = root.find(f"{{{qname.namespace}}}Header")
        body = root.find(f"{{{qname.namespace}}}Body")
        if body is None:
            raise MalformedMessage("SOAP envelope without a Body")
        message = _first_element(body)
        if message is None:
            raise MalformedMessage("SOAP Body holds no message")
        if etree.QName(message).localname == "Fault":
            raise MalformedMessage("SOAP Body holds a Fault, not a request")
        token = _username_token(header) if header is not None else None
    else:
        message = root
    mq = etree.QName(message)
    return OtaRequest(
        root=message,
        message_name=mq.localname,
        soap_version=soap_version,
        echo_token=message.get("EchoToken"),
        version=message.get("Version"),
        username_token=token,
        namespace=mq.namespace,
    )


def _first_element(parent: etree._Element) -> etree._Element | None:
    for child in parent:
        if isinstance(child.tag, str):
            return child
    return None


def _username_token(header: etree._Element) -> UsernameToken | None:
    security = header.find(_WSSE_SECURITY)
    token = security.find(_WSSE_TOKEN) if security is not None else None
    if token is None:
        return None
    username = (token.findtext(_WSSE_USERNAME) or "").strip()
    password_el = token.find(_WSSE_PASSWORD)
    password = (password_el.text or "") if password_el is not None else ""
    kind_attr = password_el.get("Type") if password_el is not None else None
    kind: PasswordKind
    if kind_attr in (None, "", WSS_PASSWORD_TEXT) or (kind_attr or "").endswith("#PasswordText"):
        kind = "PasswordText"
    elif kind_attr == WSS_PASSWORD_DIGEST or (kind_attr or "").endswith("#PasswordDigest"):
        kind = "PasswordDigest"
    else:
        kind = "Unknown"
    return UsernameToken(username, password, kind)


def _looks_like_xml(body: bytes) -> bool:
    """True when the first character (after a byte order mark and white space) is '<'.

    UTF-16 and UTF-32 bodies are left to the parser, which reads their encoding.
    """
    if body.startswith(_UTF16_BOMS) or b"\x00" in body[:4]:
        return True
    return body.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")[:1] == b"<"


def _prolog_has_doctype(body: bytes) -> bool:
    """Scan what precedes the first element; any DOCTYPE (or other markup declaration) counts."""
    head = body[:65536]
    if head.startswith(_UTF16_BOMS) or b"\x00" in head[:4]:
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    pos, end = 0, len(head)
    while pos < end:
        while pos < end and head[pos] in b" \t\r\n":
            pos += 1
        if head.startswith(b"<?", pos):
            closer = b"?>"
        elif head.startswith(b"<!--", pos):
            closer = b"-->"
        else:
            # any other markup declaration here is a DOCTYPE; an element start ends the prolog
            return head.startswith(b"<!", pos)
        close = head.find(closer, pos + 2)
        if close < 0:
            # the prolog runs past the window (or never closes): let the parser judge it,
            # the docinfo check after parsing still refuses a DOCTYPE.
            return False
        pos = close + len(closer)
    return False


def write(root: etree._Element) -> bytes:
    """Serialise an OTA element as a UTF-8 document with an XML declaration."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def wrap_soap(
    root: etree._Element, soap_version: SoapVersion, *, username_token: UsernameToken | None = None
) -> bytes:
    """Serialise an OTA element inside a SOAP envelope of the given version (moves `root` into it).

    With `username_token`, the Header carries a WS-Security UsernameToken (PasswordText only).
    """
    ns = SOAP_NAMESPACES[soap_version]
    envelope = etree.Element(f"{{{ns}}}Envelope", nsmap={"soap": ns})
    header = etree.SubElement(envelope, f"{{{ns}}}Header")
    if username_token is not None:
        security = etree.SubElement(header, _WSSE_SECURITY, nsmap={"wsse": WSSE_NS})
        token = etree.SubElement(security, _WSSE_TOKEN)
        etree.SubElement(token, _WSSE_USERNAME).text = username_token.username
        password = etree.SubElement(token, _WSSE_PASSWORD, Type=WSS_PASSWORD_TEXT)
        password.text = username_token.password
    body = etree.SubElement(envelope, f"{{{ns}}}Body")
    body.append(root)
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))
