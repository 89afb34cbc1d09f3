"""Fixtures of the OTA contract tests: the third-party conformance folder and compiled 2015A XSDs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from ota_conformance import OTA_2015A, require_conformance

from connectors.payments.vault import LocalCardVault, generate_key


@pytest.fixture(scope="session")
def conformance() -> Path:
    """Path of ../shared/conformance (skips when absent)."""
    return require_conformance()


@pytest.fixture(scope="session")
def ota_2015a_schema(conformance: Path) -> Callable[[str], etree.XMLSchema]:
    """The OTA 2015A XSD of a message, compiled once per session on first use."""
    compiled: dict[str, etree.XMLSchema] = {}

    def schema(message_name: str) -> etree.XMLSchema:
        if message_name not in compiled:
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            document = etree.parse(str(OTA_2015A / f"{message_name}.xsd"), parser)
            compiled[message_name] = etree.XMLSchema(document)
        return compiled[message_name]

    return schema


@pytest.fixture
def vault() -> LocalCardVault:
    """A local card vault with a fresh key."""
    return LocalCardVault(generate_key())
