"""Shared test set-up: tests/ and tests/e2e importable for their helper modules; the tripwire listener."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
for folder in (HERE, HERE / "e2e"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


@pytest.fixture
def tripwire() -> Iterator[object]:
    """A loopback listener for hostile documents to name; the test fails if anything contacts it."""
    from tripwire import Tripwire

    wire = Tripwire().start()
    try:
        yield wire
        wire.assert_untouched()
    finally:
        wire.stop()
