"""Answers to ARI sent in and to availability requests, pure: the matching RS, SOAP-wrapped when the
request was, valid OTA 2015A.

An ARI notification applied is answered `Success`, followed by `Warnings` for what was read but not
applied (Type 3, no code: a business note); a refused one is answered by `responses.error_response`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import uuid4

from lxml import etree

from connectors.ota.ari_codec import Header
from connectors.ota.codec import OtaRequest, wrap_soap, write
from connectors.ota.settings import ARI_MESSAGES, DEFAULT_VERSION, OTA_NS

_MAX_WARNINGS = 99  # WarningsType allows 99 Warning elements
_MAX_ECHO_TOKEN = 128
_NOTE_TYPE = "3"  # EWT 3: business rules


def echo_header(req: OtaRequest, now: datetime | None = None) -> Header:
    """The header of an answer: the request's EchoToken (when it fits, else one of the hub's), now,
    Version 1.000 (2015A makes an EchoToken 1-128 characters: an empty one is not valid)."""
    echo = req.echo_token if req.echo_token and len(req.echo_token) <= _MAX_ECHO_TOKEN else None
    echo = echo or f"hh-{uuid4().hex[:16]}"
    return Header(echo, now or datetime.now(UTC), DEFAULT_VERSION)


def notif_success(req: OtaRequest, notes: Sequence[str] = ()) -> bytes:
    """`OTA_Hotel…NotifRS` with Success, then one Warning per note (read, not applied)."""
    if req.message_name not in ARI_MESSAGES:
        raise ValueError(f"{req.message_name} is not an ARI notification")
    answer = _root(req.message_name[:-2] + "RS", echo_header(req))
    etree.SubElement(answer, f"{{{OTA_NS}}}Success")
    if notes:
        holder = etree.SubElement(answer, f"{{{OTA_NS}}}Warnings")
        for note in notes[:_MAX_WARNINGS]:
            warning = etree.SubElement(holder, f"{{{OTA_NS}}}Warning", Type=_NOTE_TYPE)
            warning.text = note
    return finish(req, answer)


def finish(req: OtaRequest, answer: etree._Element) -> bytes:
    """The answer as bytes, in a SOAP envelope of the request's version when it came in one."""
    return wrap_soap(answer, req.soap_version) if req.soap_version else write(answer)


def _root(name: str, header: Header) -> etree._Element:
    root = etree.Element(f"{{{OTA_NS}}}{name}", nsmap={None: OTA_NS})  # type: ignore[dict-item]
    root.set("EchoToken", header.echo_token)
    root.set("TimeStamp", header.timestamp.isoformat(timespec="seconds"))
    root.set("Version", header.version)
    return root
