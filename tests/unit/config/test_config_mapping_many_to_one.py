"""Several partner codes for one hub code: accepted by `config check`, looked up both ways."""

from __future__ import annotations

from config_files import ConfigFiles, Data

from mappings.loader import load_mapping


def _two_codes_for_double_and_flex(data: Data) -> None:
    entry = data["properties"][0]
    entry["room_types"]["DZSTDPROMO"] = "DBL"
    entry["rate_plans"]["FLEXPROMO"] = "BAR"


def test_given_two_partner_codes_for_one_hub_code_when_config_checked_then_no_problem(
    files: ConfigFiles,
) -> None:
    files.edit_mapping("otaone", _two_codes_for_double_and_flex)

    assert files.problems() == []


def test_given_two_partner_codes_for_one_hub_code_when_looked_up_then_each_way_finds_all(
    files: ConfigFiles,
) -> None:
    files.edit_mapping("otaone", _two_codes_for_double_and_flex)

    mapping = load_mapping(files.mapping_path("otaone"))

    assert (
        mapping.lookup_room_type("ALPINA", "DZSTDPROMO")
        == mapping.lookup_room_type("ALPINA", "DZSTD")
        == "DBL"
    )
    assert mapping.partner_room_types("ALPINA", "DBL") == ("DZSTD", "DZSTDPROMO")
    assert mapping.partner_rate_plans("ALPINA", "BAR") == ("FLEX1", "FLEXPROMO")
    assert mapping.partner_rate_plans("BERGHOF", "BAR") == ()
