"""Each mistake an operator makes in the config file is reported with file, line, key and reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from config_files import DEMO_ENV, ConfigFiles, Data

from hub.config import ConfigError, load_config


def _hotel(data: Data) -> Data:
    hotel: Data = data["properties"][0]
    return hotel


def _partner(data: Data, index: int) -> Data:
    partner: Data = data["partners"][index]
    return partner


def _set(path: tuple[Any, ...], value: object) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


@dataclass(frozen=True)
class Mistake:
    """An edit of the demo config, and the one error it must produce."""

    edit: Callable[[Data], object]
    key: str
    reason: str
    line_shows: str


MISTAKES = {
    "misspelt time zone": Mistake(
        _set(("properties", 0, "timezone"), "Europe/Rom"),
        "properties[0].timezone",
        "unknown IANA time zone 'Europe/Rom' (did you mean 'Europe/Rome'?)",
        "Europe/Rom",
    ),
    "made-up currency": Mistake(
        _set(("properties", 0, "currency"), "EUD"),
        "properties[0].currency",
        "'EUD' is not an ISO-4217 currency code",
        "EUD",
    ),
    "lower-case currency": Mistake(
        _set(("properties", 0, "currency"), "eur"),
        "properties[0].currency",
        "should match pattern",
        "eur",
    ),
    "rate plan sells an unknown room type": Mistake(
        _set(("properties", 0, "rate_plans", 1, "room_types", 2), "FAMX"),
        "properties[0].rate_plans[1].room_types[2]",
        "unknown room type 'FAMX' (did you mean 'FAM'?)",
        "FAMX",
    ),
    "room type code twice": Mistake(
        lambda data: _hotel(data)["room_types"].append(
            {"code": "DBL", "name": "Double Room Annex", "max_occupancy": 2, "rooms": ["401"]}
        ),
        "properties[0].room_types[4].code",
        "duplicate room type code 'DBL' (first at room_types[0])",
        "DBL",
    ),
    "room number in two room types": Mistake(
        _set(("properties", 0, "room_types", 2, "rooms", 1), "203"),
        "properties[0].room_types[2].rooms[1]",
        "room '203' is already listed in room_types[1] (DSUP)",
        "203",
    ),
    "rate plan code twice": Mistake(
        _set(("properties", 0, "rate_plans", 1, "code"), "BAR"),
        "properties[0].rate_plans[1].code",
        "duplicate rate plan code 'BAR' (first at rate_plans[0])",
        "BAR",
    ),
    "default rate for a room type the plan does not sell": Mistake(
        _set(("properties", 0, "rate_plans", 0, "room_types"), ["DBL", "DSUP", "FAM"]),
        "properties[0].rate_plans[0].default_rates.JSU",
        "default rate for room type 'JSU', which this rate plan does not sell",
        "JSU",
    ),
    "negative rate": Mistake(
        _set(("properties", 0, "rate_plans", 0, "default_rates", "DBL"), "-180.00"),
        "properties[0].rate_plans[0].default_rates.DBL",
        "greater than 0",
        "-180.00",
    ),
    "rate that is not a number": Mistake(
        _set(("properties", 0, "rate_plans", 0, "default_rates", "DBL"), "180,00"),
        "properties[0].rate_plans[0].default_rates.DBL",
        "valid decimal",
        "180,00",
    ),
    "misspelt key": Mistake(
        lambda data: _hotel(data)["room_types"][0].update(max_occupany=2),
        "properties[0].room_types[0].max_occupany",
        "unknown key",
        "max_occupany",
    ),
    "missing key": Mistake(
        lambda data: _hotel(data)["room_types"][1].pop("max_occupancy"),
        "properties[0].room_types[1].max_occupancy",
        "required key is missing",
        "code: DSUP",
    ),
    "room type without rooms": Mistake(
        _set(("properties", 0, "room_types", 3, "rooms"), []),
        "properties[0].room_types[3].rooms",
        "at least 1 item",
        "rooms",
    ),
    "property code twice": Mistake(
        lambda data: data["properties"].append(dict(_hotel(data), name="Copy")),
        "properties[1].code",
        "duplicate property code 'ALPINA' (first at properties[0])",
        "ALPINA",
    ),
    "partner granted an unknown property": Mistake(
        _set(("partners", 1, "properties"), ["ALPNA"]),
        "partners[1].properties[0]",
        "unknown property 'ALPNA' (did you mean 'ALPINA'?)",
        "ALPNA",
    ),
    "partner granted a property twice": Mistake(
        _set(("partners", 0, "properties"), ["ALPINA", "ALPINA"]),
        "partners[0].properties[1]",
        "duplicate property 'ALPINA'",
        "ALPINA",
    ),
    "partner id twice": Mistake(
        _set(("partners", 1, "id"), "otaone"),
        "partners[1].id",
        "duplicate partner id 'otaone' (first at partners[0])",
        "otaone",
    ),
    "partner id with capitals": Mistake(
        _set(("partners", 1, "id"), "OTA Two"),
        "partners[1].id",
        "should match pattern",
        "OTA Two",
    ),
    "unknown partner kind": Mistake(
        _set(("partners", 0, "kind"), "channel"),
        "partners[0].kind",
        "'ota'",
        "channel",
    ),
    "two partners share a login": Mistake(
        _set(("partners", 1, "credentials", "username"), "otaone"),
        "partners[1].credentials.username",
        "each partner needs its own login",
        "otaone",
    ),
    "password written into the file": Mistake(
        lambda data: _partner(data, 0)["credentials"].update(password="hunter2"),
        "partners[0].credentials.password",
        "a secret never goes in this file",
        "hunter2",
    ),
    "secret in the endpoint URL": Mistake(
        _set(("partners", 0, "outbound", "url"), "https://hub:s3cret@ari.otaone.example/ota"),
        "partners[0].outbound.url",
        "must not carry a username or password",
        "s3cret",
    ),
    "delivery policy out of range": Mistake(
        _set(("partners", 0, "outbound", "policy", "timeout_s"), 0),
        "partners[0].outbound.policy.timeout_s",
        "greater than 0",
        "timeout_s",
    ),
    "misspelt delivery policy key": Mistake(
        lambda data: _partner(data, 1)["outbound"]["policy"].update(timeout=5),
        "partners[1].outbound.policy.timeout",
        "unknown key",
        "timeout",
    ),
    "OTA partner without a mapping file": Mistake(
        lambda data: _partner(data, 1).pop("mapping"),
        "partners[1].mapping",
        "an OTA partner needs a mapping file",
        "id: otatwo",
    ),
    "mapping file that does not exist": Mistake(
        _set(("partners", 1, "mapping"), "mappings/ota/otatwoo.yaml"),
        "partners[1].mapping",
        "otatwoo.yaml not found",
        "otatwoo.yaml",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES.values(), ids=MISTAKES.keys())
def test_given_a_config_mistake_when_checked_then_one_error_names_file_line_key_and_reason(
    files: ConfigFiles, mistake: Mistake
) -> None:
    files.edit(mistake.edit)

    (problem,) = files.problems()

    assert (problem.file, problem.key, problem.severity) == (files.path, mistake.key, "error")
    assert mistake.reason in problem.reason
    assert mistake.line_shows in files.line_text(problem)
    assert str(problem).startswith(f"{files.path}:{problem.line}: error: {mistake.key}: ")


def test_given_a_config_mistake_when_loaded_then_config_error_carries_the_same_problem(
    files: ConfigFiles,
) -> None:
    files.edit(MISTAKES["misspelt time zone"].edit)

    with pytest.raises(ConfigError) as caught:
        load_config(files.path, environ=DEMO_ENV)

    assert caught.value.problems == tuple(files.problems())
    assert "properties[0].timezone" in str(caught.value)


def test_given_mistakes_in_separate_sections_when_checked_then_all_are_reported_at_once(
    files: ConfigFiles,
) -> None:
    files.edit(MISTAKES["misspelt time zone"].edit)
    files.edit(MISTAKES["rate plan sells an unknown room type"].edit)
    files.edit(MISTAKES["misspelt delivery policy key"].edit)

    keys = [problem.key for problem in files.problems()]

    assert keys == [
        "properties[0].timezone",
        "properties[0].rate_plans[1].room_types[2]",
        "partners[1].outbound.policy.timeout",
    ]
