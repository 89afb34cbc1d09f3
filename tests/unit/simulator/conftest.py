"""The channel simulators' unit tests: the ARI message builders of tests/fixtures/ota_ari importable."""

from __future__ import annotations

import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ota_ari"
if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))
