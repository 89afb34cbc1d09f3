"""Fixtures for configuration tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_files import ConfigFiles


@pytest.fixture
def files(tmp_path: Path) -> ConfigFiles:
    """An editable copy of the demo configuration in a temporary folder."""
    return ConfigFiles(tmp_path)
