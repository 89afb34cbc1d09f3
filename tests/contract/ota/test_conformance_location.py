"""Where the conformance material is missing: a skip on a developer's machine, a failure in CI."""

from __future__ import annotations

from pathlib import Path

import ota_schemas
import pytest


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The 2015A schema folder pointed at a path that does not exist."""
    missing = tmp_path / "no-conformance-here"
    monkeypatch.setattr(ota_schemas, "OTA_2015A", missing)
    return missing


def test_given_no_conformance_folder_and_services_required_when_a_test_needs_it_then_it_fails(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="HUB_REQUIRE_SERVICES=1"):
        ota_schemas.require_conformance()
    with pytest.raises(pytest.fail.Exception):
        ota_schemas.assert_ota_valid_where_known(
            b'<OTA_ErrorRS xmlns="http://www.opentravel.org/OTA/2003/05"/>'
        )


def test_given_no_conformance_folder_on_a_developer_machine_when_a_test_needs_it_then_it_skips(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUB_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not found"):
        ota_schemas.require_conformance()
