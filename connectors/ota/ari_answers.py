"""A channel's answer to an ARI notification -> what became of each item: pure, no network.

    Success                      every item delivered
    Success + Warnings           delivered; the warnings (type, code, text, item) are kept
    Errors, each naming an item  those items refused, the rest delivered (PARTIAL)
    Errors, one naming no item   the whole message refused (FAILED)
    EWT 4/5/6/9, ERR 497, or a text about authorisation / authentication (a SOAP Fault too)
                                 AUTH_FAILED: a configuration problem, pause the channel
    anything not an OTA answer   UnreadableAnswer (transient: proxies answer HTML pages on 502)

An error names its item by RecordID or RPH (the item's 1-based position, which is also its
LocatorID), or by a NodeList / Tag path ending in `[n]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from lxml import etree

from canonical.errors import TransientError
from connectors.ota.codec import read_request
from connectors.ota.errors import MalformedMessage
from connectors.ota.settings import SOAP11_NS, SOAP12_NS

_AUTH_TYPES = frozenset({4, 5, 6, 9})  # EWT: authentication, its timeout, authorisation, auth model
_AUTH_CODES = frozenset({"497"})
_AUTH_TEXT = re.compile(r"authori[sz]|authenticat|credential|unauthori[sz]ed|forbidden", re.IGNORECASE)
_POSITION = re.compile(r"\[(\d+)\]\s*$")
MAX_ANSWER_BYTES = 10 * 1024 * 1024


class AnswerStatus(StrEnum):
    """What the answer says of the message as a whole."""

    SUCCESS = "success"
    WARNINGS = "warnings"
    PARTIAL = "partial"
    FAILED = "failed"
    AUTH_FAILED = "auth_failed"


class UnreadableAnswer(TransientError):
    """The channel answered something that is not an OTA answer to the message sent."""


@dataclass(frozen=True)
class AnswerNote:
    """One Warning or Error: its EWT type, ERR code, text, and the item it names (1-based) if any."""

    ota_type: int | None
    code: str | None
    text: str
    item: int | None = None


@dataclass(frozen=True)
class NotifAnswer:
    """A parsed answer: status, warnings and errors."""

    status: AnswerStatus
    warnings: tuple[AnswerNote, ...] = ()
    errors: tuple[AnswerNote, ...] = ()

    @property
    def refused_items(self) -> frozenset[int]:
        """Positions of the items the channel refused (empty unless PARTIAL)."""
        if self.status is not AnswerStatus.PARTIAL:
            return frozenset()
        return frozenset(error.item for error in self.errors if error.item is not None)

    def reason(self) -> str:
        """One line for a log, an alert or a dead letter: the channel's codes and texts."""
        notes = self.errors or self.warnings
        return "; ".join(
            f"{note.ota_type or '-'}/{note.code or '-'}"
            + (f" item {note.item}" if note.item else "")
            + f": {note.text}"
            for note in notes
        )


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _item(element: etree._Element) -> int | None:
    for name in ("RecordID", "RPH"):
        if (found := _int(element.get(name))) is not None:
            return found
    for name in ("NodeList", "Tag"):
        if match := _POSITION.search(element.get(name) or ""):
            return int(match.group(1))
    return None


def _note(element: etree._Element) -> AnswerNote:
    text = " ".join((element.text or "").split()) or (element.get("ShortText") or "").strip()
    return AnswerNote(
        _int(element.get("Type")), (element.get("Code") or "").strip() or None, text, _item(element)
    )


def _is_auth(note: AnswerNote) -> bool:
    return note.ota_type in _AUTH_TYPES or note.code in _AUTH_CODES or bool(_AUTH_TEXT.search(note.text))


def read_answer(
    body: bytes, *, request_name: str, answer_name: str | None = None, max_bytes: int = MAX_ANSWER_BYTES
) -> NotifAnswer:
    """Parse the answer to `request_name` (an OTA_…RQ); UnreadableAnswer when it is not one.

    `answer_name` when the answer is not named after the request (OTA_ReadRQ -> OTA_ResRetrieveRS).
    """
    expected = answer_name or request_name.removesuffix("RQ") + "RS"
    try:
        answer = read_request(body, max_bytes=max_bytes)
    except MalformedMessage as err:
        fault = _soap_fault(body) if len(body) <= max_bytes else None
        if fault is not None:
            return fault
        raise UnreadableAnswer(f"the answer to {request_name} is not an OTA answer: {err.message}") from err
    if answer.message_name not in (expected, "OTA_ErrorRS"):
        raise UnreadableAnswer(f"{answer.message_name} is not an answer to {request_name}")
    root = answer.root
    warnings = tuple(_note(e) for e in root.iterfind("{*}Warnings/{*}Warning"))
    errors = tuple(_note(e) for e in root.iterfind("{*}Errors/{*}Error"))
    if answer.message_name == "OTA_ErrorRS":
        errors += (_error_rs(root),)
    if errors:
        if any(_is_auth(error) for error in errors):
            return NotifAnswer(AnswerStatus.AUTH_FAILED, warnings, errors)
        whole = any(error.item is None for error in errors)
        return NotifAnswer(AnswerStatus.FAILED if whole else AnswerStatus.PARTIAL, warnings, errors)
    if root.find("{*}Success") is None:
        raise UnreadableAnswer(f"{answer.message_name} holds neither Success nor Errors")
    return NotifAnswer(AnswerStatus.WARNINGS if warnings else AnswerStatus.SUCCESS, warnings)


def _error_rs(root: etree._Element) -> AnswerNote:
    text = " ".join((root.text or "").split()) or (root.get("ErrorMessage") or "").strip()
    return AnswerNote(None, (root.get("ErrorCode") or "").strip() or None, text or "OTA_ErrorRS")


def _soap_fault(body: bytes) -> NotifAnswer | None:
    """A SOAP Fault as a whole-message failure (AUTH_FAILED when it speaks of credentials)."""
    try:
        # a parser per call: lxml parsers must not be shared between threads (faults are rare)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        envelope = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    for ns in (SOAP11_NS, SOAP12_NS):
        fault = envelope.find(f"{{{ns}}}Body/{{{ns}}}Fault")
        if fault is not None:
            text = " ".join(" ".join(str(t) for t in fault.itertext()).split())
            note = AnswerNote(None, None, text or "SOAP Fault")
            status = AnswerStatus.AUTH_FAILED if _is_auth(note) else AnswerStatus.FAILED
            return NotifAnswer(status, errors=(note,))
    return None
