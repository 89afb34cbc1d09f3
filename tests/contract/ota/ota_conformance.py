"""Where the third-party OTA conformance material lives, and the skip when a checkout has none."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
CONFORMANCE = REPO_ROOT.parent / "shared" / "conformance"
OTA_2015A = CONFORMANCE / "opentravel-specs" / "OTA1.0" / "OTA2015A" / "OpenTravel_2015A_XML"


def require_conformance() -> Path:
    """The conformance folder, or skip with the reason when this checkout has none beside it."""
    if not CONFORMANCE.is_dir():
        pytest.skip(f"third-party OTA conformance material not found at {CONFORMANCE}")
    return CONFORMANCE
