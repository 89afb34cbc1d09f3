"""Mistakes in a partner's mapping file, found by `config check`, point into the mapping file."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from config_files import ConfigFiles, Data


def _entry(data: Data) -> Data:
    entry: Data = data["properties"][0]
    return entry


def _add_second_hotel(data: Data) -> None:
    """Config edit: a second property, granted to otaone."""
    second = copy.deepcopy(data["properties"][0])
    second.update(code="BERGHOF", name="Berghof Chalet Hotel")
    data["properties"].append(second)
    data["partners"][0]["properties"].append("BERGHOF")


def _map_second_hotel(hotel_code: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        data["properties"].append(dict(_entry(data), property="BERGHOF", hotel_code=hotel_code))

    return change


@dataclass(frozen=True)
class MappingMistake:
    """An edit of one partner's mapping file (and maybe the config), and the error it must produce."""

    partner: str
    edit: Callable[[Data], object]
    key: str
    reason: str
    line_shows: str
    edit_config: Callable[[Data], object] | None = None


MISTAKES = {
    "room type the property does not have": MappingMistake(
        "otaone",
        lambda data: _entry(data)["room_types"].update(DZSUP="DSUPX"),
        "properties[0].room_types.DZSUP",
        "property ALPINA has no room type 'DSUPX' (did you mean 'DSUP'?)",
        "DSUPX",
    ),
    "rate plan the property does not have": MappingMistake(
        "otatwo",
        lambda data: _entry(data)["rate_plans"].update({"5502": "NRF"}),
        "properties[0].rate_plans.5502",
        "property ALPINA has no rate plan 'NRF' (did you mean 'NREF'?)",
        "NRF",
    ),
    "file copied from another partner": MappingMistake(
        "otatwo",
        lambda data: data.update(partner="otaone"),
        "partner",
        "this file maps partner 'otaone' but is named by partner 'otatwo'",
        "otaone",
    ),
    "property the partner is not granted": MappingMistake(
        "otaone",
        _map_second_hotel("ALP-4712"),
        "properties[1].property",
        "partner otaone is not granted property 'BERGHOF'",
        "BERGHOF",
    ),
    "granted property with no entry": MappingMistake(
        "otaone",
        lambda data: None,
        "properties",
        "no entry for property 'BERGHOF', which partner otaone is granted",
        "properties",
        edit_config=_add_second_hotel,
    ),
    "one hotel code for two properties": MappingMistake(
        "otaone",
        _map_second_hotel("ALP-4711"),
        "properties[1].hotel_code",
        "hotel code 'ALP-4711' is already used by properties[0]",
        "ALP-4711",
        edit_config=_add_second_hotel,
    ),
    "property mapped twice": MappingMistake(
        "otaone",
        lambda data: data["properties"].append(dict(_entry(data), hotel_code="ALP-4712")),
        "properties[1].property",
        "property ALPINA is already mapped in properties[0]",
        "ALPINA",
    ),
    "misspelt key": MappingMistake(
        "otatwo",
        lambda data: _entry(data).update(hotelcode="100872"),
        "properties[0].hotelcode",
        "unknown key",
        "hotelcode",
    ),
    "no rate plans": MappingMistake(
        "otaone",
        lambda data: _entry(data).update(rate_plans={}),
        "properties[0].rate_plans",
        "at least 1 item",
        "rate_plans",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES.values(), ids=MISTAKES.keys())
def test_given_a_mapping_mistake_when_config_checked_then_one_error_points_into_the_mapping_file(
    files: ConfigFiles, mistake: MappingMistake
) -> None:
    if mistake.edit_config is not None:
        files.edit(mistake.edit_config)
    files.edit_mapping(mistake.partner, mistake.edit)

    (problem,) = files.problems()

    assert problem.file == files.mapping_path(mistake.partner)
    assert (problem.key, problem.severity) == (mistake.key, "error")
    assert mistake.reason in problem.reason
    assert mistake.line_shows in files.line_text(problem)
