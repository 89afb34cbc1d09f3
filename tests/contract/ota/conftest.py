"""Fixtures of the OTA contract tests: the third-party conformance folder and compiled 2015A XSDs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from ota_schemas import ota_2015a_schema as compiled_schema
from ota_schemas import require_conformance

from connectors.payments.vault import LocalCardVault, generate_key


@pytest.fixture(scope="session")
def conformance() -> Path:
    """Path of ../shared/conformance (skips when absent; fails when HUB_REQUIRE_SERVICES=1)."""
    return require_conformance()


@pytest.fixture(scope="session")
def ota_2015a_schema(conformance: Path) -> Callable[[str], etree.XMLSchema]:
    """The OTA 2015A XSD of a message, compiled once per session on first use (tests/ota_schemas.py)."""
    return compiled_schema


@pytest.fixture
def vault() -> LocalCardVault:
    """A local card vault with a fresh key."""
    return LocalCardVault(generate_key())
