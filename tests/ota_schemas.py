"""The third-party conformance material beside the checkout (../shared/conformance) and its OTA 2015A XSDs.

The one place that decides what a missing folder means: a skip on a developer's machine, a failure
when HUB_REQUIRE_SERVICES=1 (CI), where a test that silently skipped would prove nothing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from lxml import etree
from services import required

from connectors.ota.settings import OTA_NS, SOAP11_NS, SOAP12_NS

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = REPO_ROOT.parent / "shared" / "conformance"
OTA_2015A = CONFORMANCE / "opentravel-specs" / "OTA1.0" / "OTA2015A" / "OpenTravel_2015A_XML"


def require_conformance() -> Path:
    """The conformance folder; skips when absent, fails instead when HUB_REQUIRE_SERVICES=1."""
    if not OTA_2015A.is_dir():
        message = f"third-party OTA conformance material not found at {CONFORMANCE}"
        if required():
            pytest.fail(message + " and HUB_REQUIRE_SERVICES=1")
        pytest.skip(message)
    return CONFORMANCE


def ota_2015a_schema(message_name: str) -> etree.XMLSchema:
    """The OTA 2015A XSD of a message, compiled once per test session."""
    require_conformance()
    return _compiled(message_name)


@cache
def _compiled(message_name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(OTA_2015A / f"{message_name}.xsd"), parser))


def ota_element(raw: bytes) -> etree._Element:
    """The OTA element of an answer: the root, or the first element in a SOAP Body."""
    root = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    if etree.QName(root).namespace in (SOAP11_NS, SOAP12_NS):
        body = root.find(f"{{{etree.QName(root).namespace}}}Body")
        assert body is not None, "a SOAP answer without a Body"
        children = [child for child in body if isinstance(child.tag, str)]
        assert children, "a SOAP answer with an empty Body"
        root = children[0]
    assert etree.QName(root).namespace == OTA_NS, f"not an OTA answer: {root.tag}"
    return root


def assert_ota_valid(raw: bytes) -> None:
    """The answer's OTA element validates against the 2015A XSD of its message."""
    element = ota_element(raw)
    schema = ota_2015a_schema(etree.QName(element).localname)
    document = etree.ElementTree(etree.fromstring(etree.tostring(element)))
    assert schema.validate(document), f"{etree.QName(element).localname}: {schema.error_log}"


def assert_ota_valid_where_known(raw: bytes) -> None:
    """As assert_ota_valid where the XSDs are at hand (always under HUB_REQUIRE_SERVICES=1); a checkout
    without them still runs the end-to-end test, unvalidated, rather than skipping all of it."""
    if required():
        require_conformance()
    if OTA_2015A.is_dir():
        assert_ota_valid(raw)
