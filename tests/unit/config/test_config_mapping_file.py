"""Partner mapping files on their own: lookups both ways, unmapped codes, file problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_files import DEMO_DIR

from canonical.errors import PermanentError
from mappings.errors import MappingFileError, UnmappedCodeError
from mappings.loader import load_mapping
from mappings.model import PartnerMapping

OTAONE = DEMO_DIR / "mappings" / "ota" / "otaone.yaml"


@pytest.fixture
def otaone() -> PartnerMapping:
    """OTA One's demo mapping."""
    return load_mapping(OTAONE)


def test_given_demo_mapping_when_partner_codes_looked_up_then_hub_codes(
    otaone: PartnerMapping,
) -> None:
    assert otaone.partner == "otaone"
    assert otaone.property_for_hotel("ALP-4711") == "ALPINA"
    assert otaone.lookup_room_type("ALPINA", "DZSUP") == "DSUP"
    assert otaone.lookup_rate_plan("ALPINA", "NRF1") == "NREF"


def test_given_demo_mapping_when_hub_codes_looked_up_then_partner_codes(
    otaone: PartnerMapping,
) -> None:
    assert otaone.hotel_code_for("ALPINA") == "ALP-4711"
    assert otaone.partner_room_types("ALPINA", "FAM") == ("FAMZI",)
    assert otaone.partner_rate_plans("ALPINA", "BAR") == ("FLEX1",)


def test_given_demo_mapping_when_an_unknown_code_is_looked_up_then_none(
    otaone: PartnerMapping,
) -> None:
    assert otaone.property_for_hotel("ALP-0000") is None
    assert otaone.lookup_room_type("ALPINA", "DZSTD ") is None
    assert otaone.lookup_room_type("BERGHOF", "DZSUP") is None
    assert otaone.partner_rate_plans("ALPINA", "PKG") == ()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.require_property("ALP-0000"), "unmapped hotel code 'ALP-0000'"),
        (
            lambda m: m.require_room_type("ALPINA", "EZ"),
            "unmapped room type code 'EZ' for property ALPINA",
        ),
        (
            lambda m: m.require_rate_plan("ALPINA", "PKG7"),
            "unmapped rate plan code 'PKG7' for property ALPINA",
        ),
    ],
)
def test_given_an_unmapped_code_when_required_then_a_permanent_error_names_partner_and_code(
    otaone: PartnerMapping, call: object, message: str
) -> None:
    assert callable(call)
    with pytest.raises(UnmappedCodeError) as caught:
        call(otaone)

    assert isinstance(caught.value, PermanentError)
    assert str(caught.value) == f"partner otaone sent {message}"
    assert caught.value.partner == "otaone"


def test_given_unquoted_numeric_codes_when_loaded_then_they_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "numeric.yaml"
    path.write_text(
        "partner: otatwo\n"
        "properties:\n"
        "  - property: ALPINA\n"
        "    hotel_code: 0100872\n"
        "    room_types: {1001: DBL, NO: DSUP}\n"
        "    rate_plans: {5501: BAR}\n",
        encoding="utf-8",
    )

    mapping = load_mapping(path)

    assert mapping.property_for_hotel("0100872") == "ALPINA"
    assert mapping.lookup_room_type("ALPINA", "1001") == "DBL"
    assert mapping.lookup_room_type("ALPINA", "NO") == "DSUP"
    assert mapping.lookup_rate_plan("ALPINA", "5501") == "BAR"


def test_given_an_invalid_mapping_file_when_loaded_then_every_problem_has_file_line_and_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        "partner: OTA One\n"
        "properties:\n"
        "  - property: ALPINA\n"
        "    hotel_code: ALP-4711\n"
        "    room_types: {DZSTD: DBL, DZSUP: DBL}\n"
        "    rate_plan: {FLEX1: BAR}\n",
        encoding="utf-8",
    )

    with pytest.raises(MappingFileError) as caught:
        load_mapping(path)

    found = [(p.file, p.line, p.key) for p in caught.value.problems]
    assert found == [
        (path, 1, "partner"),
        (path, 3, "properties[0].rate_plans"),
        (path, 6, "properties[0].rate_plan"),
    ]
    assert "unknown key" in caught.value.problems[2].reason


def test_given_a_mapping_that_maps_two_partner_codes_to_one_hub_code_when_loaded_then_both_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text(OTAONE.read_text(encoding="utf-8").replace("FAMZI: FAM", "FAMZI: DBL"))

    mapping = load_mapping(path)

    assert mapping.lookup_room_type("ALPINA", "FAMZI") == "DBL"
    assert mapping.lookup_room_type("ALPINA", "DZSTD") == "DBL"
    assert mapping.partner_room_types("ALPINA", "DBL") == ("DZSTD", "FAMZI")
    assert mapping.partner_room_types("ALPINA", "FAM") == ()


def test_given_no_mapping_file_when_loaded_then_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(MappingFileError, match="file not found"):
        load_mapping(tmp_path / "otathree.yaml")
